/**
 * A stored weight → the dtype of the tfjs variable it is loaded into, as Keras would load it.
 *
 * Keras casts what the file stores to the variable's own dtype when it loads a model (a float
 * kernel stored as int8, uint32 or int64 is loaded as float32, rounded to nearest: checked against
 * keras.saving.load_model in test/hostile). tfjs does no cast: an int32 tensor for a float32
 * variable makes `loadLayersModel` fail. So float variables get float32 values computed the way
 * Keras' cast computes them, and integer variables (int64 counters such as tf.keras
 * Normalization's `count`, which tfjs stores as int32) keep their exact values, or are refused
 * by name when a value does not fit int32 — never wrapped or clamped.
 */
import { ErrorCode, convertError } from '../../errors.js';
import type { StoredArray, WeightDType } from '../intermediate.js';

/** `stored` as the `expected` dtype of weight `weight` of layer `layer`. */
export function asVariableDtype(
  file: string,
  layer: string,
  weight: string,
  expected: WeightDType,
  stored: StoredArray,
): Pick<StoredArray, 'dtype' | 'data'> {
  if (expected === 'float32') {
    // Int32Array values are exact integers: Float32Array rounds each once, to nearest, as a cast does.
    return stored.dtype === 'float32' ? { dtype: 'float32', data: stored.data } : { dtype: 'float32', data: Float32Array.from(stored.data) };
  }
  if (stored.dtype === 'int32') return { dtype: 'int32', data: stored.data };
  const source = stored.sourceDtype ?? stored.dtype;
  const fail = (what: string) =>
    convertError(
      ErrorCode.UNSUPPORTED_SEMANTICS, file,
      `layer '${layer}': weight '${weight}' ${what}, but tfjs stores this integer variable as int32; store a value that fits int32 in Python and save the model again`,
      layer,
    );
  if (stored.beyondInt32) throw fail(`holds ${stored.beyondInt32.value} (${source} in the file) at flat index ${stored.beyondInt32.index}`);
  const data = new Int32Array(stored.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = stored.data[i];
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw fail(`holds ${v} (${source} in the file) at flat index ${i}`);
    data[i] = v;
  }
  return { dtype: 'int32', data };
}
