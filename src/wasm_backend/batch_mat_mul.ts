/**
 * BatchMatMul on the wasm backend when an operand is transposed — every gradient of a Dense layer:
 * tfjs' fused matMul computes dA = dY·Bᵀ and dB = Aᵀ·dY. tfjs' wasm backend sends only the
 * untransposed single-matrix product to XNNPACK and everything else to a scalar triple loop
 * (≈0.1 s for the IMDB model's 10000×512 · 512×16 kernel gradient). Here:
 *   Aᵀ·B (and Aᵀ·Bᵀ): keras2tfjs' SIMD kernels (train_kernels.wat, chosen in matmul_tn.ts), which
 *     also skip zero entries of A exactly (multi-hot inputs are mostly zeros);
 *   A·Bᵀ: Bᵀ materialized by tfjs' Transpose kernel, then tfjs' own XNNPACK path.
 * Results differ from tfjs' loop only in the order float32 products are summed. Batched products
 * (batch > 1), other dtypes, and engines where the SIMD module cannot run go to tfjs' kernel.
 */
import { broadcast_util, getKernel, util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { matmulTn } from './matmul_tn.js';
import { heapOffset, trainKernels, type WasmBackend } from './wasm_heap.js';

export function fastBatchMatMul(tfjsBatchMatMul: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as WasmBackend;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') return tfjsBatchMatMul(args);
    if (a.shape.length < 2 || b.shape.length < 2) return tfjsBatchMatMul(args);
    const aOuter = a.shape.slice(0, -2);
    const bOuter = b.shape.slice(0, -2);
    if (util.sizeFromShape(aOuter) !== 1 || util.sizeFromShape(bOuter) !== 1) return tfjsBatchMatMul(args);
    const [aRows, aCols] = a.shape.slice(-2);
    const [bRows, bCols] = b.shape.slice(-2);
    const shared = transposeA ? aRows : aCols;
    if (shared !== (transposeB ? bCols : bRows) || util.sizeFromShape(a.shape) === 0 || util.sizeFromShape(b.shape) === 0) {
      return tfjsBatchMatMul(args); // its error message for mismatched shapes; empty products
    }
    if (transposeA && trainKernels(backend) === null) return tfjsBatchMatMul(args);

    // Bᵀ as a tensor of its own, with b's leading (size 1) dims, so the product's shape is tfjs'.
    const bPlain = transposeB ? transpose2d(backend, b) : b;
    try {
      if (!transposeA) {
        return tfjsBatchMatMul({ ...args, inputs: { a, b: bPlain }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
      }
      const rows = aCols; // rows of Aᵀ
      const cols = bPlain.shape[bPlain.shape.length - 1];
      const outShape = [...broadcast_util.assertAndGetBroadcastShape(aOuter, bOuter), rows, cols];
      const out = backend.makeOutput(outShape, 'float32');
      const kernels = trainKernels(backend) as NonNullable<ReturnType<typeof trainKernels>>;
      matmulTn(kernels, backend, offset(backend, a), offset(backend, bPlain), offset(backend, out), shared, rows, cols, false);
      return out;
    } finally {
      if (bPlain !== b) backend.disposeData(bPlain.dataId);
    }
  };
}

function offset(backend: WasmBackend, info: TensorInfo): number {
  return heapOffset(backend, info) as number;
}

/** The last two axes of `x` (its leading dims all 1) swapped, by tfjs' wasm Transpose kernel. */
function transpose2d(backend: WasmBackend, x: TensorInfo): TensorInfo {
  const [rows, cols] = x.shape.slice(-2);
  const transpose = getKernel('Transpose', 'wasm');
  if (transpose === undefined) throw new Error("tfjs' wasm backend has no Transpose kernel");
  const matrix: TensorInfo = { dataId: x.dataId, shape: [rows, cols], dtype: x.dtype };
  const t = transpose.kernelFunc({ inputs: { x: matrix }, backend, attrs: { perm: [1, 0] } }) as TensorInfo;
  return { ...t, shape: [...x.shape.slice(0, -2), cols, rows] };
}
