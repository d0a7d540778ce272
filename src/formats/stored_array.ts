/**
 * A stored numeric array as a container format holds it: a shape in the file's (C) order, a
 * dtype, and its values, read when asked. The one value type the format readers (HDF5,
 * TensorBundle) hand to the converter.
 *
 * The values are not read when the container is opened: a 5 GB model is described in
 * milliseconds, and each weight is read where it lies when the writer gets to it, whole
 * (`read`) or piece by piece (`pieces`), so that no more than one piece need be in memory.
 */

export type WeightDType = 'float32' | 'int32';
export type WeightData = Float32Array | Int32Array;

/** One stored array: shape in Keras order, values (C order) read on demand. */
export interface StoredArray {
  shape: number[];
  dtype: WeightDType;
  /**
   * All values, decoded to `dtype`: a buffer of their own, or a view of memory the source owns
   * and never changes. Each call reads (and checks) again.
   */
  read(): Promise<WeightData>;
  /**
   * The values in order, in pieces of whole elements of at most `maxBytes` bytes each (at
   * least one element per piece). Each piece may be dropped once used.
   */
  pieces(maxBytes: number): AsyncIterable<WeightData>;
}

/** Elements of a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Values already in memory as a StoredArray (read gives them as they are). */
export function arrayInMemory(shape: number[], dtype: WeightDType, data: WeightData): StoredArray {
  return derivedArray(shape, dtype, async () => data);
}

/** An array whose values `compute` produces whole (a transposed or concatenated weight). */
export function derivedArray(shape: number[], dtype: WeightDType, compute: () => Promise<WeightData>): StoredArray {
  return {
    shape,
    dtype,
    read: compute,
    pieces: (maxBytes) => slicesOf(compute, maxBytes),
  };
}

async function* slicesOf(compute: () => Promise<WeightData>, maxBytes: number): AsyncIterable<WeightData> {
  const data = await compute();
  const step = Math.max(1, Math.floor(maxBytes / data.BYTES_PER_ELEMENT));
  for (let i = 0; i < data.length; i += step) yield data.subarray(i, Math.min(data.length, i + step));
}
