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
/** Values as tfjs weights hold them. */
export type WeightData = Float32Array | Int32Array;
/**
 * Values as a reader decodes them: floats of any width as float32; integers exactly as the file
 * stores them (int8 … uint32 in their own typed array, 64-bit ones as bigints), never wrapped or
 * clamped. Which dtype a variable gets, and whether its integers fit it, is decided per variable
 * in convert/normalize (weight_dtypes.ts), as Keras decides it when it loads.
 */
export type StoredValues =
  | WeightData
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** One stored array: shape in Keras order, values (C order) read on demand. */
export interface StoredArray<T extends StoredValues = StoredValues> {
  shape: number[];
  /** 'float32' for floating-point sources, 'int32' for integer ones (what tfjs would hold them as). */
  dtype: WeightDType;
  /** The element type the file stores ('uint32', 'int64', 'float64', ...), where readers know it. */
  sourceDtype?: string;
  /**
   * All values: a buffer of their own, or a view of memory the source owns and never changes.
   * Each call reads (and checks) again.
   */
  read(): Promise<T>;
  /**
   * The values in order, in pieces of whole elements of at most `maxBytes` bytes each (at
   * least one element per piece). Each piece may be dropped once used.
   */
  pieces(maxBytes: number): AsyncIterable<T>;
}

/** Elements of a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Values already in memory as a StoredArray (read gives them as they are). */
export function arrayInMemory<T extends StoredValues>(shape: number[], dtype: WeightDType, data: T): StoredArray<T> {
  return derivedArray(shape, dtype, async () => data);
}

/** An array whose values `compute` produces whole (a transposed or concatenated weight). */
export function derivedArray<T extends StoredValues>(shape: number[], dtype: WeightDType, compute: () => Promise<T>): StoredArray<T> {
  return {
    shape,
    dtype,
    read: compute,
    pieces: (maxBytes) => slicesOf(compute, maxBytes),
  };
}

async function* slicesOf<T extends StoredValues>(compute: () => Promise<T>, maxBytes: number): AsyncIterable<T> {
  const data = await compute();
  const step = Math.max(1, Math.floor(maxBytes / data.BYTES_PER_ELEMENT));
  for (let i = 0; i < data.length; i += step) yield data.subarray(i, Math.min(data.length, i + step)) as T;
}
