/**
 * tfjs LayersModel weights → the group tree Keras 3.15's saving_lib writes into
 * `model.weights.h5` (`_save_state` / `_save_container_state` / `H5IOStore.make`):
 *
 *   /vars                          attr name=<model name>   (the model's own variables: none)
 *   /layers/<key>/vars             attr name=<layer name>, datasets "0".."N" in Keras' order
 *   /layers/lstm/cell/vars/0..2    RNN weights live on the cell
 *   /layers/sequential/layers/...  nested models recurse
 *
 * `<key>` is not the layer name: Keras names each child by its class, snake_cased, made unique
 * by a per-container counter (`dense`, `dense_1`, ...), walking `model.layers` in order — a
 * Sequential's hidden InputLayer is skipped, a Functional's InputLayers are not.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ErrorCode, Keras2TfjsError } from '../../../errors.js';
import { childGroup, emptyGroup, type H5Dataset, type H5Group } from '../../../formats/hdf5/h5wasm/writer.js';
import { isFunctional, isSequential, kerasLayers, type TfjsLayer } from './model_config.js';
import type { OptimizerState } from './compile_config.js';
import { specForLayer, type Keras3LayerSpec } from './layer_table.js';
import { isOperationLayer } from './operations.js';
import { assignKerasNames, kerasName } from './names.js';

/**
 * Builds the weights tree for `model` (tfjs tensors are read, none are left allocated), with
 * `optimizer/vars/0..N` when the optimizer's state is exported.
 */
export function kerasWeightsTree(model: LayersModel, file: string, optimizer: OptimizerState | null = null): H5Group {
  const root = emptyGroup();
  assignKerasNames(model as unknown as { name: string; layers: Array<{ name: string }> });
  writeContainer(model as unknown as TfjsLayer, root, file);
  if (optimizer) {
    const vars = childGroup(childGroup(root, 'optimizer'), 'vars');
    vars.attrs.set('name', optimizer.name);
    optimizer.vars.forEach((ds, i) => vars.datasets.set(String(i), ds));
  }
  return root;
}

function writeContainer(model: TfjsLayer, group: H5Group, file: string): void {
  childGroup(group, 'vars').attrs.set('name', kerasName(model));
  const layersGroup = childGroup(group, 'layers');
  const used = new Map<string, number>();
  for (const layer of kerasLayers(model)) {
    // Keras keeps operation nodes out of model.layers: no group, no name counted.
    if (isOperationLayer(layer)) continue;
    const key = uniqueName(toSnakeCase(kerasClassName(layer)), used);
    const layerGroup = childGroup(layersGroup, key);
    if (isSequential(layer) || isFunctional(layer)) {
      writeContainer(layer, layerGroup, file);
    } else {
      writeLayer(layer, layerGroup, file);
    }
  }
}

function kerasClassName(layer: TfjsLayer): string {
  if (isFunctional(layer)) return 'Functional';
  const spec = specForLayer(layer);
  return spec?.pythonClass ?? spec?.className ?? layer.getClassName();
}

function writeLayer(layer: TfjsLayer, group: H5Group, file: string, name = kerasName(layer)): void {
  const vars = childGroup(group, 'vars');
  vars.attrs.set('name', name);
  const spec = specForLayer(layer);
  if (layer.getClassName() === 'InputLayer' || !spec) return;
  const wrapped = layer as unknown as { forwardLayer?: TfjsLayer; backwardLayer?: TfjsLayer; layer?: TfjsLayer };
  if (spec.wrapper === 'bidirectional' && wrapped.forwardLayer && wrapped.backwardLayer) {
    // Named as in config.json: 'forward_' / 'backward_' + the wrapped layer's name.
    const base = String(wrapped.layer?.name ?? kerasName(layer)).replace(/^forward_/, '').replace(/\//g, '_');
    writeLayer(wrapped.forwardLayer, childGroup(group, 'forward_layer'), file, `forward_${base}`);
    writeLayer(wrapped.backwardLayer, childGroup(group, 'backward_layer'), file, `backward_${base}`);
    return;
  }
  if (spec.wrapper === 'time_distributed' && wrapped.layer) {
    writeLayer(wrapped.layer, childGroup(group, 'layer'), file);
    return;
  }
  if (spec.wrapper === 'spectral_normalization' && wrapped.layer) {
    writeLayer(wrapped.layer, childGroup(group, 'layer'), file);
    // Keras keeps the wrapped kernel (or embeddings) as its own first variable too.
    const kernel = wrapped.layer.weights.find((w) => /^(kernel|embeddings)$/.test(shortName(w.originalName ?? w.name)));
    const vectorU = layer.weights.find((w) => shortName(w.originalName ?? w.name) === 'vector_u');
    [kernel, vectorU].forEach((w, i) => w && vars.datasets.set(String(i), dataset(w)));
    return;
  }
  if (spec.sublayers) {
    // Weights on sublayers (attention projections): one group each, named as Keras names them.
    const byName = new Map(layer.weights.map((w) => [shortName(w.originalName ?? w.name, 2), w]));
    const config = (layer as unknown as { getConfig(): Record<string, unknown> }).getConfig();
    for (const sub of spec.sublayers({ use_gate: config.useGate === true })) {
      const subVars = childGroup(childGroup(group, sub.group), 'vars');
      subVars.attrs.set('name', sub.name);
      sub.variables.map((v) => byName.get(v)).filter((w) => w !== undefined).forEach((w, i) => subVars.datasets.set(String(i), dataset(w)));
    }
    return;
  }
  if (spec.stackedCells) {
    const stack = (layer as unknown as { cell: { name: string; cells: Array<{ name: string }> } }).cell;
    const byName = new Map(layer.weights.map((w) => [shortName(w.originalName ?? w.name, 2), w]));
    const cellGroup = childGroup(group, 'cell');
    childGroup(cellGroup, 'vars').attrs.set('name', stack.name);
    stack.cells.forEach((cell, i) => {
      const cellVars = childGroup(childGroup(childGroup(cellGroup, 'cells'), cell.name), 'vars');
      cellVars.attrs.set('name', cell.name);
      spec.variables.map((v) => byName.get(`RNNCell_${i}/${v}`)).filter((w) => w !== undefined).forEach((w, j) => cellVars.datasets.set(String(j), dataset(w)));
    });
    return;
  }
  let target = vars;
  if (spec.cellVariables) {
    // The RNN layer keeps an empty vars group; its cell (named after its class) holds the weights.
    target = childGroup(childGroup(group, 'cell'), 'vars');
    target.attrs.set('name', cellName(layer, spec));
  }
  orderedWeights(layer, spec, file).forEach((ds, i) => target.datasets.set(String(i), ds));
}

/** The name Keras gives an RNN's cell: LSTM's 'lstm_cell', ConvLSTM2D's 'conv_lstm_cell', RNN's own cell's. */
function cellName(layer: TfjsLayer, spec: Keras3LayerSpec): string {
  if (spec.className === 'RNN') return (layer as unknown as { cell: { name: string } }).cell.name;
  if (spec.className === 'ConvLSTM2D') return 'conv_lstm_cell';
  return toSnakeCase(`${spec.className}Cell`);
}

/**
 * The layer's weights in Keras' variable order; every tfjs weight must find its place. Counters
 * Keras keeps as int64 (tfjs has int32 only) are written as int64.
 */
function orderedWeights(layer: TfjsLayer, spec: Keras3LayerSpec, file: string): H5Dataset[] {
  const int64 = new Set(spec.int64Variables);
  const byName = new Map(layer.weights.map((w) => [shortName(w.originalName ?? w.name), w]));
  const out: H5Dataset[] = [];
  for (const name of spec.variables) {
    const weight = byName.get(name);
    if (!weight) continue; // e.g. no bias when use_bias=false: Keras numbers the rest densely
    byName.delete(name);
    out.push(dataset(weight, int64.has(name)));
  }
  if (byName.size > 0) {
    throw new Keras2TfjsError(
      ErrorCode.WEIGHT_MISMATCH,
      `${file}: layer '${layer.name}' has weights [${[...byName.keys()].join(', ')}] that Keras' ${spec.className} does not have; export a model built from the standard layer`,
      { file, layer: layer.name },
    );
  }
  return out;
}

/** A tfjs weight as an HDF5 dataset; counters Keras keeps as int64 when `int64`. */
function dataset(weight: TfjsLayer['weights'][number], int64 = false): H5Dataset {
  const data = weight.read().dataSync();
  const shape = [...weight.shape] as number[];
  if (int64) return { shape, dtype: 'int64', data: BigInt64Array.from(data, (v) => BigInt(Math.round(v))) };
  if (weight.dtype === 'int32') return { shape, dtype: 'int32', data: Int32Array.from(data) };
  return { shape, dtype: 'float32', data: Float32Array.from(data) };
}

/**
 * 'dense_Dense1/kernel' → 'kernel': the last `parts` parts of a tfjs weight name ('mha/query/kernel'
 * with 2 → 'query/kernel'); tfjs prefixes variables with the owning layer's name.
 */
function shortName(name: string, parts = 1): string {
  return name.split('/').slice(-parts).join('/');
}

/** Keras' naming.to_snake_case: `Conv2D` → `conv2d`, `LSTM` → `lstm`, `PReLU` → `p_re_lu`. */
export function toSnakeCase(name: string): string {
  const cleaned = name.replace(/[^\p{L}\p{N}_]+/gu, '');
  return cleaned
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** saving_lib._get_unique_name: first `name`, then `name_1`, `name_2`, ... */
function uniqueName(name: string, used: Map<string, number>): string {
  const count = used.get(name);
  if (count === undefined) {
    used.set(name, 0);
    return name;
  }
  used.set(name, count + 1);
  return `${name}_${count + 1}`;
}
