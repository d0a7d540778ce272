/**
 * Puts keras2tfjs' kernels into tfjs' kernel registry for the wasm backend, with nothing for the
 * user to call: importing keras2tfjs is enough, before or after `@tensorflow/tfjs-backend-wasm`.
 *
 * tfjs looks a kernel up by (name, backend) on every op, so replacing a registry entry takes
 * effect at once. Each replacement keeps tfjs' own config (its setup and dispose functions) and
 * hands it every case it does not speed up; Conv2DBackpropFilter, which tfjs' wasm backend lacks,
 * is added. The registry only holds the wasm backend's kernels once its package is imported, and
 * that import would overwrite earlier entries, so replacement happens
 *   - now, if the wasm kernels are already registered, and
 *   - when the wasm backend initializes (tfjs calls the setup function of every kernel registered
 *     for a backend then): a setup-only registry entry, INIT_HOOK, installs them at that moment.
 * Replacing is idempotent (our kernel functions carry a mark), so two copies of keras2tfjs in one
 * app, or both moments above, install once.
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import { fastBatchMatMul } from './batch_mat_mul.js';
import { conv2dBackpropFilter } from './conv2d_backprop_filter.js';
import { conv2dBackpropInput } from './conv2d_backprop_input.js';
import { fastGatherV2 } from './gather_v2.js';
import { sharedIdentity } from './identity.js';
import { maxPoolGrad } from './max_pool_grad.js';
import { sumLeadingAxes } from './sum.js';

const BACKEND = 'wasm';
const INIT_HOOK = 'Keras2tfjsInstallWasmKernels';
const OURS = Symbol.for('keras2tfjs.wasmKernel');

/** Kernel name → our kernel function, given tfjs' (undefined where tfjs has none). */
const KERNELS: Record<string, (tfjs: KernelFunc | undefined) => KernelFunc | null> = {
  GatherV2: (tfjs) => (tfjs ? fastGatherV2(tfjs) : null),
  BatchMatMul: (tfjs) => (tfjs ? fastBatchMatMul(tfjs) : null),
  Conv2DBackpropFilter: (tfjs) => (tfjs ? null : conv2dBackpropFilter),
  Conv2DBackpropInput: (tfjs) => (tfjs ? conv2dBackpropInput(tfjs) : null),
  MaxPoolGrad: (tfjs) => (tfjs ? maxPoolGrad(tfjs) : null),
  Sum: (tfjs) => (tfjs ? sumLeadingAxes(tfjs) : null),
  Identity: (tfjs) => (tfjs ? sharedIdentity(tfjs) : null),
};

/** tfjs' own wasm kernel functions we replaced, by kernel name (tests compare against them). */
const replaced = new Map<string, KernelFunc>();

function isOurs(config: KernelConfig | undefined): boolean {
  return config !== undefined && (config.kernelFunc as { [OURS]?: true })[OURS] === true;
}

/** Replaces or adds the kernels now; a no-op until tfjs' wasm kernels are registered. */
export function installWasmKernels(): void {
  if (getKernel('BatchMatMul', BACKEND) === undefined) return; // tfjs-backend-wasm not imported yet
  for (const [kernelName, make] of Object.entries(KERNELS)) {
    const current = getKernel(kernelName, BACKEND);
    if (isOurs(current)) continue;
    const kernelFunc = make(current?.kernelFunc);
    if (kernelFunc === null) continue; // e.g. a future tfjs that has its own Conv2DBackpropFilter
    Object.defineProperty(kernelFunc, OURS, { value: true });
    if (current !== undefined) {
      replaced.set(kernelName, current.kernelFunc);
      unregisterKernel(kernelName, BACKEND);
    }
    registerKernel({ ...current, kernelName, backendName: BACKEND, kernelFunc });
  }
}

/** True when keras2tfjs' kernel serves `kernelName` on wasm (for tests and the bench). */
export function wasmKernelInstalled(kernelName: string): boolean {
  return isOurs(getKernel(kernelName, BACKEND));
}

/** tfjs' own wasm kernel that ours replaced (undefined if none was replaced in this module copy). */
export function tfjsWasmKernel(kernelName: string): KernelFunc | undefined {
  return replaced.get(kernelName);
}

if (getKernel(INIT_HOOK, BACKEND) === undefined) {
  registerKernel({
    kernelName: INIT_HOOK,
    backendName: BACKEND,
    kernelFunc: () => {
      throw new Error(`${INIT_HOOK} is a registration hook, not an op`);
    },
    setupFunc: installWasmKernels,
  });
}
installWasmKernels();
