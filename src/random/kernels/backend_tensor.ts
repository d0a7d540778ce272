/**
 * Float32 tensors filled in place in the tfjs wasm backend's own heap.
 *
 * A dropout mask made as a JS Float32Array and then passed to `tensor()` costs, on the wasm
 * backend, a fresh multi-MB array (whose allocation and garbage collection measured ~4 ms for
 * a [512, 4096] mask in a process with tfjs loaded) plus the copy tfjs makes into its heap. The
 * wasm backend instead lets its kernels allocate an output in its heap (`makeOutput`) and view
 * it as a typed array (`typedArrayFromHeap`), exactly what its own kernels do; the stream
 * functions can fill such a view directly (their `out` argument).
 *
 * Other backends keep (cpu) or upload later (webgl) the array given to `tensor()`, so they get
 * a fresh array as before: `inPlaceTensor` returns null for them.
 */
import { engine, type DataId, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';

/** The two methods of tfjs-backend-wasm's BackendWasm used here (duck-typed: no import of the backend). */
interface HeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
  disposeData(dataId: DataId): boolean;
}

function heapBackend(): HeapBackend | null {
  const e = engine();
  if (e.backendName !== 'wasm') return null;
  const b = e.backend as unknown as Partial<HeapBackend>;
  const usable =
    typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function' && typeof b.disposeData === 'function';
  return usable ? (b as HeapBackend) : null;
}

/**
 * A new float32 tensor of `shape` (at least one element) whose values `fill` writes in place
 * into the view it is given, or null when the active backend has no such heap (then make the
 * values in a JS array and call `tensor()`). The tensor is tracked like any op result (tidy
 * disposes it); if `fill` throws, its memory is released.
 */
export function inPlaceTensor(shape: number[], fill: (values: Float32Array) => void): Tensor | null {
  const backend = heapBackend();
  if (backend === null) return null;
  const info = backend.makeOutput(shape, 'float32');
  try {
    // The view is taken after the allocation: a heap growth inside makeOutput replaces the buffer.
    fill(backend.typedArrayFromHeap(info));
  } catch (error) {
    backend.disposeData(info.dataId);
    throw error;
  }
  return engine().makeTensorFromTensorInfo(info);
}
