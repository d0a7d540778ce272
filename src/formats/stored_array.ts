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

/** Bytes of the decoded values (both dtypes have 4-byte elements). */
export function decodedBytes(array: Pick<StoredArray, 'shape'>): number {
  return elementCount(array.shape) * 4;
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

export interface RangedArraySpec {
  shape: number[];
  dtype: WeightDType;
  /** Bytes one element takes in the source (2 for float16, 8 for float64, ...). */
  rawElementBytes: number;
  /** The source's bytes [offset, offset + length) of the array's raw data. */
  readRaw(offset: number, length: number): Promise<Uint8Array>;
  /** Raw bytes of whole elements → values (may view `raw` in place). */
  decode(raw: Uint8Array): WeightData;
}

/**
 * An array stored as one run of raw elements (a contiguous HDF5 dataset, a checkpoint
 * tensor), read and decoded range by range.
 */
export function rangedArray(spec: RangedArraySpec): StoredArray {
  const count = elementCount(spec.shape);
  const raw = spec.rawElementBytes;
  return {
    shape: spec.shape,
    dtype: spec.dtype,
    read: async () => spec.decode(await spec.readRaw(0, count * raw)),
    pieces: (maxBytes) => rangedPieces(spec, count, maxBytes),
  };
}

async function* rangedPieces(spec: RangedArraySpec, count: number, maxBytes: number): AsyncIterable<WeightData> {
  // A piece's limit holds for the larger of the raw and the decoded element.
  const perPiece = Math.max(1, Math.floor(maxBytes / Math.max(spec.rawElementBytes, 4)));
  for (let first = 0; first < count; first += perPiece) {
    const n = Math.min(perPiece, count - first);
    yield spec.decode(await spec.readRaw(first * spec.rawElementBytes, n * spec.rawElementBytes));
  }
}
