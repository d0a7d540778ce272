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
import { installWasmKernels } from './wasm_backend/install.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendChoice {
  /** The backend tfjs now runs on. */
  name: BackendName;
  /** One line for humans: which backend, and why not a faster one. */
  reason: string;
}

const require = createRequire(import.meta.url);

async function tryNode(): Promise<string | null> {
  try {
    // A dynamic import keeps tfjs-node optional: a missing package or a missing
    // native library throws here and we fall through.
    await import('@tensorflow/tfjs-node' as string);
    return tf.findBackend('tensorflow') ? null : 'tfjs-node loaded but registered no backend';
  } catch (e) {
    return `tfjs-node unavailable (${firstLine(e)})`;
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
}

/**
 * Chooses tfjs-node, then wasm, then cpu. `preferred` (or env KERAS2TFJS_BACKEND) forces one.
 */
export async function chooseBackend(preferred?: BackendName): Promise<BackendChoice> {
  const forced = preferred ?? (process.env.KERAS2TFJS_BACKEND as BackendName | undefined);
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
    return { name: 'wasm', reason: `backend: wasm (${nodeWhy})` };
  } catch (e) {
    await useBackend('cpu');
    return { name: 'cpu', reason: `backend: cpu (${nodeWhy}; wasm failed: ${firstLine(e)})` };
  }
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0];
}
