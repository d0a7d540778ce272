/**
 * keras2tfjs' KerasOperation layers → the operation nodes Keras 3 writes in a functional config:
 *
 *   {"module": "keras.src.ops.numpy", "class_name": "Add", "config": {"name": "add"},
 *    "registered_name": "Add", "name": "add",
 *    "inbound_nodes": [{"args": [<keras tensor>, 3.0], "kwargs": {}}]}
 *
 * The call's template (src/layers/compat/ops/template.ts) is filled back in: `{tensor: i}` → the
 * node's i-th input as a `__keras_tensor__`, slices and `...` → Keras' `__slice__` /
 * `__ellipsis__`, hex strings → strings. TensorFlow-only operations go out as the Keras 3
 * operation that computes the same (tf.linalg.matmul with transposes → Einsum), or are refused.
 * Operations have no weights and no group in model.weights.h5 (Keras keeps them out of
 * `model.layers`).
 */
import { ErrorCode, Keras2TfjsError } from '../../../errors.js';
import { lookupOp } from '../../../layers/compat/ops/registry.js';
import type { Json, JsonObject, Where } from './objects.js';

export const OPERATION_CLASS = 'KerasOperation';

export function isOperationLayer(layer: { getClassName(): string }): boolean {
  return layer.getClassName() === OPERATION_CLASS;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function decodeHex(hex: string): string {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return new TextDecoder().decode(bytes);
}

/** A stored template value with Keras 3's serialization of tensors and Python objects. */
function fill(v: Json, tensors: Json[], where: Where): Json {
  if (Array.isArray(v)) return v.map((x) => fill(x, tensors, where));
  if (!isObject(v)) return v;
  const keys = Object.keys(v);
  if (keys.length === 1 && typeof v.tensor === 'number') {
    const t = tensors[v.tensor];
    if (t === undefined) throw new Keras2TfjsError(ErrorCode.BAD_CONFIG, `${where.file}: operation layer '${where.layer}' reads input ${v.tensor}, which its call lacks`, where);
    return t;
  }
  if (keys.length === 1 && Array.isArray(v.slice)) {
    const [start, stop, step] = v.slice;
    return { class_name: '__slice__', config: { start: start ?? null, stop: stop ?? null, step: step ?? null } };
  }
  if (keys.length === 1 && v.ellipsis === true) return { class_name: '__ellipsis__', config: {} };
  if (keys.length === 1 && typeof v.hex === 'string') return decodeHex(v.hex);
  if (keys.length === 1 && isObject(v.array)) return { class_name: '__numpy__', config: { value: v.array.value, dtype: v.array.dtype } };
  return Object.fromEntries(keys.map((k) => [k, fill(v[k], tensors, where)]));
}

/** A TensorFlow-only operation as the Keras 3 operation computing the same, or a refusal. */
function asKeras3(op: string, opConfig: JsonObject, args: Json[], kwargs: JsonObject, where: Where): { op: string; opConfig: JsonObject; args: Json[]; kwargs: JsonObject } {
  if (op === 'tf.linalg.matmul') {
    const ta = kwargs.transpose_a === true || kwargs.adjoint_a === true;
    const tb = kwargs.transpose_b === true || kwargs.adjoint_b === true;
    const subscripts = `...${ta ? 'ji' : 'ij'},...${tb ? 'kj' : 'jk'}->...ik`;
    return { op: 'numpy.einsum', opConfig: { subscripts }, args, kwargs: {} };
  }
  if (op.startsWith('tf.')) {
    throw new Keras2TfjsError(
      ErrorCode.UNSUPPORTED_SEMANTICS,
      `${where.file}: layer '${where.layer}' computes the TensorFlow function ${op}, which has no Keras 3 operation to write it as`,
      where,
    );
  }
  return { op, opConfig, args, kwargs };
}

/**
 * The Keras 3 entry of one operation layer. `config` is the layer's tfjs config (snake_case);
 * `tensors` the node's inputs as Keras 3 writes them (`__keras_tensor__` dicts), in order.
 */
export function operationEntry(config: JsonObject, tensors: Json[], where: Where): JsonObject {
  const stored = asKeras3(String(config.op), isObject(config.op_config) ? config.op_config : {}, Array.isArray(config.args) ? config.args : [],
    isObject(config.kwargs) ? config.kwargs : {}, where);
  const spec = lookupOp(stored.op);
  if (!spec?.module || !spec.kerasClass) {
    throw new Keras2TfjsError(ErrorCode.UNSUPPORTED_SEMANTICS, `${where.file}: layer '${where.layer}' computes '${stored.op}', which keras2tfjs cannot write as a Keras 3 operation`, where);
  }
  const opConfig = fill(stored.opConfig, tensors, where) as JsonObject;
  return {
    module: spec.module,
    class_name: spec.kerasClass,
    config: { name: where.layer, ...opConfig },
    registered_name: spec.kerasClass,
    name: where.layer,
    inbound_nodes: [{ args: fill(stored.args, tensors, where), kwargs: fill(stored.kwargs, tensors, where) }],
  };
}
