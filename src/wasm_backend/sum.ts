/**
 * Sum over the leading axes on the wasm backend — the bias gradient of every Dense and Conv2D
 * layer (dy summed over batch, rows and columns). tfjs' wasm kernel first transposes the reduced
 * axes to the end (a full copy of dy, ≈7 ms a step for a small conv model), then sums each run
 * from 0. Here train_kernels.wat's sum_rows adds the rows of the [reduced, kept] matrix in order
 * into one accumulator per kept value: the same sequential float32 sum from +0, bit for bit
 * tfjs' result, without the copy. Other axes and dtypes go to tfjs' kernel.
 */
import { backend_util, util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapOffset, trainKernels, type WasmBackend } from './wasm_heap.js';

export function sumLeadingAxes(tfjsSum: KernelFunc): KernelFunc {
  return function sumWasm(args) {
    const backend = args.backend as WasmBackend;
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const kernels = trainKernels(backend);
    if (kernels === null || x.dtype !== 'float32') return tfjsSum(args);
    const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    if (!leading || util.sizeFromShape(x.shape) === 0) return tfjsSum(args);
    const kept = x.shape.slice(axes.length);
    const out = backend.makeOutput(kept, 'float32');
    kernels.sum_rows(heapOffset(backend, x) as number, heapOffset(backend, out) as number, util.sizeFromShape(x.shape.slice(0, axes.length)), util.sizeFromShape(kept));
    if (keepDims) out.shape = backend_util.expandShapeToKeepDim(kept, axes);
    return out;
  };
}
