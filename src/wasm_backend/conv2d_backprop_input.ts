/**
 * Conv2DBackpropInput (the input gradient of a Conv2D) on the wasm backend, NHWC. tfjs' wasm
 * kernel is a scalar loop over every input pixel, window and channel (≈70 ms a step for a small
 * conv model; tfjs' fused conv2d computes this gradient even for a first layer, whose input needs
 * none). Here it is the transpose of the patch matrix product the forward conv is:
 *   dP = dY · W2ᵀ   ([positions, outChannels] · [outChannels, kh·kw·inChannels], tfjs' XNNPACK
 *                    matmul through BatchMatMul with W2 = the filter as [kh·kw·inChannels, outChannels])
 *   dx[b, iy, ix, ci] = Σ of dP[(b, oy, ox), (kh, kw, ci)] over the windows that cover the pixel
 *                    (train_kernels.wat's col2im)
 * Each dx value is the same sum of products as tfjs', grouped and ordered differently (float32
 * summation order only). NCHW inputs, and products too large for one scratch matrix, go to tfjs' kernel.
 */
import { backend_util, getKernel, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapOffset, trainKernels, withGeometry, type ConvAttrs, type WasmBackend } from './wasm_heap.js';

/** The scratch dP above this many floats (256 MB) is not worth it: tfjs' kernel needs none. */
const MAX_SCRATCH_FLOATS = 1 << 26;

export function conv2dBackpropInput(tfjsBackpropInput: KernelFunc): KernelFunc {
  return function conv2dBackpropInputWasm(args) {
    const backend = args.backend as WasmBackend;
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as ConvAttrs & { inputShape: [number, number, number, number] };
    const matMul = getKernel('BatchMatMul', 'wasm');
    const transpose = getKernel('Transpose', 'wasm');
    const kernels = trainKernels(backend);
    if (attrs.dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32' || !matMul || !transpose || !kernels) {
      return tfjsBackpropInput(args);
    }
    const info = backend_util.computeConv2DInfo(
      attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
    );
    const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
    const positions = batchSize * outHeight * outWidth;
    const cols = filterHeight * filterWidth * inChannels;
    if (positions * cols > MAX_SCRATCH_FLOATS || positions === 0 || cols === 0 || outChannels === 0) return tfjsBackpropInput(args);

    // W2ᵀ as [1, outChannels, cols], then dP = dY2 · W2ᵀ by tfjs' own untransposed (XNNPACK) product.
    const w2: TensorInfo = { dataId: filter.dataId, shape: [cols, outChannels], dtype: 'float32' };
    const w2t = transpose.kernelFunc({ inputs: { x: w2 }, backend, attrs: { perm: [1, 0] } }) as TensorInfo;
    let patches: TensorInfo | undefined;
    try {
      patches = matMul.kernelFunc({
        inputs: { a: { dataId: dy.dataId, shape: [1, positions, outChannels], dtype: 'float32' }, b: { ...w2t, shape: [1, outChannels, cols] } },
        backend,
        attrs: { transposeA: false, transposeB: false },
      }) as TensorInfo;
      const out = backend.makeOutput(attrs.inputShape.slice(), 'float32');
      const dp = heapOffset(backend, patches) as number;
      withGeometry(backend, info, (geometry) => kernels.col2im(dp, heapOffset(backend, out) as number, geometry));
      return out;
    } finally {
      backend.disposeData(w2t.dataId);
      if (patches) backend.disposeData(patches.dataId);
    }
  };
}
