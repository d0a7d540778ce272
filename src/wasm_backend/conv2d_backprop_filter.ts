/**
 * Conv2DBackpropFilter (the gradient of a Conv2D kernel) for the wasm backend, which tfjs 4.22
 * does not have at all: without it `model.fit` of any model with a Conv2D layer fails on wasm
 * with "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'".
 *
 *   dW[kh, kw, ci, co] = Σ over (b, oy, ox) of x[b, oy·sh − top + kh, ox·sw − left + kw, ci] · dy[b, oy, ox, co]
 *
 * which is Pᵀ·dY for the patch matrix P (one row per output position (b, oy, ox), one column per
 * (kh, kw, ci), zero where the window hangs over the padding) and dY as [positions, co]. P is
 * built in the heap in chunks of rows (train_kernels.wat's im2col) and multiplied by train_kernels.wat's SIMD kernels (matmul_tn.ts),
 * which accumulate the chunks in order: each dW value is the sequential float32 sum over positions.
 * NCHW inputs are transposed to NHWC first (the filter layout does not depend on it).
 */
import { backend_util, getKernel, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { matmulTn } from './matmul_tn.js';
import { heapOffset, trainKernels, withGeometry, type ConvAttrs, type WasmBackend } from './wasm_heap.js';

/** Patch rows per chunk: bounds the scratch P to ~4 MB whatever the batch and image size. */
const CHUNK_FLOATS = 1 << 20;

export const conv2dBackpropFilter: KernelFunc = function conv2dBackpropFilterWasm(args) {
  const backend = args.backend as WasmBackend;
  const inputs = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as ConvAttrs & { filterShape: [number, number, number, number] };
  const kernels = trainKernels(backend);
  if (kernels === null) {
    throw new Error("Conv2DBackpropFilter on the wasm backend needs WebAssembly SIMD (keras2tfjs' kernel); use the cpu backend");
  }
  const nchw = attrs.dataFormat === 'NCHW';
  const x = nchw ? toNhwc(backend, inputs.x) : inputs.x;
  const dy = nchw ? toNhwc(backend, inputs.dy) : inputs.dy;
  try {
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
    );
    const out = backend.makeOutput(attrs.filterShape.slice(), 'float32');
    const cols = info.filterHeight * info.filterWidth * info.inChannels;
    const outAt = heapOffset(backend, out) as number;
    const positions = info.batchSize * info.outHeight * info.outWidth;
    if (positions === 0 || cols === 0 || info.outChannels === 0) {
      new Float32Array(backend.wasm.HEAPU8.buffer, outAt, cols * info.outChannels).fill(0);
      return out;
    }
    const chunkRows = Math.max(1, Math.min(positions, Math.floor(CHUNK_FLOATS / cols)));
    const patches = backend.makeOutput([chunkRows, cols], 'float32');
    try {
      withGeometry(backend, info, (geometry) => {
        for (let first = 0; first < positions; first += chunkRows) {
          const rows = Math.min(chunkRows, positions - first);
          kernels.im2col(heapOffset(backend, x) as number, heapOffset(backend, patches) as number, geometry, first, rows);
          const dyAt = (heapOffset(backend, dy) as number) + first * info.outChannels * 4;
          matmulTn(kernels, backend, heapOffset(backend, patches) as number, dyAt, outAt, rows, cols, info.outChannels, first > 0);
        }
      });
    } finally {
      backend.disposeData(patches.dataId);
    }
    return out;
  } finally {
    if (x !== inputs.x) backend.disposeData(x.dataId);
    if (dy !== inputs.dy) backend.disposeData(dy.dataId);
  }
};

/** An NCHW tensor as NHWC, by tfjs' wasm Transpose kernel (the caller disposes it). */
function toNhwc(backend: WasmBackend, t: TensorInfo): TensorInfo {
  const transpose = getKernel('Transpose', 'wasm');
  if (transpose === undefined) throw new Error("tfjs' wasm backend has no Transpose kernel");
  return transpose.kernelFunc({ inputs: { x: t }, backend, attrs: { perm: [0, 2, 3, 1] } }) as TensorInfo;
}

