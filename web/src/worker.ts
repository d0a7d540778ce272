/**
 * The page's worker: all of keras2tfjs' work, off the page's thread. It holds the dropped model,
 * the converted artifacts and the loaded tfjs model between requests.
 */
import * as tf from '@tensorflow/tfjs';
import {
  chooseBackend,
  convert,
  inspect,
  Keras2TfjsError,
  predictWithDropout,
  readNpy,
  type ConvertOptions,
  type ModelInput,
  type NpyArray,
} from 'keras2tfjs';
import { zipModel } from './model_zip.js';
import type { FromWorker, ModelDrop, Parity, Predictions, Requests, RequestName, ToWorker } from './protocol.js';

/** The README's tolerance for converted models' outputs (float32 summation order). */
const PARITY_TOLERANCE = 1e-5;

interface State {
  drop: ModelDrop | null;
  artifacts: tf.io.ModelArtifacts | null;
  model: tf.LayersModel | null;
  /** x.npy of the last parity check, the sample rows for predictions. */
  x: NpyArray | null;
}

const state: State = { drop: null, artifacts: null, model: null, x: null };
const backend = chooseBackend({ wasmPaths: new URL('wasm/', self.location.href).href });

type Progress = (fraction: number, stage: string) => void;
type Handler<K extends RequestName> = (args: Requests[K]['args'], progress: Progress) => Promise<Requests[K]['result']>;

/** What convert() and inspect() read: the dropped File, or a folder's Files by their path inside it. */
function modelInput(drop: ModelDrop): { input: ModelInput; fileName?: string } {
  if (drop.kind === 'file') return { input: drop.file };
  return { input: Object.fromEntries(drop.files.map((f) => [f.path, f.file])), fileName: drop.name };
}

function requireModel(): tf.LayersModel {
  if (!state.model) throw new Error('convert a model first');
  return state.model;
}

async function readNpyFile(file: File): Promise<NpyArray> {
  return readNpy(new Uint8Array(await file.arrayBuffer()), file.name);
}

function tensorOf(a: NpyArray, rows?: number): tf.Tensor {
  const n = rows === undefined ? a.shape[0] : Math.min(rows, a.shape[0]);
  const width = a.shape.slice(1).reduce((p, d) => p * d, 1);
  const values = Float32Array.from((a.data as ArrayLike<number> & { subarray?: unknown }) as ArrayLike<number>).subarray(0, n * width);
  return tf.tensor(values, [n, ...a.shape.slice(1)], 'float32');
}

const handlers: { [K in RequestName]: Handler<K> } = {
  async inspect({ drop, lambdas }, progress) {
    // A model (or new Lambda mappings) to look at: what was converted before goes.
    state.model?.dispose();
    Object.assign(state, { drop, model: null, artifacts: null, x: null });
    progress(0.1, 'inspect');
    const { input, fileName } = modelInput(drop);
    const report = await inspect(input, { lambdas, fileName });
    return { report, backend: (await backend).reason };
  },

  async convert({ lambdas, quantize }, progress) {
    if (!state.drop) throw new Error('drop a model first');
    const started = performance.now();
    const { input, fileName } = modelInput(state.drop);
    const options: ConvertOptions = { lambdas, fileName, onProgress: (f, stage) => progress(f * 0.9, stage) };
    if (quantize) options.quantize = quantize;
    const { artifacts, report } = await convert(input, options);
    state.model?.dispose();
    state.artifacts = artifacts;
    progress(0.95, 'load');
    state.model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    return { report, seconds: (performance.now() - started) / 1000 };
  },

  async zip(_args, progress) {
    if (!state.artifacts) throw new Error('convert a model first');
    progress(0.2, 'zip');
    return zipModel(state.artifacts);
  },

  async saveIndexedDb({ name }) {
    const url = `indexeddb://${name}`;
    const saved = await requireModel().save(url);
    return { url, bytes: saved.modelArtifactsInfo.weightDataBytes ?? 0 };
  },

  async predict({ rows, samples }): Promise<Predictions> {
    const model = requireModel();
    const inputShape = (model.inputs[0].shape as Array<number | null>).slice(1).map((d) => d ?? 1);
    const x = state.x
      ? tensorOf(state.x, rows)
      : tf.tidy(() => tf.randomUniform([rows, ...inputShape], 0, 1, 'float32', 42).round());
    try {
      const first = model.predict(x) as tf.Tensor;
      const again = model.predict(x) as tf.Tensor;
      const { mean, std } = predictWithDropout(model, x, { samples });
      const [p, a, m, s] = await Promise.all([first, again, mean, std].map((t) => t.array() as Promise<number[][]>));
      tf.dispose([first, again, mean, std]);
      return {
        source: state.x ? 'the first rows of x.npy' : 'random 0/1 rows (seed 42)',
        inputShape,
        rows: p.map((predict, i) => ({ predict, again: a[i], mean: m[i], std: s[i] })),
        samples,
      };
    } finally {
      x.dispose();
    }
  },

  async parity({ x: xFile, y: yFile }): Promise<Parity> {
    const model = requireModel();
    const [xa, ya] = await Promise.all([readNpyFile(xFile), readNpyFile(yFile)]);
    state.x = xa;
    const x = tensorOf(xa);
    const predicted = model.predict(x) as tf.Tensor;
    x.dispose();
    const got = await predicted.data();
    const shape = predicted.shape;
    predicted.dispose();
    if (shape.join() !== ya.shape.join()) {
      throw new Error(`the model gives [${shape.join(', ')}] for x.npy, y.npy holds [${ya.shape.join(', ')}]`);
    }
    let max = 0;
    let sum = 0;
    for (let i = 0; i < got.length; i++) {
      const d = Math.abs(got[i] - Number(ya.data[i]));
      max = Math.max(max, d);
      sum += d;
    }
    return { rows: shape[0], outputs: got.length, maxAbsDiff: max, meanAbsDiff: sum / got.length, tolerance: PARITY_TOLERANCE, backend: tf.getBackend() };
  },
};

function post(message: FromWorker): void {
  (self as unknown as Worker).postMessage(message);
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const { id, name, args } = event.data;
  try {
    await backend;
    const handler = handlers[name] as Handler<typeof name>;
    const result = await handler(args as never, (fraction, stage) => post({ id, kind: 'progress', fraction, stage }));
    post({ id, kind: 'done', result });
  } catch (e) {
    post({ id, kind: 'failed', code: e instanceof Keras2TfjsError ? e.code : null, message: e instanceof Error ? e.message : String(e) });
  }
};
