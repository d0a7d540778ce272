/**
 * In Chromium: the Python fixture models, loaded the two ways a page loads them (a converted
 * model.json over http with tf.loadLayersModel; the Keras file's bytes converted in the page),
 * predict what Python Keras predicted. test/browser/parity.test.ts serves the files and calls
 * `runParity`; the values are compared here, the tolerance is asserted there.
 */
import * as tf from '@tensorflow/tfjs';
import { chooseBackend, convert, ManualDropout, readNpy, type BackendName, type ConvertOptions } from 'keras2tfjs';

export interface ParityCase {
  name: string;
  format: string;
  /** 'http': tf.loadLayersModel(modelJson); otherwise how the Keras file or folder reaches convert(). */
  via: 'http' | 'bytes' | 'folder';
  /** URL of the converted model.json ('http'), of the Keras file, or of the folder. */
  url: string;
  /** 'folder': the paths of its files, inside it. */
  files?: string[];
  options: ConvertOptions;
  x: string;
  yInfer: string;
  training: Array<{ url: string; steps: Record<string, number> }>;
}

export interface ParityResult {
  name: string;
  format: string;
  via: string;
  backend: string;
  /** max |tfjs − Keras| over y_infer, then over each training output. */
  yInfer: number;
  training: number[];
  leakedTensors: number;
}

async function npyTensor(url: string): Promise<tf.Tensor> {
  const a = readNpy(new Uint8Array(await (await fetch(url)).arrayBuffer()), url);
  return tf.tensor(Float32Array.from(a.data as ArrayLike<number>), a.shape, 'float32');
}

/** max |a − b|, or Infinity when the shapes differ. */
function maxDiff(actual: tf.Tensor, expected: tf.Tensor): number {
  if (actual.shape.join() !== expected.shape.join()) return Infinity;
  const a = actual.dataSync();
  const b = expected.dataSync();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** A folder's files as a page holds them after a pick: contents by their path inside it. */
async function folderFiles(url: string, paths: string[]): Promise<Record<string, Blob>> {
  const blobs = await Promise.all(paths.map(async (p) => (await fetch(`${url}/${p}`)).blob()));
  return Object.fromEntries(paths.map((p, i) => [p, blobs[i]]));
}

async function load(c: ParityCase): Promise<tf.LayersModel> {
  if (c.via === 'http') return tf.loadLayersModel(c.url);
  if (c.via === 'folder') {
    const { artifacts } = await convert(await folderFiles(c.url, c.files ?? []), { ...c.options, fileName: c.format });
    return tf.loadLayersModel(tf.io.fromMemory(artifacts));
  }
  const bytes = new Uint8Array(await (await fetch(c.url)).arrayBuffer());
  const { artifacts } = await convert(bytes, { ...c.options, fileName: c.format });
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

async function runCase(c: ParityCase): Promise<ParityResult> {
  const model = await load(c);
  const x = await npyTensor(c.x);
  const before = tf.memory().numTensors;
  const yInfer = await npyTensor(c.yInfer);
  const predicted = model.predict(x) as tf.Tensor;
  const result: ParityResult = { name: c.name, format: c.format, via: c.via, backend: tf.getBackend(), yInfer: maxDiff(predicted, yInfer), training: [], leakedTensors: 0 };
  tf.dispose([predicted, yInfer]);
  const dropouts = model.layers.filter((l): l is ManualDropout => l instanceof ManualDropout);
  for (const t of c.training) {
    for (const d of dropouts) d.setCallCount(t.steps[d.name]);
    const expected = await npyTensor(t.url);
    const trained = model.apply(x, { training: true }) as tf.Tensor;
    result.training.push(maxDiff(trained, expected));
    tf.dispose([trained, expected]);
  }
  result.leakedTensors = tf.memory().numTensors - before;
  x.dispose();
  model.dispose();
  return result;
}

async function runParity(backend: BackendName, cases: ParityCase[]): Promise<ParityResult[]> {
  await chooseBackend({ backend, wasmPaths: '/wasm/', quiet: true });
  const results: ParityResult[] = [];
  for (const c of cases) results.push(await runCase(c));
  return results;
}

Object.assign(globalThis, { runParity });
