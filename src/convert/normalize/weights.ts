/**
 * Source weights (as each reader found them) → tfjs weights: named `<layer>/<variable>` exactly
 * as tfjs' `LayersModel.loadWeights` looks them up, in each layer class's own order, shapes
 * checked against the layer's config.
 *
 * Each layer class lists its variables once (name, shape from the config, where Keras 3 stores
 * it). A layer's source weights are matched to that list by:
 *   1. Keras 3 storage path (`vars/0`, `cell/vars/1`, `forward_layer/cell/vars/2`), when the
 *      file has them (.keras archives, Keras 3 weights files);
 *   2. variable name (`dense_1/kernel:0`, `bidirectional/forward_lstm/lstm_cell/kernel:0`), when
 *      every variable is found exactly once;
 *   3. order, which is the order Keras itself saved them (trainable, then non-trainable).
 * Keras 1 files get Keras 2's own conversions (per-gate LSTM/GRU arrays concatenated, 'th'
 * kernels transposed). Any count or shape mismatch → WEIGHT_MISMATCH naming the layer.
 *
 * Only shapes are used here: values stay in the file until the writer reads them (a Keras 1
 * rearrangement is applied then, to the values read).
 */
import { ErrorCode } from '../../errors.js';
import { convertError, summarizeList } from '../../errors.js';
import { toFloat32 } from '../../formats/integer_elements.js';
import { derivedArray, elementCount } from '../../formats/stored_array.js';
import type { NamedWeight, SourceWeight, StoredArray, WeightDType } from '../intermediate.js';
import { asVariableDtype } from './weight_dtypes.js';
import type { LayerNote } from './model_config.js';
import { isObject } from './values.js';
import { nameTable, ownValue } from '../../name_table.js';

type Config = Record<string, unknown>;
/** A shape with `null` where the config does not fix the size (input dimensions). */
type ShapePattern = Array<number | null>;

interface VarSpec {
  /** tfjs variable path under the layer: 'kernel', 'forward_lstm/kernel'. */
  name: string;
  shape: ShapePattern | null;
  /** Keras 3 storage path under the layer's group: 'vars/0', 'cell/vars/1'. */
  keras3Path: string;
  /** Variable names as legacy files and SavedModels spell them (last name token). */
  aliases: string[];
  /** Token that must appear in the stored name ('forward'/'backward' inside Bidirectional). */
  direction?: 'forward' | 'backward';
  /** Name token of the sublayer that owns it in legacy files ('query' in mha/query/kernel:0). */
  scope?: string;
  /** Other storage paths the same variable has in other writers' .keras files. */
  keras3Alternatives?: string[];
  /** Paths where Keras 3 saves this same variable a second time (not read). */
  keras3Copies?: string[];
  /** The tfjs variable's dtype when it is not float32. */
  dtype?: WeightDType;
}

export interface WeightsResult {
  weights: NamedWeight[];
  warnings: string[];
}

/** Builds the tfjs weights of every layer, in layer order. */
export function buildWeights(file: string, layers: LayerNote[], source: Map<string, SourceWeight[]>): WeightsResult {
  const warnings: string[] = [];
  const weights: NamedWeight[] = [];
  const used = new Set<string>();
  const seenNames = new Set<string>();
  for (const layer of layers) {
    const name = layer.path[layer.path.length - 1];
    const specs = varSpecs(layer.targetClass, layer.config);
    const found = sourceWeightsFor(layer.path, source, used);
    const matched = matchLayer(file, layer, specs, found);
    for (let i = 0; i < specs.length; i++) {
      const { shape, dtype, read, pieces } = asVariableDtype(file, name, specs[i].name, specs[i].dtype ?? 'float32', matched[i]);
      const w: NamedWeight = { name: `${name}/${specs[i].name}`, shape, dtype, read, pieces };
      checkShape(file, name, specs[i], w);
      if (seenNames.has(w.name)) {
        throw convertError(
          ErrorCode.WEIGHT_MISMATCH, file,
          `two layers would both own the tfjs weight '${w.name}' (nested models with equal layer names); rename one of the layers in Keras and save again`,
          name,
        );
      }
      seenNames.add(w.name);
      weights.push(w);
    }
  }
  for (const [key, ws] of source) {
    if (!used.has(key) && ws.length > 0) warnings.push(`the file has ${ws.length} weight(s) under '${key}' that belong to no layer of the model; ignored`);
  }
  return { weights, warnings };
}

// ------------------------------------------------------------------------ variable lists

function num(v: unknown, fallback: number | null = null): number | null {
  return typeof v === 'number' ? v : fallback;
}

function kernelSize(c: Config, rank: number): ShapePattern {
  const ks = c.kernel_size;
  if (Array.isArray(ks)) return ks.map((v) => num(v));
  if (typeof ks === 'number') return Array(rank).fill(ks);
  return Array(rank).fill(null);
}

/** Keras 3 keeps own variables in `vars/i`, in the order listed. */
function own(list: Array<[string, ShapePattern | null, string[]?]>, prefix = ''): VarSpec[] {
  return list.map(([name, shape, aliases], i) => ({ name, shape, keras3Path: `${prefix}vars/${i}`, aliases: aliases ?? [name] }));
}

/** The variables tfjs creates for a layer of this class with this config, in tfjs' order. */
export function varSpecs(className: string, c: Config): VarSpec[] {
  const bias = c.use_bias !== false;
  switch (className) {
    case 'Dense': {
      const u = num(c.units);
      return own([['kernel', [null, u]], ...(bias ? [['bias', [u]] as [string, ShapePattern]] : [])]);
    }
    case 'Conv1D': case 'CausalConv1D': case 'Conv2D': case 'GroupedConv2D': case 'Conv3D': {
      const rank = className === 'Conv2D' || className === 'GroupedConv2D' ? 2 : className === 'Conv3D' ? 3 : 1;
      const f = num(c.filters);
      return own([['kernel', [...kernelSize(c, rank), null, f]], ...(bias ? [['bias', [f]] as [string, ShapePattern]] : [])]);
    }
    case 'Conv2DTranspose': case 'Conv3DTranspose': case 'KerasConv3DTranspose': {
      const rank = className === 'Conv2DTranspose' ? 2 : 3;
      const f = num(c.filters);
      return own([['kernel', [...kernelSize(c, rank), f, null]], ...(bias ? [['bias', [f]] as [string, ShapePattern]] : [])]);
    }
    case 'DepthwiseConv2D': {
      const dm = num(c.depth_multiplier, 1);
      return own([
        ['depthwise_kernel', [...kernelSize(c, 2), null, dm], ['depthwise_kernel', 'kernel']],
        ...(bias ? [['bias', [null]] as [string, ShapePattern]] : []),
      ]);
    }
    case 'SeparableConv2D': {
      const f = num(c.filters);
      const dm = num(c.depth_multiplier, 1);
      return own([
        ['depthwise_kernel', [...kernelSize(c, 2), null, dm]],
        ['pointwise_kernel', [1, 1, null, f]],
        ...(bias ? [['bias', [f]] as [string, ShapePattern]] : []),
      ]);
    }
    case 'BatchNormalization': {
      const list: Array<[string, ShapePattern, string[]?]> = [];
      if (c.scale !== false) list.push(['gamma', [null]]);
      if (c.center !== false) list.push(['beta', [null]]);
      list.push(['moving_mean', [null], ['moving_mean', 'running_mean']], ['moving_variance', [null], ['moving_variance', 'running_std']]);
      return own(list);
    }
    case 'LayerNormalization': {
      const list: Array<[string, ShapePattern | null]> = [];
      if (c.scale !== false) list.push(['gamma', null]);
      if (c.center !== false) list.push(['beta', null]);
      return own(list);
    }
    case 'Embedding':
      return own([['embeddings', [num(c.input_dim), num(c.output_dim)]]]);
    case 'PReLU':
      return own([['alpha', null]]);
    case 'SimpleRNN': case 'LSTM': case 'GRU': {
      const u = num(c.units);
      const gates = className === 'LSTM' ? 4 : className === 'GRU' ? 3 : 1;
      const g = u === null ? null : u * gates;
      return own(
        [
          ['kernel', [null, g]],
          ['recurrent_kernel', [u, g]],
          ...(bias ? [['bias', [g]] as [string, ShapePattern]] : []),
        ],
        'cell/',
      );
    }
    case 'ResetAfterGRU': case 'RNN':
      // RNN(cell) (ResetAfterGRU: a reset_after GRU, normalize/layer_configs).
      return isObject(c.cell) ? cellVarSpecs(c.cell as Cell, 'cell/', '') : [];
    case 'Normalization':
      // Weights only when Keras adapted it (mean/variance not fixed in the config).
      // tf.keras stores `count` as int64; keras2tfjs' Normalization holds it as int32.
      return c.mean == null ? own([['mean', null], ['variance', null], ['count', []]]).map((s) => (s.name === 'count' ? { ...s, dtype: 'int32' as const } : s)) : [];
    case 'ConvLSTM2D': {
      const f = num(c.filters);
      const g = f === null ? null : f * 4;
      const ks = kernelSize(c, 2);
      return own([['kernel', [...ks, null, g]], ['recurrent_kernel', [...ks, f, g]], ...(bias ? [['bias', [g]] as [string, ShapePattern]] : [])], 'cell/');
    }
    case 'Conv1DTranspose': {
      const f = num(c.filters);
      return own([['kernel', [...kernelSize(c, 1), f, null]], ...(bias ? [['bias', [f]] as [string, ShapePattern]] : [])]);
    }
    case 'DepthwiseConv1D':
      return own([
        ['depthwise_kernel', [...kernelSize(c, 1), null, num(c.depth_multiplier, 1)], ['depthwise_kernel', 'kernel']],
        ...(bias ? [['bias', [null]] as [string, ShapePattern]] : []),
      ]);
    case 'SeparableConv1D': {
      const f = num(c.filters);
      return own([
        ['depthwise_kernel', [...kernelSize(c, 1), null, num(c.depth_multiplier, 1)]],
        ['pointwise_kernel', [1, null, f]],
        ...(bias ? [['bias', [f]] as [string, ShapePattern]] : []),
      ]);
    }
    case 'ReversibleEmbedding':
      return own([
        ['embeddings', [num(c.input_dim), num(c.output_dim)]],
        ...(c.tie_weights === false ? [['reverse_embeddings', [num(c.output_dim), num(c.input_dim)]] as [string, ShapePattern]] : []),
      ]);
    case 'EinsumDense':
      return own([['kernel', null], ...(c.bias_axes ? [['bias', null] as [string, ShapePattern | null]] : [])]);
    case 'MultiHeadAttention': case 'GroupedQueryAttention':
      // Keras saves MHA's projections under its query_dense… properties, GQA's under _query_dense….
      return attentionVarSpecs(c, className === 'MultiHeadAttention' ? '' : '_');
    case 'Attention': {
      const list: Array<[string, ShapePattern]> = [];
      if (c.use_scale === true) list.push(['scale', []]);
      if (c.score_mode === 'concat') list.push(['concat_score_weight', []]);
      return own(list);
    }
    case 'AdditiveAttention':
      return c.use_scale === false ? [] : own([['scale', [null]]]);
    case 'GroupNormalization': {
      const list: Array<[string, ShapePattern]> = [];
      if (c.scale !== false) list.push(['gamma', [null]]);
      if (c.center !== false) list.push(['beta', [null]]);
      return own(list);
    }
    case 'LayerScale':
      return own([['gamma', [num(c.projection_dim)]]]);
    case 'RMSNormalization':
      return own([['scale', null]]);
    case 'Bidirectional': {
      const inner = c.layer as { class_name: string; config: Config };
      const innerName = String(inner.config.name);
      const specs = varSpecs(inner.class_name, inner.config);
      const wrap = (dir: 'forward' | 'backward'): VarSpec[] =>
        specs.map((s) => ({ ...s, name: `${dir}_${innerName}/${s.name}`, keras3Path: `${dir}_layer/${s.keras3Path}`, direction: dir }));
      return [...wrap('forward'), ...wrap('backward')];
    }
    case 'SpectralNormalization': {
      // The wrapped layer's variables (under layer/), then vector_u; Keras 3 also keeps the
      // wrapped kernel as the wrapper's vars/0 (the same array, not read).
      const inner = c.layer as { class_name: string; config: Config };
      const wrapped = varSpecs(inner.class_name, inner.config).map((s) => ({
        ...s,
        keras3Path: `layer/${s.keras3Path}`,
        ...(s.name === 'kernel' || s.name === 'embeddings' ? { keras3Copies: ['vars/0'] } : {}),
      }));
      return [...wrapped, { name: 'vector_u', shape: [1, null], keras3Path: 'vars/1', aliases: ['vector_u'] }];
    }
    case 'TimeDistributed': {
      const inner = c.layer as { class_name: string; config: Config };
      // tfjs builds the wrapped layer in the wrapper's own name scope: 'time_distributed/kernel'.
      return varSpecs(inner.class_name, inner.config).map((s) => ({ ...s, keras3Path: `layer/${s.keras3Path}` }));
    }
    default:
      return [];
  }
}

type Cell = { class_name: string; config: Config };

/** Gates per recurrent cell: its kernel holds units × gates columns. */
const CELL_GATES: Readonly<Record<string, number>> = nameTable({ SimpleRNNCell: 1, LSTMCell: 4, GRUCell: 3, ResetAfterGRUCell: 3 });

/**
 * The variables of a recurrent cell inside tfjs' RNN: under the RNN's own name ('rnn/kernel'),
 * a StackedRNNCells' cells under 'RNNCell_<i>/' (tfjs' name scopes). Keras 3 stores them under
 * `cell/vars/i`, a stack's under `cell/cells/<cell name>/vars/i`; legacy files name them
 * `rnn/stacked_rnn_cells/<cell name>/kernel:0`.
 */
function cellVarSpecs(cell: Cell, keras3Prefix: string, tfjsPrefix: string, scope?: string): VarSpec[] {
  const c = isObject(cell.config) ? cell.config : {};
  const u = num(c.units);
  const useBias = c.use_bias !== false;
  const gates = ownValue(CELL_GATES, cell.class_name);
  if (cell.class_name === 'StackedRNNCells' || cell.class_name === 'KerasStackedRNNCells') {
    const cells = Array.isArray(c.cells) ? (c.cells as Cell[]) : [];
    return cells.flatMap((inner, i) => {
      const name = String(inner.config?.name ?? i);
      return cellVarSpecs(inner, `${keras3Prefix}cells/${name}/`, `${tfjsPrefix}RNNCell_${i}/`, name);
    });
  }
  if (gates === undefined) return [];
  const g = u === null ? null : u * gates;
  // A reset_after GRU's bias has an input and a recurrent row.
  const biasShape = cell.class_name === 'ResetAfterGRUCell' ? [2, g] : [g];
  const list: Array<[string, ShapePattern]> = [['kernel', [null, g]], ['recurrent_kernel', [u, g]], ...(useBias ? [['bias', biasShape] as [string, ShapePattern]] : [])];
  return list.map(([name, shape], i) => ({
    name: `${tfjsPrefix}${name}`, shape, keras3Path: `${keras3Prefix}vars/${i}`, aliases: [name], ...(scope ? { scope } : {}),
  }));
}

/**
 * MultiHeadAttention / GroupedQueryAttention: each projection is an EinsumDense sublayer.
 * Keras 3 stores them under `query_dense/vars/0..1` (kernel, bias), ..., legacy files as
 * `<layer>/query/kernel:0`; tfjs names them '<layer>/query/kernel'.
 */
function attentionVarSpecs(c: Config, prefix: string): VarSpec[] {
  const bias = c.use_bias !== false;
  const sublayers: Array<[string, string]> = [['query', `${prefix}query_dense`], ['key', `${prefix}key_dense`]];
  // MultiHeadAttention has no gate_dense property: its gate is saved under _gate_dense too.
  if (c.use_gate === true) sublayers.push(['gate', '_gate_dense']);
  sublayers.push(['value', `${prefix}value_dense`], ['attention_output', `${prefix}output_dense`]);
  // tf.keras 2.13+ .keras files keep MultiHeadAttention's projections under _query_dense, ....
  const alt = (group: string, i: number): string[] => (group.startsWith('_') ? [] : [`_${group}/vars/${i}`]);
  return sublayers.flatMap(([name, group]) => [
    { name: `${name}/kernel`, shape: null, keras3Path: `${group}/vars/0`, keras3Alternatives: alt(group, 0), aliases: ['kernel'], scope: name },
    ...(bias ? [{ name: `${name}/bias`, shape: null, keras3Path: `${group}/vars/1`, keras3Alternatives: alt(group, 1), aliases: ['bias'], scope: name }] : []),
  ]);
}

// ---------------------------------------------------------------------- finding weights

/**
 * The source weights of a layer: under its path ('dense_1', or 'encoder/dense_1' from readers
 * that know nested layers), or — legacy HDF5 keeps a nested model's weights in one group — the
 * nested model's group, filtered to names that mention the layer.
 */
function sourceWeightsFor(path: string[], source: Map<string, SourceWeight[]>, used: Set<string>): SourceWeight[] {
  const key = path.join('/');
  const direct = source.get(key);
  if (direct) {
    used.add(key);
    return direct;
  }
  for (let n = path.length - 1; n >= 1; n--) {
    const groupKey = path.slice(0, n).join('/');
    const group = source.get(groupKey);
    if (!group) continue;
    used.add(groupKey);
    const layer = path[path.length - 1];
    return group.filter((w) => w.storedName !== null && nameTokens(w.storedName).slice(0, -1).includes(layer));
  }
  return [];
}

function nameTokens(storedName: string): string[] {
  return storedName.replace(/:\d+$/, '').split('/');
}

// --------------------------------------------------------------------------- matching

function matchLayer(file: string, layer: LayerNote, specs: VarSpec[], found: SourceWeight[]): StoredArray[] {
  const name = layer.path[layer.path.length - 1];
  if (layer.keras1) found = keras1Weights(layer, found);
  if (specs.length === 0) {
    if (found.length > 0) {
      throw convertError(
        ErrorCode.WEIGHT_MISMATCH, file,
        `layer '${name}' (${layer.targetClass}) has no weights in tfjs but ${found.length} in the file (${describe(found)})`,
        name,
      );
    }
    return [];
  }
  const byPath = matchByKeras3Path(specs, found);
  if (byPath) return byPath;
  const byName = matchByName(specs, found);
  if (byName) return byName;
  if (found.length !== specs.length) {
    throw convertError(
      ErrorCode.WEIGHT_MISMATCH, file,
      `layer '${name}' (${layer.targetClass}) needs ${specs.length} weight${specs.length === 1 ? '' : 's'} (${summarizeList(specs.map((s) => s.name))}) but the file has ${found.length}${found.length ? ` (${describe(found)})` : ''}`,
      name,
    );
  }
  return found;
}

function describe(ws: SourceWeight[]): string {
  return summarizeList(ws.map((w) => `${w.storedName ?? '?'} ${JSON.stringify(w.shape)}`));
}

function matchByKeras3Path(specs: VarSpec[], found: SourceWeight[]): StoredArray[] | null {
  if (found.length === 0 || !found.every((w) => w.storedName !== null && /(^|\/)vars\/\d+$/.test(w.storedName))) return null;
  const byPath = new Map(found.map((w) => [w.storedName as string, w]));
  const out: StoredArray[] = [];
  for (const s of specs) {
    const w = byPath.get(s.keras3Path) ?? (s.keras3Alternatives ?? []).map((p) => byPath.get(p)).find((x) => x !== undefined);
    if (!w) return null;
    out.push(w);
  }
  const copies = specs.flatMap((s) => s.keras3Copies ?? []).filter((p) => byPath.has(p)).length;
  return out.length + copies === found.length ? out : null;
}

function matchByName(specs: VarSpec[], found: SourceWeight[]): StoredArray[] | null {
  if (found.length !== specs.length || !found.every((w) => w.storedName !== null)) return null;
  const out: StoredArray[] = [];
  const taken = new Set<SourceWeight>();
  for (const s of specs) {
    const candidates = found.filter((w) => {
      const tokens = nameTokens(w.storedName as string);
      if (!s.aliases.includes(tokens[tokens.length - 1])) return false;
      if (s.direction && !tokens.some((t) => t.startsWith(s.direction as string))) return false;
      if (s.scope && !tokens.slice(0, -1).includes(s.scope)) return false;
      return !taken.has(w);
    });
    if (candidates.length !== 1) return null;
    taken.add(candidates[0]);
    out.push(candidates[0]);
  }
  return out;
}

function checkShape(file: string, layer: string, spec: VarSpec, w: NamedWeight): void {
  const pattern = spec.shape;
  if (!pattern) return;
  const ok = pattern.length === w.shape.length && pattern.every((d, i) => d === null || d === w.shape[i]);
  if (!ok) {
    const expected = `[${pattern.map((d) => (d === null ? '*' : d)).join(', ')}]`;
    throw convertError(
      ErrorCode.WEIGHT_MISMATCH, file,
      `layer '${layer}': weight '${spec.name}' has shape ${JSON.stringify(w.shape)} in the file but the layer's config needs ${expected}`,
      layer,
    );
  }
}

// ----------------------------------------------------------------------------- Keras 1

/** Keras 2's own conversion of Keras 1 weights (keras 2.x `preprocess_weights_for_loading`). */
function keras1Weights(layer: LayerNote, ws: SourceWeight[]): SourceWeight[] {
  const c = layer.config;
  if (layer.targetClass === 'LSTM' && ws.length === 12) {
    // Keras 1 stored i, c, f, o gates separately: [W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o].
    return [concatLast([ws[0], ws[6], ws[3], ws[9]], 'kernel'), concatLast([ws[1], ws[7], ws[4], ws[10]], 'recurrent_kernel'), concatLast([ws[2], ws[8], ws[5], ws[11]], 'bias')];
  }
  if (layer.targetClass === 'GRU' && ws.length === 9) {
    // [W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h]
    return [concatLast([ws[0], ws[3], ws[6]], 'kernel'), concatLast([ws[1], ws[4], ws[7]], 'recurrent_kernel'), concatLast([ws[2], ws[5], ws[8]], 'bias')];
  }
  if ((layer.targetClass === 'Conv2D' || layer.targetClass === 'Conv2DTranspose') && c.data_format === 'channels_first' && ws[0]?.shape.length === 4) {
    // 'th' kernels were (out, in, rows, cols).
    return [transpose(ws[0], [2, 3, 1, 0]), ...ws.slice(1)];
  }
  if (layer.targetClass === 'Conv1D' && ws[0]?.shape.length === 4) {
    // Keras 1 Conv1D kernels were 2D kernels of width 1: (length, 1, in, filters).
    let k = ws[0];
    const ks = Array.isArray(c.kernel_size) ? c.kernel_size[0] : c.kernel_size;
    if (k.shape[0] !== ks || k.shape[1] !== 1 || k.shape[3] !== c.filters) k = transpose(k, [2, 3, 1, 0]);
    return [{ ...k, shape: [k.shape[0], k.shape[2], k.shape[3]] }, ...ws.slice(1)];
  }
  return ws;
}

/** Arrays of the same leading shape side by side along their last axis (float32). */
function concatLast(parts: SourceWeight[], name: string): SourceWeight {
  const lead = parts[0].shape.slice(0, -1);
  const rows = lead.reduce((a, b) => a * b, 1);
  const widths = parts.map((p) => p.shape[p.shape.length - 1]);
  const total = widths.reduce((a, b) => a + b, 0);
  const compute = async () => {
    const datas = await Promise.all(parts.map(async (p) => toFloat32(await p.read())));
    const out = new Float32Array(rows * total);
    for (let r = 0; r < rows; r++) {
      let col = 0;
      datas.forEach((d, i) => {
        out.set(d.subarray(r * widths[i], (r + 1) * widths[i]), r * total + col);
        col += widths[i];
      });
    }
    return out;
  };
  return { ...derivedArray([...lead, total], 'float32', compute), storedName: name };
}

/** N-d transpose of a C-order array (float32). */
function transpose(w: SourceWeight, perm: number[]): SourceWeight {
  const shape = w.shape;
  const outShape = perm.map((p) => shape[p]);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const compute = async () => {
    const data = toFloat32(await w.read());
    const out = new Float32Array(elementCount(shape));
    const idx = new Array(outShape.length).fill(0);
    for (let o = 0; o < out.length; o++) {
      let src = 0;
      for (let d = 0; d < perm.length; d++) src += idx[d] * strides[perm[d]];
      out[o] = data[src];
      for (let d = outShape.length - 1; d >= 0; d--) {
        if (++idx[d] < outShape[d]) break;
        idx[d] = 0;
      }
    }
    return out;
  };
  return { ...derivedArray(outShape, 'float32', compute), storedName: w.storedName };
}
