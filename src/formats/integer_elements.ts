/**
 * Integer elements (int8 … uint64) as the converter holds weights, without losing a value: as
 * int32 when every value fits (exact), else as float32 with the first value beyond int32
 * recorded. Which of the two the variable gets is Keras' decision, made in convert/normalize:
 * Keras casts what the file stores to the variable's own dtype when it loads (a float kernel
 * stored as uint32 or int64 becomes float32, rounded to nearest), and tfjs holds integers only
 * as int32. Wrapping (uint32 → int32) or clamping (int64 → ±2^31) would change values silently.
 */
import type { StoredArray } from './stored_array.js';

export type IntegerElements = Pick<StoredArray, 'dtype' | 'data' | 'sourceDtype' | 'beyondInt32'> & { sourceDtype: string };

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** `values` (any integer typed array, 64-bit ones as bigints) → exact int32, or float32 + the first misfit. */
export function integerElements(values: ArrayLike<number> | ArrayLike<bigint>, sourceDtype: string): IntegerElements {
  const n = values.length;
  let misfit = -1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < INT32_MIN || v > INT32_MAX) {
      misfit = i;
      break;
    }
  }
  if (misfit < 0) {
    const data = new Int32Array(n);
    for (let i = 0; i < n; i++) data[i] = Number(values[i]);
    return { dtype: 'int32', data, sourceDtype };
  }
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    data[i] = typeof v === 'bigint' ? bigintToFloat32(v) : v; // a number is exact here: one rounding
  }
  return { dtype: 'float32', data, sourceDtype, beyondInt32: { index: misfit, value: String(values[misfit]) } };
}

/**
 * A 64-bit integer → the nearest float32 (ties to even), as TensorFlow's cast computes it.
 * Number(v) would round to 53 bits first, and a second rounding to 24 bits can then differ.
 */
export function bigintToFloat32(v: bigint): number {
  const negative = v < 0n;
  let a = negative ? -v : v;
  const bits = a.toString(2).length;
  if (bits <= 53) return Math.fround(Number(v));
  const shift = BigInt(bits - 24);
  let mantissa = a >> shift;
  const rest = a - (mantissa << shift);
  const half = 1n << (shift - 1n);
  if (rest > half || (rest === half && (mantissa & 1n) === 1n)) mantissa += 1n;
  a = mantissa << shift;
  return Math.fround(negative ? -Number(a) : Number(a)); // exact: at most 25 significant bits
}
