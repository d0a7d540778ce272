/**
 * Softmax over one or more axes with a boolean mask, in each convention Keras has used
 * (all compute the same where nothing is masked; they differ on masked positions):
 *
 *   'keras3'    Keras 3 Softmax layer: where(mask, x, −1e9), softmax, then masked outputs set
 *               to 0 (a fully masked row gives zeros, not a uniform distribution)
 *   'additive'  tf.keras Softmax layer (and MultiHeadAttention): x + (1 − mask)·(−1e9), softmax
 *   'robust'    tf.keras with softmax_robust_masking=True: where(mask, x, −1e9), softmax
 *   'dpa'       Keras 3 ops.dot_product_attention (TensorFlow backend): where(mask, x,
 *               −0.7·3.38953e38), softmax
 *
 * Several axes: exp(x − logsumexp(x, axes)), as both Kerases compute it.
 */
import {
  add, broadcastTo, cast, exp, greater, logSumExp, mul, reshape, scalar, softmax, sub, transpose, where, zerosLike, type Tensor,
} from '@tensorflow/tfjs-core';

export type MaskConvention = 'keras3' | 'additive' | 'robust' | 'dpa';

const KERAS_LARGE_NEGATIVE = -1e9;
const DPA_LARGE_NEGATIVE = -0.7 * 3.38953e38;

/** Softmax of `x` over `axes` (sorted, positive). */
export function softmaxOver(x: Tensor, axes: number[]): Tensor {
  const rank = x.rank;
  const sorted = [...axes].sort((a, b) => a - b);
  if (sorted.length === 1 && sorted[0] === rank - 1) return softmax(x, -1);
  // Move the axes last, flatten them, softmax, and put them back.
  const rest = x.shape.map((_, i) => i).filter((i) => !sorted.includes(i));
  const perm = [...rest, ...sorted];
  const moved = transpose(x, perm);
  const lead = rest.map((i) => x.shape[i]);
  const flat = reshape(moved, [...lead, -1]);
  const y = sorted.length > 1 ? exp(sub(flat, logSumExp(flat, -1, true))) : softmax(flat, -1);
  const back = reshape(y, [...lead, ...sorted.map((i) => x.shape[i])]);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return transpose(back, inverse);
}

/** Softmax over `axes` of `x` with `mask` (broadcastable, bool or 0/1) in `convention`. */
export function maskedSoftmax(x: Tensor, axes: number[], mask: Tensor | null, convention: MaskConvention): Tensor {
  if (!mask) return softmaxOver(x, axes);
  if (convention === 'additive') {
    const adder = mul(sub(1, cast(mask, 'float32')), KERAS_LARGE_NEGATIVE);
    return softmaxOver(add(x, adder), axes);
  }
  // A float mask keeps values > 0.5 (Keras' rule); the mask broadcasts to x.
  const keep = broadcastTo(mask.dtype === 'bool' ? mask : greater(mask, 0.5), x.shape);
  const negative = scalar(convention === 'dpa' ? DPA_LARGE_NEGATIVE : KERAS_LARGE_NEGATIVE);
  const y = softmaxOver(where(keep, x, add(zerosLike(x), negative)), axes);
  return convention === 'keras3' ? where(keep, y, zerosLike(y)) : y;
}
