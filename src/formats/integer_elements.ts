/**
 * Stored values (see stored_array.ts: integers arrive exactly as the file stores them) → the
 * arrays tfjs weights are, without losing a value silently. Which of the two a variable gets is
 * Keras' decision, made in convert/normalize (weight_dtypes.ts): Keras casts what the file
 * stores to the variable's own dtype when it loads (a float kernel stored as uint32 or int64
 * becomes float32, rounded to nearest), and tfjs holds integers only as int32. Wrapping
 * (uint32 → int32) or clamping (int64 → ±2^31) would change values silently, so an integer that
 * does not fit int32 is reported, not converted.
 *
 * Both work on one piece at a time (a weight may be read in pieces).
 */
import type { StoredValues } from './stored_array.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Each value rounded once to the nearest float32, as a cast computes it. Float32 values are returned as they are. */
export function toFloat32(values: StoredValues): Float32Array {
  if (values instanceof Float32Array) return values;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    const out = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = bigintToFloat32(values[i]);
    return out;
  }
  return Float32Array.from(values); // a number here is an exact integer: one rounding
}

/**
 * The values as int32, exactly; or the first that is not an integer in the int32 range (its
 * index in `values`, and the value as text), with no array made.
 */
export function toInt32Exact(values: StoredValues): Int32Array | { misfit: number; value: string } {
  if (values instanceof Int32Array) return values;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'bigint' ? v < BigInt(INT32_MIN) || v > BigInt(INT32_MAX) : !Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
      return { misfit: i, value: String(v) };
    }
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Number(values[i]);
  return out;
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
