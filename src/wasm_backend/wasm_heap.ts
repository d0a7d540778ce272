/**
 * What keras2tfjs' kernels need of tfjs' wasm backend (duck-typed: tfjs-backend-wasm is not
 * imported here, so the package loads without it): where a tensor lives in the backend's heap,
 * how to allocate an output there, and the backend's WebAssembly memory, which our own SIMD
 * module (train_kernels.wat) imports so that it computes on tensors in place.
 */
import type { backend_util, DataId, DataType, TensorInfo } from '@tensorflow/tfjs-core';
import { instantiateBase64 } from '../wasm_module.js';
import { TRAIN_KERNELS_SHARED_WASM_BASE64, TRAIN_KERNELS_WASM_BASE64 } from './train_kernels_wasm.js';

export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** The parts of tfjs-backend-wasm's BackendWasm (4.x) used by the kernels. */
export interface WasmBackend {
  wasm: { HEAPU8: Uint8Array; asm?: Record<string, unknown>; wasmMemory?: unknown };
  dataIdMap: { get(dataId: DataId): { memoryOffset: number | null } | undefined };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

/** train_kernels.wat's exports; every pointer is a byte offset into the backend's heap. */
export interface TrainKernels {
  matmul_tn(a: number, b: number, out: number, S: number, M: number, N: number, mb: number, accumulate: number): void;
  matmul_tiled(a: number, b: number, out: number, S: number, M: number, N: number, accumulate: number): void;
  sum_rows(x: number, out: number, rows: number, cols: number): void;
  im2col(x: number, patches: number, geometry: number, first: number, rows: number): void;
  col2im(patches: number, dx: number, geometry: number): void;
  max_pool_grad(x: number, dy: number, dx: number, geometry: number): void;
}

/** The attributes tfjs gives every 2-D window kernel (convolution and pooling gradients). */
export type WindowAttrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

/** ... and a convolution's data layout. */
export type ConvAttrs = WindowAttrs & { dataFormat: 'NHWC' | 'NCHW' };

/** What train_kernels.wat's conv and pool kernels read at `geometry` (NHWC, 2-D). */
export interface WindowGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  strideHeight: number;
  strideWidth: number;
  filterHeight: number;
  filterWidth: number;
  padInfo: { top: number; left: number };
}

/**
 * Runs `body` with the geometry written as 13 int32 into a scratch tensor of the heap (the
 * layout GEOMETRY in train_kernels.wat names); the scratch is released afterwards.
 */
export function withGeometry<T>(backend: WasmBackend, g: WindowGeometry, body: (at: number) => T): T {
  const scratch = backend.makeOutput([13], 'int32');
  try {
    const at = heapOffset(backend, scratch) as number;
    new Int32Array(backend.wasm.HEAPU8.buffer, at, 13).set([
      g.batchSize, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
      g.strideHeight, g.strideWidth, g.filterHeight, g.filterWidth, g.padInfo.top, g.padInfo.left, 0,
    ]);
    return body(at);
  } finally {
    backend.disposeData(scratch.dataId);
  }
}

/** Per backend memory: its kernel instance, or null when this engine cannot run the module. */
const instances = new WeakMap<object, TrainKernels | null>();

function backendMemory(backend: WasmBackend): WasmMemory | null {
  const exported = backend.wasm.asm ? Object.values(backend.wasm.asm).find(isMemory) : undefined;
  const memory = exported ?? (isMemory(backend.wasm.wasmMemory) ? backend.wasm.wasmMemory : undefined);
  return memory ?? null;
}

function isMemory(v: unknown): v is WasmMemory {
  const api = (globalThis as { WebAssembly?: { Memory?: new (...args: never[]) => unknown } }).WebAssembly;
  return api?.Memory !== undefined && v instanceof api.Memory;
}

/**
 * Our SIMD kernels bound to this backend's heap, or null: no memory found, or no wasm SIMD. The
 * multi-threaded build (cross-origin-isolated pages) has a shared memory: the module variant that
 * imports shared memory binds to it (our kernels run on the calling thread).
 */
export function trainKernels(backend: WasmBackend): TrainKernels | null {
  const memory = backendMemory(backend);
  if (memory === null) return null;
  return kernelsFor(memory);
}

/** The kernel module instantiated on `memory` (shared or not), once per memory. */
export function kernelsFor(memory: WasmMemory): TrainKernels | null {
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    kernels = instantiateBase64<TrainKernels>(shared ? TRAIN_KERNELS_SHARED_WASM_BASE64 : TRAIN_KERNELS_WASM_BASE64, { tfjs: { memory } });
    instances.set(memory, kernels);
  }
  return kernels;
}

/** Byte offset of a tensor's values in the heap (null for empty tensors). */
export function heapOffset(backend: WasmBackend, info: TensorInfo): number | null {
  return backend.dataIdMap.get(info.dataId)?.memoryOffset ?? null;
}

/** A float32 view of a tensor's values, taken now (a heap growth replaces the buffer). */
export function heapFloats(backend: WasmBackend, info: TensorInfo, size: number): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer, heapOffset(backend, info) ?? 0, size);
}
