/**
 * Operation nodes → keras2tfjs' KerasOperation layers (src/layers/compat/ops/).
 *
 *   Keras 3   `{"module": "keras.src.ops.numpy", "class_name": "Add", "config": {"name": "add"},
 *              "inbound_nodes": [{"args": [<keras tensor>, 3.0], "kwargs": {}}]}`
 *   tf.keras  `{"class_name": "TFOpLambda", "config": {"function": "math.multiply", ...},
 *              "inbound_nodes": [["conv", 0, 0, {"y": 0.1666, "name": null}]]}`
 *
 * Both become `{class_name: 'KerasOperation', config: {op, op_config, args, kwargs}}` whose
 * arguments keep every constant and mark each tensor `{tensor: i}`; the tensors, in marker
 * order, are the layer's tfjs inputs. A TensorFlow function is first mapped to the Keras 3
 * operation that computes the same (tf_functions.ts), so one table of implementations serves
 * both and exportKeras writes Keras 3 operations for both. An operation keras2tfjs does not
 * implement is a problem naming it; nothing is guessed.
 */
import { lookupOp, opId } from '../../layers/compat/ops/registry.js';
import { encodeString, type Stored } from '../../layers/compat/ops/template.js';
import '../../layers/compat/ops/keras_operation.js';
import { tfFunctionCall } from './tf_functions.js';
import { isObject } from './values.js';

type Config = Record<string, unknown>;
/** [layer, node index, tensor index] of a tensor the operation reads. */
export type TensorRef = [string, number, number];

export interface OperationResult {
  /** The tfjs layer entry's class and config, or a problem to report. */
  layer?: { class_name: 'KerasOperation'; config: Config };
  /** The tensors the call reads, in marker order (the tfjs node's inputs). */
  inputs: TensorRef[];
  problem?: string;
}

/** A Keras 3 operation node (module keras.src.ops.*, or an activation operation). */
export function isKeras3Operation(entry: Config): boolean {
  const module = typeof entry.module === 'string' ? entry.module : '';
  return module.startsWith('keras.src.ops.') || (module === 'keras.src.activations.activations' && entry.class_name === 'ReLU');
}

/** A tf.keras TensorFlow-function layer. */
export function isTfOpLayer(entry: Config): boolean {
  return entry.class_name === 'TFOpLambda' || entry.class_name === 'SlicingOpLambda';
}

/** Keras' 'keras.src.ops.numpy' + 'Add' → 'numpy.add'. */
export function keras3OpId(module: string, className: string): string {
  if (module === 'keras.src.activations.activations') return opId('activations', className);
  return opId(module.slice(module.lastIndexOf('.') + 1), className);
}

/** The `keras.ops` name a user would recognise, for messages ('keras.ops.numpy.Add'). */
function keras3OpName(module: string, className: string): string {
  return `keras.ops.${module.slice(module.lastIndexOf('.') + 1)}.${className}`;
}

/** Builds templates: constants stay, tensors become markers, Python objects are tagged. */
class TemplateBuilder {
  readonly refs: TensorRef[] = [];
  constructor(private readonly isRef: (v: unknown) => TensorRef | null) {}

  build(v: unknown): Stored {
    const ref = this.isRef(v);
    if (ref) {
      // One input per distinct tensor: tfjs' executor counts a tensor's consumers once per layer
      // but releases it once per input, so a layer reading it twice (x * x) would free it early.
      const seen = this.refs.findIndex((r) => r[0] === ref[0] && r[1] === ref[1] && r[2] === ref[2]);
      if (seen >= 0) return { tensor: seen };
      this.refs.push(ref);
      return { tensor: this.refs.length - 1 };
    }
    if (Array.isArray(v)) return v.map((x) => this.build(x));
    if (typeof v === 'string') return encodeString(v);
    if (!isObject(v)) return (v ?? null) as Stored;
    const cls = v.class_name;
    const cfg = isObject(v.config) ? v.config : {};
    if (cls === '__slice__') return { slice: [cfg.start ?? null, cfg.stop ?? null, cfg.step ?? null] as Stored[] };
    if (cls === '__ellipsis__') return { ellipsis: true };
    if (cls === '__tuple__' && Array.isArray(cfg.value)) return cfg.value.map((x) => this.build(x));
    if ((cls === '__numpy__' || cls === '__tensor__') && 'value' in cfg) {
      return { array: { value: cfg.value as Stored, dtype: String(cfg.dtype ?? 'float32') } };
    }
    // tf.keras slices: {"start", "stop", "step"} dicts.
    if (cls === undefined && 'start' in v && 'stop' in v && 'step' in v && Object.keys(v).length === 3) {
      return { slice: [v.start ?? null, v.stop ?? null, v.step ?? null] as Stored[] };
    }
    const out: { [k: string]: Stored } = {};
    for (const [k, x] of Object.entries(v)) out[k] = this.build(x);
    return out;
  }
}

function keras3Ref(v: unknown): TensorRef | null {
  if (!isObject(v) || v.class_name !== '__keras_tensor__' || !isObject(v.config)) return null;
  const h = v.config.keras_history;
  if (!Array.isArray(h) || typeof h[0] !== 'string' || typeof h[1] !== 'number' || typeof h[2] !== 'number') return null;
  return [h[0], h[1], h[2]];
}

/** A Keras 3 operation node → KerasOperation. */
export function keras3Operation(entry: Config, name: string): OperationResult {
  const module = String(entry.module);
  const className = String(entry.class_name);
  const id = keras3OpId(module, className);
  if (!lookupOp(id)) {
    return { inputs: [], problem: `layer '${name}' is the operation ${keras3OpName(module, className)}, which keras2tfjs does not implement` };
  }
  const nodes = Array.isArray(entry.inbound_nodes) ? entry.inbound_nodes : [];
  if (nodes.length !== 1 || !isObject(nodes[0])) {
    return { inputs: [], problem: `layer '${name}' (operation ${keras3OpName(module, className)}) is called ${nodes.length} times; a recorded operation is called once` };
  }
  const node = nodes[0];
  const builder = new TemplateBuilder(keras3Ref);
  const args = builder.build(Array.isArray(node.args) ? node.args : []);
  const kwargs = builder.build(isObject(node.kwargs) ? node.kwargs : {});
  const opConfig: Config = {};
  const raw = isObject(entry.config) ? entry.config : {};
  for (const [k, v] of Object.entries(raw)) if (k !== 'name') opConfig[k] = builder.build(v);
  if (builder.refs.length === 0) return { inputs: [], problem: `layer '${name}' (operation ${keras3OpName(module, className)}) reads no tensor` };
  return {
    layer: { class_name: 'KerasOperation', config: { name, trainable: false, dtype: 'float32', op: id, op_config: opConfig, args, kwargs } },
    inputs: builder.refs,
  };
}

/**
 * A tf.keras TFOpLambda / SlicingOpLambda → KerasOperation. Its one node is the first call
 * argument (a tensor reference `[layer, node, tensor, kwargs]`, a list of them, or
 * `['_CONSTANT_VALUE', -1, value, kwargs]`) with the call's keyword arguments attached, where
 * tensors are `[layer, node, tensor]` lists.
 */
export function tfOperation(entry: Config, name: string, layerNames: Set<string>): OperationResult {
  const cfg = isObject(entry.config) ? entry.config : {};
  const fn = typeof cfg.function === 'string' ? cfg.function : '';
  const nodes = Array.isArray(entry.inbound_nodes) ? entry.inbound_nodes : [];
  if (nodes.length !== 1 || !Array.isArray(nodes[0])) {
    return { inputs: [], problem: `layer '${name}' (TensorFlow function tf.${fn}) is called ${nodes.length} times; a recorded function is called once` };
  }
  const node = nodes[0] as unknown[];
  const isInput = (v: unknown): v is unknown[] => Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'number';
  const inputs = isInput(node) ? null : (node as unknown[]);
  const first = inputs ? inputs[0] : node;
  const kwargsRaw = isInput(first) && isObject(first[3]) ? (first[3] as Config) : {};
  const isRef = (v: unknown): TensorRef | null => {
    if (!Array.isArray(v) || (v.length !== 3 && v.length !== 4) || typeof v[0] !== 'string' || !layerNames.has(v[0])) return null;
    if (typeof v[1] !== 'number' || typeof v[2] !== 'number') return null;
    return [v[0], v[1], v[2]];
  };
  const builder = new TemplateBuilder(isRef);
  const firstArg = (input: unknown): Stored => {
    const i = input as unknown[];
    if (i[0] === '_CONSTANT_VALUE') return builder.build(i[2]);
    return builder.build([i[0], i[1], i[2]]);
  };
  const positional = inputs ? inputs.map(firstArg) : firstArg(node);
  const kwargs: Record<string, Stored> = {};
  for (const [k, v] of Object.entries(kwargsRaw)) if (k !== 'name') kwargs[k] = builder.build(v);
  const call = tfFunctionCall(fn, positional, kwargs);
  if ('problem' in call) return { inputs: [], problem: `layer '${name}' calls the TensorFlow function tf.${fn}${call.problem}` };
  if (builder.refs.length === 0) return { inputs: [], problem: `layer '${name}' (TensorFlow function tf.${fn}) reads no tensor` };
  return {
    layer: {
      class_name: 'KerasOperation',
      config: { name, trainable: false, dtype: 'float32', op: call.op, op_config: call.config, args: call.args, kwargs: call.kwargs ?? {} },
    },
    inputs: builder.refs,
  };
}
