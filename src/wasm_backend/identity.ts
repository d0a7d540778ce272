/**
 * Identity on the wasm backend without a copy: the output shares the input's heap memory and
 * its reference count grows, as tfjs' cpu and webgl backends (and the wasm backend's own Reshape)
 * do. Values are never written in place, so sharing is safe. tfjs' wasm kernel copies every
 * value instead — and tfjs runs Identity for every tensor it saves for the backward pass
 * (`clone`), so training copied each layer's activations once more per step (≈5 ms a step for a
 * small conv model). Strings go to tfjs' kernel.
 */
import type { KernelFunc, DataId, TensorInfo } from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: DataId): void;
}

export function sharedIdentity(tfjsIdentity: KernelFunc): KernelFunc {
  return function identityWasm(args) {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return tfjsIdentity(args);
    (args.backend as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
