/**
 * The one tolerance of the coverage run: |tfjs − Keras| ≤ ATOL + RTOL·|Keras| for every output
 * value. Keras (TensorFlow's Eigen/oneDNN kernels) and tfjs (its wasm or cpu kernels) compute the
 * same float32 graph but sum the terms of each dot product and convolution in a different
 * order, fuse different ops, and use their own exp/tanh/erf approximations; each op differs by
 * a few ulps, and a deep network (ResNet152, EfficientNetB7: hundreds of layers) carries that
 * forward. 1e-4 absolute plus 1e-4 relative holds the deepest applications with a margin, while
 * a real conversion error (a transposed kernel, a missing bias, a wrong activation) moves
 * outputs by 1e-2 or more. The observed maximum is reported per row in COVERAGE.md.
 */
export const ATOL = 1e-4;
export const RTOL = 1e-4;

/** max |a − e| and whether every value is within ATOL + RTOL·|e| (NaN only where Keras has NaN). */
export function compare(actual: ArrayLike<number>, expected: ArrayLike<number>): { maxAbs: number; within: boolean } {
  let maxAbs = 0;
  let within = actual.length === expected.length;
  for (let i = 0; i < Math.min(actual.length, expected.length); i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (!(Number.isNaN(e) && Number.isNaN(a))) within = false;
      continue;
    }
    if (a === e) continue; // equal infinities
    const d = Math.abs(a - e);
    if (d > maxAbs) maxAbs = d;
    if (!(d <= ATOL + RTOL * Math.abs(e))) within = false;
  }
  return { maxAbs, within };
}
