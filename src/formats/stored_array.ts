/**
 * A stored numeric array as a container format holds it: a shape in the file's (C) order and its
 * data. The one value type the format readers (HDF5, TensorBundle) hand to the converter.
 */

export type WeightDType = 'float32' | 'int32';

/** One stored array: shape in Keras order (C order data). */
export interface StoredArray {
  shape: number[];
  dtype: WeightDType;
  data: Float32Array | Int32Array;
}
