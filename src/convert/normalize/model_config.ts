/**
 * The model config exactly as the file has it (Keras 1, 2 or 3; .keras, .h5 or SavedModel) →
 * the Keras-2-style topology tfjs 4.22 deserializes, with the same meaning.
 *
 * This file handles the structure: Sequential (also Keras 2.2's bare-list form) and Functional
 * models, nested models, Keras 3 `{"args", "kwargs"}` inbound nodes → Keras 2 lists, flat or
 * dict `input_layers`/`output_layers` → lists of triples, node-index fix-ups for nested models,
 * Sequential models without an input shape. Per-layer values (dtype policies, activations,
 * initializers, regularizers, constraints) are rewritten by values.ts, Keras 1 configs
 * by keras1.ts, and classes chosen by layer_map.ts. Readers never rewrite configs.
 *
 * Everything tfjs cannot express is collected while walking and thrown once, so a user sees
 * every missing class, unmapped Lambda and unsupported setting in one message.
 */
import { ErrorCode } from '../../errors.js';
import { convertError, summarizeList } from '../../errors.js';
import type { LayerMapping } from '../intermediate.js';
import {
  describeUnknownClass,
  describeUnmappedLambda,
  mapLayer,
  stripPackage,
  type LambdaInfo,
  type LayerMapOptions,
} from './layer_map.js';
import { isKeras1Config, translateKeras1 } from './keras1.js';
import { isObject, plainCopy, rewriteValues, type ValueContext } from './values.js';
import { rewriteLayerConfig } from './layer_configs.js';
import { fixVectorFlatten } from './ranks.js';
import { isKeras3Operation, isTfOpLayer, keras3Operation, tfOperation, type OperationResult } from './operations.js';
import { callNodes, hasCallSignature } from './call_arguments.js';
import { useKerasMaskRules } from './masks.js';
import { recordedMasks, tensorKey, withoutUnreadMaskOperations } from './recorded_masks.js';

type Config = Record<string, unknown>;
type Triple = [string, number, number];

export interface NormalizeOptions extends LayerMapOptions {
  file: string;
  kerasVersion: string | null;
  /** Shapes of a layer's stored weights (by layer path), to recover sizes configs leave unknown. */
  weightShapes?: (path: string[]) => number[][];
}

/** What normalize/model_config learned about one layer, for weights.ts. */
export interface LayerNote {
  /** Layer path: ['dense'] or ['encoder', 'conv2d'] inside a nested model. */
  path: string[];
  sourceClass: string;
  targetClass: string;
  /** The normalized (tfjs, snake_case) config. */
  config: Config;
  /** Written by Keras 1 (weights need Keras 1 → 2 conversion). */
  keras1: boolean;
}

export interface NormalizedModel {
  /** `{class_name, config}` as tfjs deserializes it. */
  modelConfig: { class_name: string; config: Config };
  mappings: LayerMapping[];
  warnings: string[];
  /** Every non-model layer, in config order (nested models' layers included), keyed by path. */
  layers: LayerNote[];
}

/** Keras major version from the recorded version, or from the config's style when unrecorded. */
export function kerasMajorVersion(version: string | null, modelConfig: unknown): number {
  const m = version ? /^(\d+)/.exec(version) : null;
  if (m) return Number(m[1]);
  const text = JSON.stringify(modelConfig);
  if (text.includes('"module"') || text.includes('"keras_history"') || text.includes('"batch_shape"')) return 3;
  if (/"(output_dim|nb_filter|border_mode|init|W_regularizer)"/.test(text) && !text.includes('"units"')) return 1;
  return 2;
}

class Problems {
  readonly unknown = new Map<string, string[]>();
  /** Operation nodes keras2tfjs does not implement, one clause each. */
  readonly operations: string[] = [];
  readonly lambdas: LambdaInfo[] = [];
  readonly unsupported: string[] = [];
}

interface Ctx {
  opts: NormalizeOptions;
  kerasMajor: number;
  problems: Problems;
  warnings: string[];
  mappings: LayerMapping[];
  layers: LayerNote[];
}

export function normalizeModelConfig(modelConfig: Record<string, unknown>, opts: NormalizeOptions): NormalizedModel {
  const raw = untuple(modelConfig);
  if (!isObject(raw)) throw bad(opts.file, 'the model config is not a JSON object');
  const ctx: Ctx = {
    opts,
    kerasMajor: kerasMajorVersion(opts.kerasVersion, raw),
    problems: new Problems(),
    warnings: [],
    mappings: [],
    layers: [],
  };
  const model = normalizeModel(raw, ctx, [], true);
  throwProblems(ctx);
  for (const config of fixVectorFlatten(model)) {
    for (const note of ctx.layers) if (note.config === config) note.targetClass = 'Activation';
  }
  const masks = useKerasMaskRules(model, ctx.kerasMajor);
  for (const { config, className } of masks.renamed) {
    for (const note of ctx.layers) if (note.config === config) note.targetClass = className;
  }
  if (masks.problems.length > 0) {
    ctx.problems.unsupported.push(...masks.problems);
    throwProblems(ctx);
  }
  warnMaskedInitialState(model, ctx);
  return { modelConfig: model, mappings: ctx.mappings, warnings: ctx.warnings, layers: ctx.layers };
}

const RNN_CLASSES = new Set(['LSTM', 'GRU', 'SimpleRNN', 'RNN', 'ResetAfterGRU', 'ConvLSTM2D']);

/**
 * tfjs' RNN outputs the state at masked steps where Keras outputs the previous output: the same
 * after the first unmasked step, different on leading masked steps when an initial state is given.
 */
function warnMaskedInitialState(model: { class_name: string; config: Config }, ctx: Ctx): void {
  const layers = (model.config.layers ?? []) as Array<{ class_name: string; config: Config; inbound_nodes?: unknown[][] }>;
  const masks = layers.some((l) => (l.class_name === 'Embedding' && l.config.mask_zero === true) || l.class_name === 'Masking');
  const seeded = layers.filter((l) => RNN_CLASSES.has(l.class_name) && (l.inbound_nodes ?? []).some((call) => call.length > 1));
  // Keras' GlobalAveragePooling1D averages only unmasked steps; tfjs' averages all of them.
  for (const l of layers.filter((x) => x.class_name === 'GlobalAveragePooling1D')) {
    if (!masks) break;
    ctx.warnings.push(
      `layer '${String(l.config.name)}' averages over time in a model with masked inputs: if the mask reaches it, Keras skips masked steps and tfjs does not`,
    );
  }
  for (const l of seeded) {
    if (!masks) break;
    ctx.warnings.push(
      `layer '${String(l.config.name)}' gets an initial state and masked inputs: at masked steps before its first unmasked one, tfjs outputs the initial state where Keras outputs zeros (later steps agree)`,
    );
  }
}

function bad(file: string, message: string, layer?: string) {
  return convertError(ErrorCode.BAD_CONFIG, file, message, layer);
}

function throwProblems(ctx: Ctx): void {
  const p = ctx.problems;
  const clauses: string[] = [];
  for (const [cls, layers] of p.unknown) clauses.push(describeUnknownClass(cls, layers));
  clauses.push(...p.operations);
  for (const info of p.lambdas) clauses.push(describeUnmappedLambda(info));
  clauses.push(...p.unsupported);
  if (clauses.length === 0) return;
  const unknown = p.unknown.size > 0 || p.operations.length > 0;
  const code = unknown ? ErrorCode.UNKNOWN_LAYER : p.lambdas.length > 0 ? ErrorCode.UNMAPPED_LAMBDA : ErrorCode.UNSUPPORTED_SEMANTICS;
  const firstLayer = p.unknown.size > 0 ? [...p.unknown.values()][0][0] : p.lambdas[0]?.layer;
  throw convertError(code, ctx.opts.file, summarizeList(clauses, 3, '; '), firstLayer);
}

// ------------------------------------------------------------------------------- models

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

function modelKind(entry: Config): 'sequential' | 'functional' | null {
  const cls = typeof entry.class_name === 'string' ? stripPackage(entry.class_name) : '';
  const cfg = entry.config;
  if (cls === 'Sequential') return 'sequential';
  if (cls === 'Functional' || cls === 'Model') return 'functional';
  // A subclass of Sequential/Functional that kept the parent's config (custom class_name).
  if (isObject(cfg) && Array.isArray(cfg.layers)) return 'input_layers' in cfg ? 'functional' : 'sequential';
  if (Array.isArray(cfg) && cls === 'Sequential') return 'sequential';
  return null;
}

function normalizeModel(entry: Config, ctx: Ctx, prefix: string[], top: boolean): { class_name: string; config: Config } {
  const kind = modelKind(entry);
  const cls = typeof entry.class_name === 'string' ? entry.class_name : String(entry.class_name);
  if (!kind) {
    if (top) {
      throw bad(
        ctx.opts.file,
        `the model is a subclassed Keras model ('${stripPackage(cls)}'): its config holds only constructor arguments, no layer graph, so there is no architecture to convert; rebuild it as a Sequential or Functional model (or save its inner Functional/Sequential parts) and convert that`,
      );
    }
    throw bad(ctx.opts.file, `nested model '${prefix.join('/')}' of class '${cls}' has no layer graph in its config`);
  }
  if (!MODEL_CLASSES.has(stripPackage(cls))) {
    ctx.warnings.push(`model class '${stripPackage(cls)}' is converted as a plain ${kind === 'sequential' ? 'Sequential' : 'Functional'} model (its Python methods are not part of the file)`);
  }
  return kind === 'sequential' ? normalizeSequential(entry, ctx, prefix) : normalizeFunctional(entry, ctx, prefix);
}

function normalizeSequential(entry: Config, ctx: Ctx, prefix: string[]): { class_name: string; config: Config } {
  const raw = entry.config;
  const rawLayers = Array.isArray(raw) ? raw : isObject(raw) ? raw.layers : undefined;
  if (!Array.isArray(rawLayers)) throw bad(ctx.opts.file, `Sequential model '${prefix.join('/') || 'model'}' has no layer list`);
  const name = isObject(raw) && typeof raw.name === 'string' ? raw.name : typeof entry.name === 'string' ? entry.name : prefix[prefix.length - 1] ?? 'sequential';
  const layers = rawLayers.map((l, i) => {
    if (!isObject(l)) throw bad(ctx.opts.file, `layer ${i} of Sequential model '${name}' is not an object`);
    return normalizeLayerEntry(l, ctx, prefix);
  });
  if (layers.length > 0) ensureSequentialInput(layers, rawLayers as Config[], raw, ctx, name);
  if (layers.length > 1) inputSizeFromWeights(layers, ctx, prefix);
  return { class_name: 'Sequential', config: { name, layers } };
}

/**
 * tfjs' Sequential needs its first layer to be an InputLayer or to carry an input shape. Models
 * built without `Input` keep the shape in `build_input_shape` (tf.keras 2 / Keras 3) or in the
 * first layer's `build_config` (Keras 3).
 */
function ensureSequentialInput(layers: Config[], rawLayers: Config[], raw: unknown, ctx: Ctx, name: string): void {
  const first = layers[0];
  const cfg = first.config as Config;
  if (first.class_name === 'InputLayer' || cfg.batch_input_shape != null || cfg.input_shape != null) return;
  if (modelKind(first) !== null) return; // a nested model as first layer brings its own inputs
  let shape: unknown = isObject(raw) ? raw.build_input_shape : undefined;
  const firstRaw = rawLayers[0];
  if (shape == null && isObject(firstRaw.build_config)) shape = firstRaw.build_config.input_shape;
  if (Array.isArray(shape) && shape.length > 0) {
    cfg.batch_input_shape = shape;
    return;
  }
  throw bad(
    ctx.opts.file,
    `Sequential model '${name}' records no input shape (it was never built); tfjs needs one: build it in Keras with keras.Input(shape=...) as first layer and save again`,
  );
}

/**
 * A Sequential whose input leaves the feature size unknown (`[null, null]`, e.g. a model built
 * around an adapted Normalization) cannot be built by tfjs. The first layer's stored weights
 * fix it (Dense/RNN kernel rows, Normalization/BatchNormalization statistics, Conv kernel's
 * input channels); Keras gets the same size from its saved variables.
 */
function inputSizeFromWeights(layers: Config[], ctx: Ctx, prefix: string[]): void {
  const first = layers[0];
  const holder = first.class_name === 'InputLayer' ? (first.config as Config) : null;
  const shape = holder?.batch_input_shape;
  if (!Array.isArray(shape) || shape.length < 2 || shape[shape.length - 1] !== null || !ctx.opts.weightShapes) return;
  const consumer = layers[1];
  const name = String((consumer.config as Config).name);
  const shapes = ctx.opts.weightShapes([...prefix, name]);
  const w = shapes[0];
  if (!w) return;
  let size: number | undefined;
  switch (consumer.class_name) {
    case 'Dense': case 'LSTM': case 'GRU': case 'SimpleRNN': case 'RNN': case 'ResetAfterGRU':
      size = w.length === 2 ? w[0] : undefined;
      break;
    case 'Normalization': case 'BatchNormalization': case 'LayerNormalization':
      size = w.length >= 1 ? w[w.length - 1] : undefined;
      break;
    case 'Conv1D': case 'CausalConv1D': case 'Conv2D': case 'Conv3D':
      size = w.length >= 3 ? w[w.length - 2] : undefined;
      break;
  }
  if (size === undefined) return;
  (holder as Config).batch_input_shape = [...shape.slice(0, -1), size];
  ctx.warnings.push(`the model's input shape ${JSON.stringify(shape)} leaves the feature size unknown; tfjs needs it, so it is set to ${size} from layer '${name}''s weights`);
}

function normalizeFunctional(entry: Config, ctx: Ctx, prefix: string[]): { class_name: string; config: Config } {
  const raw = entry.config;
  if (!isObject(raw) || !Array.isArray(raw.layers)) throw bad(ctx.opts.file, `model '${prefix.join('/') || 'model'}' has no layer list`);
  const name = typeof raw.name === 'string' ? raw.name : prefix[prefix.length - 1] ?? 'model';
  const rawLayers = raw.layers as unknown[];

  // Nested models need node-index fix-ups; find them (and check entries) first.
  const nested = new Map<string, 'sequential' | 'functional'>();
  const names: string[] = [];
  for (const [i, l] of rawLayers.entries()) {
    if (!isObject(l)) throw bad(ctx.opts.file, `layer ${i} of model '${name}' is not an object`);
    const layerName = layerNameOf(l);
    if (!layerName) throw bad(ctx.opts.file, `layer ${i} of model '${name}' has no name`);
    names.push(layerName);
    const kind = modelKind(l);
    if (kind) nested.set(layerName, kind);
  }
  const keras3Nodes = rawLayers.some((l) => Array.isArray((l as Config).inbound_nodes) && ((l as Config).inbound_nodes as unknown[]).some(isObject));
  const shift = nodeShifts(rawLayers as Config[], raw, nested, keras3Nodes);

  const layerNames = new Set(names);
  const masks = recordedMasks(rawLayers as Config[], (l) => layerNameOf(l) ?? '');
  const converted = (rawLayers as Config[]).map((l, i) => {
    if (isKeras3Operation(l) || isTfOpLayer(l)) {
      const op = isTfOpLayer(l) ? tfOperation(l, names[i], layerNames) : keras3Operation(l, names[i]);
      return operationLayer(op, l, names[i], shift, ctx, prefix);
    }
    const normalized = normalizeLayerEntry(l, ctx, prefix);
    const inbound = Array.isArray(l.inbound_nodes) ? l.inbound_nodes : [];
    if (hasCallSignature(normalized.class_name)) {
      // Tensors passed by keyword and call settings (attention layers): see call_arguments.ts.
      const call = callNodes(normalized.class_name, names[i], inbound, layerNames);
      if ('problem' in call) {
        ctx.problems.unsupported.push(call.problem);
        return { class_name: normalized.class_name, name: names[i], config: normalized.config, inbound_nodes: [] };
      }
      Object.assign(normalized.config, call.settings, { call_inputs: call.roles });
      const shifted = call.calls.map((refs) => refs.map(([layer, index, tensor]) => [layer, index + (shift.get(layer) ?? 0), tensor, {}]));
      return { class_name: normalized.class_name, name: names[i], config: normalized.config, inbound_nodes: shifted };
    }
    return {
      class_name: normalized.class_name,
      name: names[i],
      config: normalized.config,
      inbound_nodes: inbound.map((node) => convertNode(node, names[i], shift, ctx, masks.tensors)),
    };
  });
  const inputs = triples(raw.input_layers, ctx, name, 'input_layers').map((t) => shiftIo(t, shift, nested, keras3Nodes));
  const outputs = triples(raw.output_layers, ctx, name, 'output_layers').map((t) => shiftIo(t, shift, nested, keras3Nodes));
  const layers = withoutUnreadMaskOperations(converted, masks.operations, outputs);
  return { class_name: 'Functional', config: { name, layers, input_layers: inputs, output_layers: outputs } };
}

/** An operation node as a KerasOperation layer whose one call reads the operation's tensors. */
function operationLayer(op: OperationResult, raw: Config, name: string, shift: Map<string, number>, ctx: Ctx, prefix: string[]) {
  const sourceClass = typeof raw.class_name === 'string' ? raw.class_name : 'Operation';
  if (!op.layer) {
    ctx.problems.operations.push(op.problem ?? `layer '${name}' is an operation keras2tfjs cannot convert`);
    return { class_name: sourceClass, name, config: { name }, inbound_nodes: [] };
  }
  ctx.layers.push({ path: [...prefix, name], sourceClass, targetClass: 'KerasOperation', config: op.layer.config, keras1: false });
  const node = op.inputs.map(([layer, index, tensor]) => [layer, index + (shift.get(layer) ?? 0), tensor, {}]);
  return { class_name: op.layer.class_name, name, config: op.layer.config, inbound_nodes: [node] };
}

function layerNameOf(l: Config): string | undefined {
  if (typeof l.name === 'string') return l.name;
  const cfg = l.config;
  return isObject(cfg) && typeof cfg.name === 'string' ? cfg.name : undefined;
}

/**
 * How much to add to node indices that point at each nested model.
 *
 * tfjs (like tf.keras 2) gives every nested model a node 0 of its own (input → output), so the
 * first call from the outer graph is node 1. Keras 3 has no such node: its `keras_history`
 * indices start at 0 (→ +1), while its `input_layers`/`output_layers` already count it for
 * Functional (get_config's `kept_nodes = 1`) but not for Sequential (→ +1, see shiftIo).
 * Keras 2 lists already follow tfjs, except where the writer had no node 0 (e.g. a nested
 * Sequential without an input layer): any reference to node 0 of a nested model is impossible
 * in tfjs, so those models get +1 too.
 */
function nodeShifts(rawLayers: Config[], raw: Config, nested: Map<string, string>, keras3Nodes: boolean): Map<string, number> {
  const shift = new Map<string, number>();
  if (keras3Nodes) {
    for (const n of nested.keys()) shift.set(n, 1);
    return shift;
  }
  const refsToZero = new Set<string>();
  const note = (t: unknown): void => {
    if (Array.isArray(t) && typeof t[0] === 'string' && t[1] === 0 && nested.has(t[0])) refsToZero.add(t[0]);
  };
  for (const l of rawLayers) {
    for (const node of Array.isArray(l.inbound_nodes) ? l.inbound_nodes : []) {
      if (Array.isArray(node)) (typeof node[0] === 'string' ? [node] : node).forEach(note);
    }
  }
  for (const io of [raw.input_layers, raw.output_layers]) rawTriples(io).forEach(note);
  for (const n of refsToZero) shift.set(n, 1);
  return shift;
}

function shiftIo(t: Triple, shift: Map<string, number>, nested: Map<string, string>, keras3Nodes: boolean): Triple {
  if (keras3Nodes) {
    // Keras 3 get_config already counts a Functional's own node in input/output layers.
    return nested.get(t[0]) === 'sequential' ? [t[0], t[1] + 1, t[2]] : t;
  }
  return [t[0], t[1] + (shift.get(t[0]) ?? 0), t[2]];
}

/** One inbound node → tfjs' `[[layer, node, tensor, kwargs], ...]`. */
function convertNode(node: unknown, layer: string, shift: Map<string, number>, ctx: Ctx, ownMasks: Set<string>): unknown[] {
  if (Array.isArray(node)) {
    // tf.keras writes a TFOpLambda call as one bare input [name, node, tensor, kwargs].
    const inputs = typeof node[0] === 'string' ? [node] : node;
    return inputs.map((input) => {
      if (!Array.isArray(input) || typeof input[0] !== 'string') {
        throw bad(ctx.opts.file, `layer '${layer}' has a malformed inbound node ${JSON.stringify(input)}`, layer);
      }
      const out = [...input];
      // A damaged index (null, 3.5, text) stays as it is, for validate_topology to refuse.
      if (typeof input[1] === 'number') out[1] = input[1] + (shift.get(input[0]) ?? 0);
      if (out.length < 4 || !isObject(out[3])) out[3] = {};
      for (const [k, v] of Object.entries(out[3] as Config)) {
        if (isTriple(v) || (Array.isArray(v) && v.some(isTriple))) {
          ctx.problems.unsupported.push(`layer '${layer}' is called with a tensor as its '${k}' argument, which tfjs' config format cannot express`);
        }
      }
      return out;
    });
  }
  if (!isObject(node)) throw bad(ctx.opts.file, `layer '${layer}' has a malformed inbound node ${JSON.stringify(node)}`, layer);
  const tensors: Triple[] = [];
  const history = (v: unknown, out: Triple[]): void => collectKerasTensors(v, out, (h) => {
    throw bad(ctx.opts.file, `layer '${layer}' is called with a malformed keras_history ${JSON.stringify(h)} (expected [layer name, node index, tensor index])`, layer);
  });
  history(node.args, tensors);
  const kwargs: Config = {};
  for (const [k, v] of Object.entries(isObject(node.kwargs) ? node.kwargs : {})) {
    const found: Triple[] = [];
    history(v, found);
    if (found.length === 0) {
      // `mask: null` is Keras 3's way of saying "no mask"; other plain arguments pass through.
      if (!(k === 'mask' && (v === null || (Array.isArray(v) && v.every((x) => x === null))))) kwargs[k] = plainCopy(v);
    } else if (k === 'mask' && found.every((t) => ownMasks.has(tensorKey(...t)))) {
      // The mask Masking/Embedding made, which tfjs hands on by itself (recorded_masks.ts).
    } else if (k === 'initial_state') {
      // tf.keras wrote RNN initial states as extra inputs; tfjs' RNN reads them that way.
      tensors.push(...found);
    } else {
      ctx.problems.unsupported.push(`layer '${layer}' is called with a tensor as its '${k}' argument, which tfjs' config format cannot express`);
    }
  }
  if (tensors.length === 0) {
    ctx.problems.unsupported.push(`layer '${layer}' is called without any tensor input, which tfjs' config format cannot express`);
  }
  return tensors.map((t) => [t[0], t[1] + (shift.get(t[0]) ?? 0), t[2], kwargs]);
}

/** Keras 3 `__keras_tensor__` references, depth-first (so `[[a, b]]` gives a, b). */
function collectKerasTensors(v: unknown, out: Triple[], malformed: (history: unknown) => never): void {
  if (Array.isArray(v)) {
    v.forEach((x) => collectKerasTensors(x, out, malformed));
    return;
  }
  if (!isObject(v)) return;
  if (v.class_name === '__keras_tensor__' && isObject(v.config)) {
    const h = v.config.keras_history;
    const index = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
    if (!Array.isArray(h) || typeof h[0] !== 'string' || !index(h[1]) || !index(h[2])) return malformed(h);
    out.push([h[0], h[1], h[2]]);
    return;
  }
  for (const x of Object.values(v)) collectKerasTensors(x, out, malformed);
}

function isTriple(v: unknown): v is Triple {
  return Array.isArray(v) && v.length >= 3 && typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'number';
}

/**
 * Every [layer, node, tensor] in a (nested) list or dict of them. `malformed` is told about a
 * list that starts with a layer name but is no triple (a damaged entry), which would otherwise
 * vanish from the model's inputs or outputs.
 */
function rawTriples(v: unknown, malformed: (entry: unknown) => void = () => {}): Triple[] {
  if (isTriple(v)) return [[v[0], v[1], v[2]]];
  if (Array.isArray(v)) {
    if (typeof v[0] === 'string') {
      malformed(v);
      return [];
    }
    return v.flatMap((x) => rawTriples(x, malformed));
  }
  // Dict inputs/outputs: Keras flattens a dict in sorted key order.
  if (isObject(v)) return Object.keys(v).sort().flatMap((k) => rawTriples(v[k], malformed));
  if (v !== null && v !== undefined) malformed(v);
  return [];
}

/** Keras 3 may write a single input as a flat triple, or a dict; tfjs wants a list of triples. */
function triples(v: unknown, ctx: Ctx, model: string, key: string): Triple[] {
  const out = rawTriples(v, (entry) => {
    throw bad(ctx.opts.file, `model '${model}' has a malformed entry ${JSON.stringify(entry)} in ${key} (expected [layer name, node index, tensor index])`);
  });
  if (out.length === 0) throw bad(ctx.opts.file, `model '${model}' has no ${key}`);
  return out;
}

// ------------------------------------------------------------------------------- layers

/** A Sequential or Functional layer entry → `{class_name, config}` for tfjs. */
function normalizeLayerEntry(entry: Config, ctx: Ctx, prefix: string[]): { class_name: string; config: Config } {
  const name = layerNameOf(entry) ?? '';
  if (modelKind(entry)) return normalizeModel(entry, ctx, [...prefix, name], false);
  return normalizeLayer(entry, ctx, [...prefix, name], true);
}

/**
 * One (non-model) layer. `record` is false for layers wrapped by Bidirectional/TimeDistributed,
 * whose weights belong to the wrapper.
 */
function normalizeLayer(entry: Config, ctx: Ctx, path: string[], record: boolean): { class_name: string; config: Config } {
  const name = path[path.length - 1];
  if (typeof entry.class_name !== 'string') throw bad(ctx.opts.file, `layer '${name}' has no class_name`, name);
  let sourceClass = entry.class_name;
  let config: Config = isObject(entry.config) ? (plainCopy(entry.config) as Config) : {};
  if (!config.name) config.name = name;
  const vctx = valueContext(ctx, name);

  if (typeof entry.module === 'string' && entry.module.startsWith('keras.src.ops')) {
    note(ctx.problems.unknown, `keras.ops.${stripPackage(sourceClass)}`, name);
    return { class_name: sourceClass, config };
  }
  let keras1 = false;
  if (isKeras1Config(stripPackage(sourceClass), config, ctx.kerasMajor)) {
    const t = translateKeras1(stripPackage(sourceClass), config, vctx);
    sourceClass = t.className;
    config = t.config;
    keras1 = true;
  }

  const result = mapLayer(sourceClass, name, config, ctx.opts);
  let className: string;
  if (result.kind === 'unknown') {
    note(ctx.problems.unknown, result.sourceClass, name);
    return { class_name: result.sourceClass, config };
  } else if (result.kind === 'lambda') {
    ctx.problems.lambdas.push(result.info);
    return { class_name: 'Lambda', config };
  } else if (result.kind === 'mapped') {
    ctx.mappings.push(result.mapping);
    className = result.className;
    config = result.config;
  } else {
    className = result.className;
    config = result.config;
  }

  rewriteValues(config, vctx);
  const rewritten = rewriteLayerConfig(className, config, vctx, {
    inner: (inner, innerName) => normalizeLayer(inner, ctx, [...path.slice(0, -1), innerName], false),
  });
  if (record) {
    ctx.layers.push({ path, sourceClass: stripPackage(entry.class_name as string), targetClass: rewritten.class_name, config: rewritten.config, keras1 });
  }
  return rewritten;
}

function valueContext(ctx: Ctx, name: string): ValueContext {
  return {
    kerasMajor: ctx.kerasMajor,
    where: `layer '${name}'`,
    warn: (m) => ctx.warnings.push(m),
    unsupported: (m) => ctx.problems.unsupported.push(m),
  };
}

function note(map: Map<string, string[]>, cls: string, layer: string): void {
  const list = map.get(cls) ?? [];
  list.push(layer);
  map.set(cls, list);
}

/** tf.keras SavedModel metadata wraps tuples as `{"class_name": "__tuple__", "items": [...]}`. */
function untuple(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(untuple);
  if (!isObject(v)) return v;
  if ((v.class_name === '__tuple__' || v.class_name === 'TensorShape') && Array.isArray(v.items)) return v.items.map(untuple);
  const out: Config = {};
  for (const [k, x] of Object.entries(v)) out[k] = untuple(x);
  return out;
}
