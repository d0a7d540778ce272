/**
 * MaxPoolGrad on the wasm backend: each window's upstream gradient goes to the FIRST largest
 * input of the window (strictly greater than all before it, scanned row by row from −∞), summed
 * over the windows in order — what tfjs' cpu backend and TensorFlow's own MaxPoolGrad do, and
 * what Keras trains with (train_kernels.wat's max_pool_grad, four channels per SIMD compare).
 * tfjs' wasm kernel (4.22) instead starts its scan at the smallest
 * positive float and keeps the last maximum, so a window whose inputs are all ≤ 0 passes no
 * gradient at all and ties go to the last maximum; it is also a scalar loop (≈50 ms a step for
 * a small conv model). For a pixel in one window (non-overlapping pools) the result is the cpu
 * backend's bit for bit; overlapping windows add float32 in the cpu backend's window order.
 */
import { backend_util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapOffset, trainKernels, withGeometry, type WasmBackend, type WindowAttrs } from './wasm_heap.js';

export function maxPoolGrad(tfjsMaxPoolGrad: KernelFunc): KernelFunc {
  return function maxPoolGradWasm(args) {
    const backend = args.backend as WasmBackend;
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const attrs = args.attrs as WindowAttrs & { filterSize: [number, number] | number };
    const kernels = trainKernels(backend);
    if (kernels === null || input.dtype !== 'float32' || dy.dtype !== 'float32') return tfjsMaxPoolGrad(args);
    const info = backend_util.computePool2DInfo(
      input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode,
    );
    const out = backend.makeOutput(input.shape.slice(), 'float32');
    if (info.batchSize * info.inHeight * info.inWidth * info.inChannels === 0) return out;
    withGeometry(backend, info, (geometry) =>
      kernels.max_pool_grad(heapOffset(backend, input) as number, heapOffset(backend, dy) as number, heapOffset(backend, out) as number, geometry),
    );
    return out;
  };
}
