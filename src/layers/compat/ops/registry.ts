/**
 * The table of operations a KerasOperation layer can run: one entry per Keras 3 operation class
 * (keras/src/ops/*: `keras.src.ops.numpy.Add`, `keras.src.ops.nn.Softmax`, ...) that keras2tfjs
 * computes, and a few TensorFlow functions tf.keras records that have no Keras 3 operation of
 * the same meaning (ids starting with 'tf.'). Families register themselves from their own files
 * (elementwise.ts, reductions.ts, shapes.ts, ...); `index.ts` imports them all.
 *
 * Ids are lower-case without '_' ('numpy.truedivide'), so that tfjs' renaming of config strings
 * leaves them unchanged.
 */
import { cast, scalar, tensor, type DataType, type Tensor } from '@tensorflow/tfjs-core';
import { isConstArray, type Value } from './template.js';

/** One recorded call: the op's constructor settings and the call's arguments, tensors resolved. */
export interface OpCall {
  /** Keras' get_config of the operation without its name (axis, keepdims, ...); camelCase keys. */
  config: Record<string, Value>;
  /** Positional call arguments. */
  args: Value[];
  /** Keyword call arguments (camelCase keys). */
  kwargs: Record<string, Value>;
}

export interface OpSpec {
  /** 'numpy.add', 'nn.softmax', 'tf.linalg.matmul'. */
  id: string;
  /** Keras module of the operation class ('keras.src.ops.numpy'); null for 'tf.' ops. */
  module: string | null;
  /** Keras operation class ('Add'); null for 'tf.' ops. */
  kerasClass: string | null;
  /** Computes the op; several outputs as an array. */
  run(call: OpCall): Tensor | Tensor[];
}

const TABLE = new Map<string, OpSpec>();

/** Registers the operations of one Keras module: `{ Add: run, Subtract: run, ... }`. */
export function defineOps(module: 'numpy' | 'nn' | 'math' | 'core' | 'linalg' | 'image', ops: Record<string, OpSpec['run']>): void {
  for (const [kerasClass, run] of Object.entries(ops)) {
    const id = opId(module, kerasClass);
    TABLE.set(id, { id, module: `keras.src.ops.${module}`, kerasClass, run });
  }
}

/** Registers an op only TensorFlow has (tf.keras TFOpLambda), under 'tf.<function>'. */
export function defineTfOp(fn: string, run: OpSpec['run']): void {
  const id = `tf.${fn.replace(/_/g, '').toLowerCase()}`;
  TABLE.set(id, { id, module: null, kerasClass: null, run });
}

/** The id of a Keras operation class: `opId('numpy', 'TrueDivide')` = 'numpy.truedivide'. */
export function opId(module: string, kerasClass: string): string {
  return `${module}.${kerasClass.toLowerCase()}`;
}

export function lookupOp(id: string): OpSpec | undefined {
  return TABLE.get(id);
}

export function knownOpIds(): string[] {
  return [...TABLE.keys()].sort();
}

// ------------------------------------------------------------------ argument helpers

/** A call argument by position, or by keyword (camelCase), or the fallback. */
export function arg(call: OpCall, index: number, name: string, fallback?: Value): Value {
  if (index >= 0 && index < call.args.length) return call.args[index];
  if (Object.hasOwn(call.kwargs, name)) return call.kwargs[name];
  if (fallback !== undefined) return fallback;
  throw new Error(`operation argument '${name}' is missing`);
}

/** A setting from the op's config (constructor argument) or the call's keywords. */
export function setting<T extends Value>(call: OpCall, name: string, fallback: T): T | Value {
  if (Object.hasOwn(call.config, name)) return call.config[name] ?? fallback;
  if (Object.hasOwn(call.kwargs, name)) return call.kwargs[name] ?? fallback;
  return fallback;
}

export function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'dataId' in v && 'shape' in v;
}

/** Keras dtype names tfjs can hold ('int64' → int32, every float → float32). */
export function tfjsDtype(name: unknown): DataType {
  const s = String(name ?? 'float32');
  if (s === 'bool') return 'bool';
  if (/^u?int/.test(s)) return 'int32';
  return 'float32';
}

/** A value as a tensor: tensors as they are, numbers and nested lists as constants. */
export function toTensor(v: Value, dtype?: DataType): Tensor {
  if (isTensor(v)) return dtype && v.dtype !== dtype ? cast(v, dtype) : v;
  if (isConstArray(v)) return tensor(v.value as number[], undefined, dtype ?? tfjsDtype(v.dtype));
  if (typeof v === 'number') return scalar(v, dtype ?? 'float32');
  if (typeof v === 'boolean') return scalar(v ? 1 : 0, dtype ?? 'bool');
  if (Array.isArray(v)) {
    if (v.some(isTensor)) throw new Error('a list of tensors where one tensor was expected');
    return tensor(v as number[], undefined, dtype ?? 'float32');
  }
  throw new Error(`cannot use ${JSON.stringify(v)} as a tensor`);
}

const RANK: Record<string, number> = { bool: 0, int32: 1, float32: 2, complex64: 3, string: -1 };

/**
 * Two operands as tensors of one dtype, the way Keras promotes them: a Python number takes the
 * tensor's dtype (a float number makes an int tensor float32), two tensors meet at the wider
 * of bool < int32 < float32.
 */
export function promote(a: Value, b: Value): [Tensor, Tensor] {
  const ta = isTensor(a) ? a : null;
  const tb = isTensor(b) ? b : null;
  const weak = (v: Value, other: Tensor | null): DataType => {
    const base = other?.dtype ?? 'float32';
    if (typeof v === 'number' && !Number.isInteger(v) && base !== 'float32') return 'float32';
    if (typeof v === 'boolean') return base;
    return base === 'bool' && typeof v === 'number' ? (Number.isInteger(v) ? 'int32' : 'float32') : base;
  };
  let da = ta ? ta.dtype : weak(a, tb);
  let db = tb ? tb.dtype : weak(b, ta);
  if (da !== db) {
    const wide = RANK[da] >= RANK[db] ? da : db;
    da = wide;
    db = wide;
  }
  return [toTensor(a, da), toTensor(b, db)];
}

/** A float view of a tensor (Keras computes sqrt, exp, mean, ... of ints in float32). */
export function asFloat(v: Value): Tensor {
  const t = toTensor(v);
  return t.dtype === 'float32' ? t : cast(t, 'float32');
}

/**
 * A list of integers (a shape, axes, repeats); entries that are tensors (a size read with
 * tf.shape at run time) are read from the tensor.
 */
export function intList(v: Value): number[] {
  const list = Array.isArray(v) ? v : [v];
  return list.flatMap((x) => (isTensor(x) ? Array.from(x.dataSync()) : [Number(x)]));
}

/** Axis argument: null (all), one axis or a list, negative axes counted from the end. */
export function axesOf(v: Value, rank: number): number[] | null {
  if (v === null || v === undefined) return null;
  const list = Array.isArray(v) ? (v as number[]) : [v as number];
  return list.map((a) => (a < 0 ? a + rank : a));
}
