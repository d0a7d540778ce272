/**
 * out (+)= aᵀ · b for a stored [S, M] and b stored [S, N], all in the wasm heap, by the kernel of
 * train_kernels.wat that suits a: matmul_tn for mostly-zero a (it skips whole 4 × 4 zero tiles,
 * e.g. of the multi-hot rows of a bag-of-words input), matmul_tiled for dense a (4 × 8 register
 * tiles, about twice as fast there). Both sum each value sequentially over s from +0 with
 * separate multiplies and adds, so the choice changes the time, never a bit of the result.
 */
import type { TrainKernels, WasmBackend } from './wasm_heap.js';

/** a is treated as sparse when at least this share of its sampled values is zero. */
const SPARSE_ZEROS = 0.8;
/** Rows of a sampled to decide. */
const SAMPLE_ROWS = 8;
/** matmul_tn's row block: this many output rows of N floats are ~16 KB, inside L1 cache. */
const BLOCK_FLOATS = 4096;

export function matmulTn(
  kernels: TrainKernels, backend: WasmBackend,
  a: number, b: number, out: number, S: number, M: number, N: number, accumulate: boolean,
): void {
  if (mostlyZeros(backend, a, Math.min(S, SAMPLE_ROWS) * M)) {
    kernels.matmul_tn(a, b, out, S, M, N, Math.max(4, Math.floor(BLOCK_FLOATS / N)), accumulate ? 1 : 0);
  } else {
    kernels.matmul_tiled(a, b, out, S, M, N, accumulate ? 1 : 0);
  }
}

function mostlyZeros(backend: WasmBackend, at: number, count: number): boolean {
  const sample = new Float32Array(backend.wasm.HEAPU8.buffer, at, count);
  let zeros = 0;
  for (let i = 0; i < count; i++) if (sample[i] === 0) zeros++;
  return zeros >= SPARSE_ZEROS * count;
}
