/**
 * Picks the fastest TensorFlow.js backend that works on this machine:
 * tfjs-node (native libtensorflow) if it loads, else wasm (SIMD, ships inside the
 * npm package, works offline), else the pure-JavaScript cpu backend.
 *
 * tfjs-node is an optional dependency: its install downloads a native library and
 * fails without internet, so everything here must work without it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { installWasmKernels, wasmKernelInstalled } from './wasm_backend/install.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendChoice {
  /** The backend tfjs now runs on. */
  name: BackendName;
  /** One line for humans: which backend, and why not a faster one. */
  reason: string;
}

export interface ChooseBackendOptions {
  /** Use this backend (or env KERAS2TFJS_BACKEND) instead of choosing. */
  backend?: BackendName;
  /** Do not print the one line that says which backend (the line is still in `reason`). */
  quiet?: boolean;
}

const require = createRequire(import.meta.url);

async function tryNode(): Promise<string | null> {
  try {
    // A dynamic import keeps tfjs-node optional: a missing package or a missing
    // native library throws here and we fall through.
    await import('@tensorflow/tfjs-node' as string);
    return tf.findBackend('tensorflow') ? null : 'tfjs-node loaded but registered no backend';
  } catch (e) {
    // Not installed is the normal case (it is optional): say so calmly, and how to get it.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'the optional tfjs-node is not installed; see docs/tfjs-node.md';
    return `tfjs-node is installed but did not load: ${firstLine(e)}`;
  }
}

let wasmRegistered = false;

/** Registers the wasm backend, pointing it at the .wasm files inside its npm package. */
export async function registerWasm(): Promise<void> {
  if (wasmRegistered) return;
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const pkgDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  wasm.setWasmPaths(join(pkgDir, 'dist') + '/');
  installWasmKernels(); // keras2tfjs' faster and missing wasm kernels (src/wasm_backend)
  wasmRegistered = true;
}

/** Registers the pure-JavaScript cpu backend (always available). */
export async function registerCpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
}

/**
 * The cpu backend prints a banner ("install our node backend") on its first write in Node. Where
 * keras2tfjs chose the backend, it has already said which and why: the banner would repeat it,
 * once per process. Only this backend instance is told, tfjs' PROD flag stays the app's.
 */
function silenceCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

/**
 * Switches tfjs to the named backend, registering it first. Throws if it cannot start.
 */
export async function useBackend(name: BackendName): Promise<void> {
  if (name === 'tensorflow') {
    const why = await tryNode();
    if (why) throw new Error(why);
  } else if (name === 'wasm') {
    await registerWasm();
  } else {
    await registerCpu();
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs backend '${name}' failed to initialize`);
  await tf.ready();
  if (name === 'cpu') silenceCpuBanner();
}

/**
 * Chooses tfjs-node, then wasm, then cpu, and says which in one line (console.info; `quiet`
 * keeps it to the returned `reason`). `backend` (or env KERAS2TFJS_BACKEND) forces one.
 */
export async function chooseBackend(options: BackendName | ChooseBackendOptions = {}): Promise<BackendChoice> {
  const { backend, quiet = false } = typeof options === 'string' ? { backend: options } : options;
  const choice = await pickBackend(backend ?? (process.env.KERAS2TFJS_BACKEND as BackendName | undefined));
  if (!quiet) console.info(`keras2tfjs: ${choice.reason}`);
  return choice;
}

async function pickBackend(forced: BackendName | undefined): Promise<BackendChoice> {
  if (forced) {
    await useBackend(forced);
    return { name: forced, reason: `backend: ${forced} (requested)` };
  }
  const nodeWhy = await tryNode();
  if (!nodeWhy) {
    await useBackend('tensorflow');
    return { name: 'tensorflow', reason: 'backend: tensorflow (tfjs-node, native)' };
  }
  try {
    await useBackend('wasm');
    const kernels = wasmKernelInstalled('BatchMatMul') ? " with keras2tfjs' SIMD training kernels" : '';
    return { name: 'wasm', reason: `backend: wasm${kernels} (${nodeWhy})` };
  } catch (e) {
    await useBackend('cpu');
    return { name: 'cpu', reason: `backend: cpu (${nodeWhy}; wasm did not start: ${firstLine(e)})` };
  }
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0];
}
