/**
 * GatherV2 on the wasm backend for the case `model.fit` runs on every batch: whole rows (or
 * slices of at least MIN_SLICE_BYTES) picked along an axis, `tf.gather(x, batchIndices)`. tfjs'
 * wasm kernel computes the source of every element with strides (≈0.2 s for a [512, 10000] batch);
 * here each slice is one `copyWithin` in the heap (a memmove, ~4 ms for the same batch). Values
 * are copied, so the result is bit for bit tfjs' own. Everything else — small slices, batchDims,
 * other dtypes, out-of-range indices (its error message) — goes to tfjs' kernel.
 */
import { util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapOffset, type WasmBackend } from './wasm_heap.js';

/** Below this slice size tfjs' kernel (one loop in wasm) beats a copyWithin call per slice. */
const MIN_SLICE_BYTES = 256;
const BYTES_PER_ELEMENT: Partial<Record<string, number>> = { float32: 4, int32: 4, bool: 1 };

export function fastGatherV2(tfjsGather: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as WasmBackend;
    const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
    const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
    const bytes = BYTES_PER_ELEMENT[x.dtype];
    if (bytes === undefined || indices.dtype !== 'int32' || batchDims !== 0) return tfjsGather(args);
    const parsedAxis = util.parseAxisParam(axis, x.shape)[0];
    const outer = util.sizeFromShape(x.shape.slice(0, parsedAxis));
    const dim = x.shape[parsedAxis];
    const slice = util.sizeFromShape(x.shape.slice(parsedAxis + 1));
    const count = util.sizeFromShape(indices.shape);
    const sliceBytes = slice * bytes;
    const xAt = heapOffset(backend, x);
    const indicesAt = heapOffset(backend, indices);
    if (sliceBytes < MIN_SLICE_BYTES || outer === 0 || count === 0 || xAt === null || indicesAt === null) return tfjsGather(args);
    const picked = new Int32Array(backend.wasm.HEAPU8.buffer, indicesAt, count).slice();
    if (!picked.every((i) => i >= 0 && i < dim)) return tfjsGather(args); // tfjs names the bad index

    const outShape = [...x.shape.slice(0, parsedAxis), ...indices.shape, ...x.shape.slice(parsedAxis + 1)];
    const out = backend.makeOutput(outShape, x.dtype);
    const outAt = heapOffset(backend, out) as number;
    const heap = backend.wasm.HEAPU8; // after makeOutput: an allocation may have grown the heap
    for (let o = 0; o < outer; o++) {
      const from = xAt + o * dim * sliceBytes;
      const to = outAt + o * count * sliceBytes;
      for (let j = 0; j < count; j++) {
        const start = from + picked[j] * sliceBytes;
        heap.copyWithin(to + j * sliceBytes, start, start + sliceBytes);
      }
    }
    return out;
  };
}
