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
  /** The element type the file stores ('uint32', 'int64', 'float64', ...), where readers know it. */
  sourceDtype?: string;
  /**
   * Integer elements that do not all fit int32 arrive as float32 (see integer_elements.ts); this
   * is the first one beyond int32, exactly, so that an integer variable can be refused by name.
   */
  beyondInt32?: { index: number; value: string };
}
