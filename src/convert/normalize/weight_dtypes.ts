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
 *
 * The values are converted as they are read (whole or piece by piece): a value that does not
 * fit is found when the writer reads it, named by its flat index in the whole weight.
 */
import { ErrorCode, convertError } from '../../errors.js';
import { toFloat32, toInt32Exact } from '../../formats/integer_elements.js';
import type { StoredArray, StoredValues, WeightData, WeightDType } from '../intermediate.js';

/** `stored` as the `expected` dtype of weight `weight` of layer `layer` (values converted when read). */
export function asVariableDtype(
  file: string,
  layer: string,
  weight: string,
  expected: WeightDType,
  stored: StoredArray,
): StoredArray<WeightData> {
  const { shape } = stored;
  if (expected === 'float32') {
    if (stored.dtype === 'float32') return stored as StoredArray<WeightData>; // float sources read as float32
    // Integer values are exact: Float32Array rounds each once, to nearest, as a cast does.
    return { shape, dtype: 'float32', read: async () => toFloat32(await stored.read()), pieces: (max) => mapPieces(stored.pieces(max), toFloat32) };
  }
  const source = stored.sourceDtype ?? stored.dtype;
  const exact = (values: StoredValues, first: number): Int32Array => {
    const out = toInt32Exact(values);
    if (out instanceof Int32Array) return out;
    throw convertError(
      ErrorCode.UNSUPPORTED_SEMANTICS, file,
      `layer '${layer}': weight '${weight}' holds ${out.value} (${source} in the file) at flat index ${first + out.misfit}, but tfjs stores this integer variable as int32; store a value that fits int32 in Python and save the model again`,
      layer,
    );
  };
  return {
    shape,
    dtype: 'int32',
    read: async () => exact(await stored.read(), 0),
    pieces: (max) => {
      let first = 0;
      return mapPieces(stored.pieces(max), (values) => {
        const out = exact(values, first);
        first += values.length;
        return out;
      });
    },
  };
}

async function* mapPieces<T>(pieces: AsyncIterable<StoredValues>, map: (values: StoredValues) => T): AsyncIterable<T> {
  for await (const values of pieces) yield map(values);
}
