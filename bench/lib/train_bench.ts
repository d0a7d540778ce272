/**
 * Training speed, side by side, for two models (lib/train_models.ts): Python Keras (TensorFlow
 * backend) first — it also writes the training arrays (and the conv model file) — then
 * TypeScript with `model.fit` on each Node backend (wasm, tfjs-node when present, cpu) and in
 * headless Chromium (webgl on SwiftShader, wasm), on those same bytes; in the full run Keras
 * again after them, so a change in outside load shows on both sides of the ratio.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendName } from '../../src/backend.js';
import type { TrainResult } from '../sections/train.js';
import type { BrowserTrainResult } from '../sections/train_browser.js';
import type { ErrorLog } from '../run.js';
import { chromiumPath } from '../../test/helpers/browser.js';
import { runPythonScript, runSectionProcess } from './child.js';
import { CACHE_DIR, projectPython } from './paths.js';
import { median, round4 } from './stats.js';
import type { TrainModel } from './train_models.js';

const DATA_DIR: Record<TrainModel, string> = { seed: join(CACHE_DIR, 'train_data'), conv: join(CACHE_DIR, 'train_conv') };
type BrowserBackend = 'webgl' | 'wasm';

export interface KerasTrainResult {
  samples_per_s: number;
  rows: number;
  batch_size: number;
  steps_per_epoch: number;
  epoch_seconds: number[];
  /** CPU time of the Python process per timed epoch, all threads. */
  epoch_cpu_seconds: number[];
  first_epoch_seconds: number;
  keras: string;
  tensorflow: string;
}

export interface ModelTrainSummary {
  model: TrainModel;
  /** The first Python Keras run in full detail. */
  keras: KerasTrainResult | null;
  /** samples/s of each Python Keras run (before, and in the full run after, the TypeScript runs). */
  keras_runs_samples_per_s: number[];
  samples_per_s_keras: number | null;
  /** TypeScript with model.fit in Node, per backend. */
  node: Partial<Record<BackendName, TrainResult>>;
  /** TypeScript with model.fit in headless Chromium, per backend. */
  browser: Partial<Record<BrowserBackend, BrowserTrainResult>>;
  /** samples/s of each TypeScript run / samples_per_s_keras, keyed 'node wasm', 'chromium webgl', ... */
  ratios: Record<string, number>;
}

export interface TrainSummary {
  /** The seed model on its fastest Node backend vs Keras (the target of issue 7). */
  samples_per_s_ts: number | null;
  samples_per_s_keras: number | null;
  ratio: number | null;
  best_backend: BackendName | null;
  /**
   * Ratio of the fastest epochs (TypeScript best backend vs Keras, seed model): outside load
   * only ever slows an epoch down, so the fastest epoch of each side is the least disturbed view.
   */
  ratio_fastest_epochs: number | null;
  models: Partial<Record<TrainModel, ModelTrainSummary>>;
  /** tfjs' own RMSProp on the best backend (not Keras-exact), to show what the exact optimizer costs. */
  tfjs_optimizer_on_best_backend: TrainResult | null;
  /** fitDataset on batches cut in JavaScript instead of fit (seed model, wasm). */
  dataset_feed: Partial<Record<BackendName, TrainResult>>;
}

/**
 * Timed epochs (one more runs untimed first). Seed model: an epoch is 4 steps, ~0.1 s for Keras,
 * tfjs-node and wasm, ~5 s on cpu. Conv model: 16 steps, ~0.3 s for Keras, ~1 s on wasm, tens of
 * seconds on webgl-on-SwiftShader; on the cpu backend (tfjs' JavaScript conv gradients) over 10
 * minutes under load, so the conv model is not run there.
 */
const EPOCHS: Record<TrainModel, Record<'keras' | BackendName | `chromium-${BrowserBackend}`, [quick: number, full: number]>> = {
  seed: { keras: [20, 60], tensorflow: [20, 60], wasm: [6, 20], cpu: [0, 2], 'chromium-wasm': [4, 10], 'chromium-webgl': [2, 4] },
  conv: { keras: [6, 20], tensorflow: [6, 20], wasm: [3, 8], cpu: [0, 0], 'chromium-wasm': [2, 5], 'chromium-webgl': [0, 2] },
};

function epochs(model: TrainModel, side: keyof (typeof EPOCHS)['seed'], quick: boolean): number {
  return EPOCHS[model][side][quick ? 0 : 1];
}

export function runTrainBench(quick: boolean, tfjsNode: boolean, logError: ErrorLog): TrainSummary {
  const out: TrainSummary = {
    samples_per_s_ts: null,
    samples_per_s_keras: null,
    ratio: null,
    ratio_fastest_epochs: null,
    best_backend: null,
    models: {},
    tfjs_optimizer_on_best_backend: null,
    dataset_feed: {},
  };
  const nodeBackends: BackendName[] = ['wasm', ...(tfjsNode ? (['tensorflow'] as BackendName[]) : []), 'cpu'];
  const browser = chromiumPath() !== null;
  if (!browser) logError('train/chromium', new Error('no Chromium (apt-get install -y chromium-headless-shell): browser runs skipped'));

  for (const model of ['seed', 'conv'] as TrainModel[]) {
    const dataDir = DATA_DIR[model];
    const m: ModelTrainSummary = { model, keras: null, keras_runs_samples_per_s: [], samples_per_s_keras: null, node: {}, browser: {}, ratios: {} };
    out.models[model] = m;
    const kerasRuns: KerasTrainResult[] = [];
    const runKeras = () => {
      process.stderr.write(`bench: training the ${model} model, Python Keras (TensorFlow backend)\n`);
      try {
        if (!existsSync(projectPython())) throw new Error(`no project Python at ${projectPython()} (python -m venv .venv && pip install -r python/requirements.txt)`);
        const r = runPythonScript<KerasTrainResult>(projectPython(), 'train_keras.py', [
          '--data-dir', dataDir, '--epochs', String(epochs(model, 'keras', quick)), '--model', model,
        ]);
        process.stderr.write(`  Python Keras: ${r.samples_per_s.toFixed(0)} samples/s\n`);
        kerasRuns.push(r);
      } catch (e) {
        logError(`train/${model}/keras`, e);
      }
    };
    runKeras();
    if (!existsSync(join(dataDir, 'x_train.npy'))) {
      logError(`train/${model}/typescript`, new Error('no training data (the Python side writes it)'));
      continue;
    }
    for (const backend of nodeBackends) {
      const n = epochs(model, backend, quick);
      if (n === 0) continue;
      process.stderr.write(`bench: training the ${model} model, TypeScript on ${backend}\n`);
      try {
        m.node[backend] = runSectionProcess<TrainResult>('train', ['--backend', backend, '--data', dataDir, '--epochs', String(n), '--model', model]);
      } catch (e) {
        logError(`train/${model}/${backend}`, e);
      }
    }
    for (const backend of browser ? (['wasm', 'webgl'] as BrowserBackend[]) : []) {
      const n = epochs(model, `chromium-${backend}`, quick);
      if (n === 0) continue;
      process.stderr.write(`bench: training the ${model} model, TypeScript in headless Chromium on ${backend}\n`);
      try {
        m.browser[backend] = runSectionProcess<BrowserTrainResult>('train_browser', ['--backend', backend, '--data', dataDir, '--epochs', String(n), '--model', model]);
      } catch (e) {
        logError(`train/${model}/chromium-${backend}`, e);
      }
    }
    if (model === 'seed' && !quick) {
      process.stderr.write('bench: training the seed model, TypeScript on wasm, fitDataset with batches cut in JavaScript\n');
      try {
        out.dataset_feed.wasm = runSectionProcess<TrainResult>('train', [
          '--backend', 'wasm', '--data', dataDir, '--epochs', String(epochs(model, 'wasm', quick)), '--feed', 'dataset',
        ]);
      } catch (e) {
        logError('train/seed/wasm/dataset', e);
      }
    }
    if (!quick) runKeras();
    if (kerasRuns.length > 0) {
      m.keras = kerasRuns[0];
      m.keras_runs_samples_per_s = kerasRuns.map((r) => round4(r.samples_per_s));
      m.samples_per_s_keras = round4(median(m.keras_runs_samples_per_s));
      const keras = m.samples_per_s_keras;
      for (const [backend, r] of Object.entries(m.node)) m.ratios[`node ${backend}`] = round4(r.samples_per_s / keras);
      for (const [backend, r] of Object.entries(m.browser)) m.ratios[`chromium ${backend}`] = round4(r.samples_per_s / keras);
    }

    if (model === 'seed') {
      const ranked = Object.values(m.node).sort((a, b) => b.samples_per_s - a.samples_per_s);
      if (ranked.length === 0) continue;
      out.best_backend = ranked[0].backend;
      out.samples_per_s_ts = ranked[0].samples_per_s;
      out.samples_per_s_keras = m.samples_per_s_keras;
      if (m.samples_per_s_keras !== null) out.ratio = round4(ranked[0].samples_per_s / m.samples_per_s_keras);
      if (kerasRuns.length > 0) {
        const fastestKeras = Math.min(...kerasRuns.flatMap((r) => r.epoch_seconds));
        out.ratio_fastest_epochs = round4(fastestKeras / Math.min(...ranked[0].epoch_seconds));
      }
      if (!quick) {
        try {
          out.tfjs_optimizer_on_best_backend = runSectionProcess<TrainResult>('train', [
            '--backend', ranked[0].backend, '--data', dataDir, '--epochs', String(epochs(model, ranked[0].backend, quick)), '--optimizer', 'tfjs',
          ]);
        } catch (e) {
          logError('train/tfjs-optimizer', e);
        }
      }
    }
  }
  return out;
}
