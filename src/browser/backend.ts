/**
 * `chooseBackend()` in a browser (the twin of src/backend.ts; package.json "browser" maps it):
 * webgpu, then webgl, then wasm, then cpu, the first that starts, and says which and why not a
 * faster one in one line.
 *
 * webgpu and webgl are the app's to register (`@tensorflow/tfjs` registers webgl;
 * `import '@tensorflow/tfjs-backend-webgpu'` adds webgpu): keras2tfjs does not pull GPU backends
 * into every app. wasm is keras2tfjs' own dependency, loaded only when it is tried; the browser
 * fetches its .wasm files from `wasmPaths` (default: beside the script, as tfjs does).
 */
import * as tf from '@tensorflow/tfjs-core';
// Static: every tfjs app has it already (@tensorflow/tfjs imports it), so a dynamic import would
// only make bundlers warn that it cannot move it into a chunk of its own.
import '@tensorflow/tfjs-backend-cpu';
import type { BackendChoice, BackendName, ChooseBackendOptions } from '../backend.js';
import { ErrorCode, Keras2TfjsError } from '../errors.js';
import { installWasmKernels, wasmKernelInstalled } from '../wasm_backend/install.js';

export type { BackendChoice, BackendName, ChooseBackendOptions } from '../backend.js';

/** Fastest first. */
const BROWSER_ORDER = ['webgpu', 'webgl', 'wasm'] as const;

/** Where the wasm files are served, from the last chooseBackend({ wasmPaths }). */
let wasmPaths: string | Record<string, string> | undefined;

/** What to import so that a GPU backend exists. */
const REGISTERED_BY: Record<string, string> = {
  webgpu: "import '@tensorflow/tfjs-backend-webgpu' to try it",
  webgl: "import '@tensorflow/tfjs' or '@tensorflow/tfjs-backend-webgl' to try it",
};

/**
 * Loads tfjs' wasm backend (it registers itself), points it at its .wasm files if told where, and
 * gives it keras2tfjs' training kernels (src/wasm_backend), as in Node.
 */
export async function registerWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (wasmPaths !== undefined) wasm.setWasmPaths(wasmPaths);
  installWasmKernels();
}

/** The pure-JavaScript cpu backend (always available; registered when this module loads). */
export async function registerCpu(): Promise<void> {}

/** Switches tfjs to the named backend, registering wasm or cpu first. Throws if it cannot start. */
export async function useBackend(name: BackendName): Promise<void> {
  if (name === 'tensorflow') {
    throw new Keras2TfjsError(
      ErrorCode.NOT_IN_BROWSER,
      "backend 'tensorflow' is tfjs-node, which runs only in Node; in a browser choose webgpu, webgl, wasm or cpu (or call chooseBackend())",
    );
  }
  if (name === 'wasm') await registerWasm();
  else if (name === 'cpu') await registerCpu();
  else if (!tf.findBackendFactory(name)) throw new Error(`tfjs backend '${name}' is not registered: ${REGISTERED_BY[name]}`);
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' failed to initialize`);
  await tf.ready();
}

/**
 * Chooses webgpu, webgl, wasm, then cpu, and says which in one line (console.info; `quiet` keeps
 * it to the returned `reason`). `backend` forces one.
 */
export async function chooseBackend(options: BackendName | ChooseBackendOptions = {}): Promise<BackendChoice> {
  const { backend, quiet = false, wasmPaths: paths } = typeof options === 'string' ? { backend: options } : options;
  if (paths !== undefined) wasmPaths = paths;
  const choice = await pickBackend(backend);
  if (!quiet) console.info(`keras2tfjs: ${choice.reason}`);
  return choice;
}

async function pickBackend(forced: BackendName | undefined): Promise<BackendChoice> {
  if (forced) {
    await useBackend(forced);
    return { name: forced, reason: `backend: ${forced} (requested)` };
  }
  const passed: string[] = [];
  for (const name of BROWSER_ORDER) {
    const why = await whyNot(name);
    const kernels = name === 'wasm' && wasmKernelInstalled('BatchMatMul') ? " with keras2tfjs' SIMD training kernels" : '';
    if (why === null) return { name, reason: `backend: ${name}${kernels}${passed.length > 0 ? ` (${passed.join('; ')})` : ''}` };
    passed.push(`${name} ${why}`);
  }
  await useBackend('cpu');
  return { name: 'cpu', reason: `backend: cpu (${passed.join('; ')})` };
}

/** Null once `name` runs, else why it does not (for the one line). */
async function whyNot(name: (typeof BROWSER_ORDER)[number]): Promise<string | null> {
  if (name === 'wasm') {
    try {
      await registerWasm();
    } catch (e) {
      return `did not load (${e instanceof Error ? e.message : String(e)})`;
    }
  } else if (!tf.findBackendFactory(name)) {
    return `is not registered: ${REGISTERED_BY[name]}`;
  } else if (name === 'webgpu' && !(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) {
    return 'is not offered by this browser';
  }
  // tfjs logs why a backend failed to start (console.warn) and answers false.
  if (!(await tf.setBackend(name))) {
    return name === 'wasm'
      ? `did not start (are its .wasm files served? say where with chooseBackend({ wasmPaths }))`
      : 'did not start (no usable GPU context here)';
  }
  await tf.ready();
  return null;
}
