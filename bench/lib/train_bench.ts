/**
 * Training speed, side by side: Python Keras (TensorFlow backend) first — it also writes the
 * training arrays — then TypeScript on each backend, on those same arrays.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendName } from '../../src/backend.js';
import type { TrainResult } from '../sections/train.js';
import type { ErrorLog } from '../run.js';
import { runPythonScript, runSectionProcess } from './child.js';
import { CACHE_DIR, projectPython } from './paths.js';
import { median, round4 } from './stats.js';

const DATA_DIR = join(CACHE_DIR, 'train_data');

export interface KerasTrainResult {
  samples_per_s: number;
  rows: number;
  batch_size: number;
  steps_per_epoch: number;
  epoch_seconds: number[];
  first_epoch_seconds: number;
  keras: string;
  tensorflow: string;
}

export interface TrainSummary {
  samples_per_s_ts: number | null;
  samples_per_s_keras: number | null;
  ratio: number | null;
  best_backend: BackendName | null;
  /**
   * Ratio of the fastest epochs (TypeScript best backend vs Keras): outside load only ever slows
   * an epoch down, so the fastest epoch of each side is the least disturbed view.
   */
  ratio_fastest_epochs: number | null;
  /** The first Python Keras run in full detail. */
  keras: KerasTrainResult | null;
  /** samples/s of each Python Keras run (before, and in the full run after, the TypeScript runs). */
  keras_runs_samples_per_s: number[];
  per_backend: Partial<Record<BackendName, TrainResult>>;
  /** tfjs' own RMSProp on the best backend (not Keras-exact), to show what the exact optimizer costs. */
  tfjs_optimizer_on_best_backend: TrainResult | null;
  /** fitDataset on batches cut in JavaScript instead of fit (which tf.gathers each batch). */
  dataset_feed: Partial<Record<BackendName, TrainResult>>;
}

/**
 * Timed epochs (one more runs untimed first on each side). An epoch is 4 steps: ~0.1 s for
 * Keras and tfjs-node (so many epochs, or outside load decides the median), ~1 s on wasm,
 * ~6 s on the cpu backend.
 */
function epochs(side: 'keras' | BackendName, quick: boolean): number {
  if (side === 'cpu') return quick ? 0 : 2;
  if (side === 'wasm') return quick ? 2 : 5;
  return quick ? 20 : 60;
}

export function runTrainBench(quick: boolean, tfjsNode: boolean, logError: ErrorLog): TrainSummary {
  const out: TrainSummary = {
    samples_per_s_ts: null,
    samples_per_s_keras: null,
    ratio: null,
    ratio_fastest_epochs: null,
    best_backend: null,
    keras: null,
    keras_runs_samples_per_s: [],
    per_backend: {},
    tfjs_optimizer_on_best_backend: null,
    dataset_feed: {},
  };
  // Python Keras runs before the TypeScript runs and (full run) again after them, so a change
  // in the machine's outside load during the run shows up on both sides of the ratio.
  const kerasRuns: KerasTrainResult[] = [];
  const runKeras = () => {
    process.stderr.write('bench: training, Python Keras (TensorFlow backend)\n');
    try {
      if (!existsSync(projectPython())) throw new Error(`no project Python at ${projectPython()} (python -m venv .venv && pip install -r python/requirements.txt)`);
      const r = runPythonScript<KerasTrainResult>(projectPython(), 'train_keras.py', ['--data-dir', DATA_DIR, '--epochs', String(epochs('keras', quick))]);
      process.stderr.write(`  Python Keras: ${r.samples_per_s.toFixed(0)} samples/s\n`);
      kerasRuns.push(r);
    } catch (e) {
      logError('train/keras', e);
    }
  };
  runKeras();
  if (!existsSync(join(DATA_DIR, 'x_train.npy'))) {
    logError('train/typescript', new Error('no training data (the Python side writes it)'));
    return out;
  }
  const backends: BackendName[] = ['wasm', ...(tfjsNode ? (['tensorflow'] as BackendName[]) : []), 'cpu'];
  for (const backend of backends) {
    const n = epochs(backend, quick);
    if (n === 0) continue;
    process.stderr.write(`bench: training, TypeScript on ${backend}\n`);
    try {
      out.per_backend[backend] = runSectionProcess<TrainResult>('train', ['--backend', backend, '--data', DATA_DIR, '--epochs', String(n)]);
    } catch (e) {
      logError(`train/${backend}`, e);
    }
  }
  for (const backend of quick ? (['wasm'] as BackendName[]) : backends.filter((b) => b !== 'cpu')) {
    process.stderr.write(`bench: training, TypeScript on ${backend}, fitDataset with batches cut in JavaScript\n`);
    try {
      out.dataset_feed[backend] = runSectionProcess<TrainResult>('train', [
        '--backend', backend, '--data', DATA_DIR, '--epochs', String(epochs(backend, quick)), '--feed', 'dataset',
      ]);
    } catch (e) {
      logError(`train/${backend}/dataset`, e);
    }
  }
  if (!quick) runKeras();
  if (kerasRuns.length > 0) {
    out.keras = kerasRuns[0];
    out.keras_runs_samples_per_s = kerasRuns.map((r) => round4(r.samples_per_s));
    out.samples_per_s_keras = round4(median(out.keras_runs_samples_per_s));
  }
  const ranked = Object.values(out.per_backend).sort((a, b) => b.samples_per_s - a.samples_per_s);
  if (ranked.length > 0) {
    out.best_backend = ranked[0].backend;
    out.samples_per_s_ts = ranked[0].samples_per_s;
    if (out.samples_per_s_keras !== null) out.ratio = round4(out.samples_per_s_ts / out.samples_per_s_keras);
    if (kerasRuns.length > 0) {
      const fastestKeras = Math.min(...kerasRuns.flatMap((r) => r.epoch_seconds));
      out.ratio_fastest_epochs = round4(fastestKeras / Math.min(...ranked[0].epoch_seconds));
    }
    if (!quick) {
      try {
        out.tfjs_optimizer_on_best_backend = runSectionProcess<TrainResult>('train', [
          '--backend', ranked[0].backend, '--data', DATA_DIR, '--epochs', String(epochs(ranked[0].backend, quick)), '--optimizer', 'tfjs',
        ]);
      } catch (e) {
        logError('train/tfjs-optimizer', e);
      }
    }
  }
  return out;
}
