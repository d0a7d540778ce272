/**
 * Keras' encoding of integer categories (keras/src/utils/numerical_utils.py
 * encode_categorical_inputs, with TensorFlow's bincount path for inputs of rank ≤ 2), shared by
 * CategoryEncoding, Discretization and IntegerLookup:
 *
 *   'int'        the indices as they are
 *   'one_hot'    one row per index (a trailing axis of size 1 is replaced)
 *   'multi_hot'  1 for each index present in a sample's row (rank-1 input: in the whole batch)
 *   'count'      how often each index occurs
 *
 * Indices outside [0, depth) count nowhere, as bincount with maxlength drops them.
 */
import { cast, max, oneHot, reshape, sum, type Tensor } from '@tensorflow/tfjs-core';

export type OutputMode = 'int' | 'one_hot' | 'multi_hot' | 'count';

/** tfjs camel-cases config strings: 'one_hot' may arrive as 'oneHot'. */
export function outputModeOf(v: unknown, fallback: OutputMode): OutputMode {
  const s = String(v ?? fallback).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  if (s === 'int' || s === 'one_hot' || s === 'multi_hot' || s === 'count') return s;
  throw new Error(`output_mode '${String(v)}' is not implemented (int, one_hot, multi_hot, count are)`);
}

export function encodeCategorical(indices: Tensor, mode: OutputMode, depth: number): Tensor {
  const x = cast(indices, 'int32');
  if (mode === 'int') return x;
  if (mode === 'one_hot') {
    const squeezed = x.rank > 1 && x.shape[x.rank - 1] === 1 ? reshape(x, x.shape.slice(0, -1)) : x;
    return floatOneHot(squeezed, depth);
  }
  const hot = floatOneHot(x, depth);
  const axis = x.rank > 1 ? x.rank - 1 : 0;
  return mode === 'multi_hot' ? max(hot, axis) : sum(hot, axis);
}

/** tfjs-backend-wasm's oneHot writes int32 bits into a float32 result: one-hot in int32, then cast. */
function floatOneHot(indices: Tensor, depth: number): Tensor {
  return cast(oneHot(indices, depth), 'float32');
}

/** The output shape of `encodeCategorical` for an input shape. */
export function encodedShape(shape: Array<number | null>, mode: OutputMode, depth: number): Array<number | null> {
  if (mode === 'int') return shape;
  if (mode === 'one_hot') return shape.length > 1 && shape[shape.length - 1] === 1 ? [...shape.slice(0, -1), depth] : [...shape, depth];
  return shape.length > 1 ? [...shape.slice(0, -1), depth] : [depth];
}
