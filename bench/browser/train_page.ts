/**
 * The browser side of the training bench (bundled by test/helpers/browser.ts' bundleForBrowser and
 * served by bench/sections/train_browser.ts): the same model file and .npy arrays as the Node
 * runs, converted by keras2tfjs from bytes (loadKerasModel takes a path only), compiled from the
 * file's Keras compile config, trained with `model.fit` on tfjs' webgl or wasm backend. `globalThis.trainInBrowser(options)` resolves to the per-epoch times.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgl';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { compileFromKerasConfig, convert, readNpy } from '../../src/index.js';
import { trainKernels, type WasmBackend } from '../../src/wasm_backend/wasm_heap.js';

/** The few browser globals used (the project compiles without the DOM library). */
interface WebGl {
  RENDERER: number;
  getExtension(name: string): { UNMASKED_RENDERER_WEBGL: number } | null;
  getParameter(name: number): unknown;
}
const page = globalThis as unknown as {
  location: { origin: string };
  navigator: { userAgent: string };
  document: { createElement(tag: 'canvas'): { getContext(kind: 'webgl2'): WebGl | null } };
  fetch(path: string): Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
};

export interface BrowserTrainOptions {
  backend: 'webgl' | 'wasm';
  /** The seed model's Lambda mapping, or none. */
  lambdas: Record<string, { className: string; config: Record<string, unknown> }> | undefined;
  batchSize: number;
  epochs: number;
}

export interface BrowserTrainResult {
  backend: string;
  epochSeconds: number[];
  rows: number;
  userAgent: string;
  renderer: string | null;
  kernelsInstalled: boolean;
  /** keras2tfjs' SIMD module runs on the backend's memory (it does not on the shared memory of tfjs' threaded build). */
  simdKernels: boolean;
  /** The wasm backend's heap is shared memory: tfjs loaded its multi-threaded build. */
  sharedHeap: boolean;
}

async function bytes(path: string): Promise<Uint8Array> {
  const response = await page.fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function webglRenderer(): string | null {
  const gl = page.document.createElement('canvas').getContext('webgl2');
  if (!gl) return null;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

async function trainInBrowser(options: BrowserTrainOptions): Promise<BrowserTrainResult> {
  setWasmPaths(`${page.location.origin}/wasm/`);
  if (!(await tf.setBackend(options.backend))) throw new Error(`backend ${options.backend} did not start`);
  await tf.ready();
  const xs = readNpy(await bytes('/x_train.npy'));
  const ys = readNpy(await bytes('/y_train.npy'));
  const rows = xs.shape[0];
  const x = tf.tensor(xs.data as Float32Array, xs.shape);
  const y = tf.tensor(ys.data as Float32Array, ys.shape.length === 1 ? [rows, 1] : ys.shape);
  const { artifacts, report } = await convert(await bytes('/model.keras'), { lambdas: options.lambdas });
  const model = await loadLayersModel(tf.io.fromMemory(artifacts));
  if (report.trainingConfig === null) throw new Error('model.keras has no compile config');
  compileFromKerasConfig(model, report.trainingConfig);
  const epochSeconds: number[] = [];
  let start = 0;
  await model.fit(x, y, {
    batchSize: options.batchSize,
    epochs: options.epochs + 1,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochBegin: async () => {
        start = performance.now();
      },
      onEpochEnd: async () => {
        epochSeconds.push((performance.now() - start) / 1000);
      },
    },
  });
  tf.dispose([x, y]);
  model.dispose();
  const kernel = tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc as unknown as { [key: symbol]: unknown } | undefined;
  return {
    backend: tf.getBackend(),
    epochSeconds,
    rows,
    userAgent: page.navigator.userAgent,
    renderer: webglRenderer(),
    kernelsInstalled: kernel?.[Symbol.for('keras2tfjs.wasmKernel')] === true,
    simdKernels: options.backend === 'wasm' && trainKernels(tf.backend() as unknown as WasmBackend) !== null,
    sharedHeap:
      options.backend === 'wasm' &&
      typeof SharedArrayBuffer !== 'undefined' &&
      (tf.backend() as unknown as WasmBackend).wasm.HEAPU8.buffer instanceof SharedArrayBuffer,
  };
}

(globalThis as { trainInBrowser?: typeof trainInBrowser }).trainInBrowser = trainInBrowser;
