/**
 * TypeScript training speed, samples per second, on one backend: the same arrays the Python
 * bench trained on (--data DIR/*.npy), the same model FILE loaded with keras2tfjs'
 * `loadKerasModel`, compiled from the file's Keras compile config with the Keras-exact optimizer
 * and loss: what a user gets after converting the Python model. `--model seed` (default):
 * fixtures/seed_lambda/model.keras, its Lambda mapped to ManualDropout(0.5), batch 512;
 * `--model conv`: the small conv model Python saved as DIR/model.keras, batch 128.
 *
 * Like the Python side, the first epoch is run untimed; samples/s = rows / median epoch time.
 * `--feed dataset` trains with `fitDataset` on batches cut in JavaScript (lib/batches.ts)
 * instead of `fit` (which gathers each shuffled batch with tf.gather).
 * `--optimizer tfjs` recompiles with tfjs' own RMSProp (not Keras-exact), for scale.
 *
 * Flags: --backend cpu|wasm|tensorflow  --data DIR  --epochs N  [--model seed|conv]  [--optimizer keras|tfjs]  [--feed fit|dataset]
 */
import * as tf from '@tensorflow/tfjs-core';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { loadKerasModel } from '../../src/index.js';
import type { BackendName } from '../../src/backend.js';
import { switchTo } from '../lib/backends.js';
import { shuffledBatches } from '../lib/batches.js';
import { readFileSync } from 'node:fs';
import { readNpy } from '../../src/formats/numpy/npy.js';
import { BATCH_SIZE, SEED_LAMBDAS, modelFile, type TrainModel } from '../lib/train_models.js';
import { log, runSection, stringFlag } from '../lib/section.js';
import { median, round4 } from '../lib/stats.js';


export interface TrainResult {
  backend: BackendName;
  model: TrainModel;
  optimizer: 'keras' | 'tfjs';
  feed: 'fit' | 'dataset';
  samples_per_s: number;
  rows: number;
  batch_size: number;
  epoch_seconds: number[];
  /** CPU time of this process per timed epoch (user + system): what outside load does not change. */
  epoch_cpu_seconds: number[];
  first_epoch_seconds: number;
}

async function main(args: Record<string, string | true>): Promise<TrainResult> {
  const backend = stringFlag(args, 'backend') as BackendName;
  const epochs = Number(stringFlag(args, 'epochs'));
  const optimizer = (typeof args['optimizer'] === 'string' ? args['optimizer'] : 'keras') as 'keras' | 'tfjs';
  const dataDir = stringFlag(args, 'data');
  const feed = (typeof args['feed'] === 'string' ? args['feed'] : 'fit') as 'fit' | 'dataset';
  const modelName = (typeof args['model'] === 'string' ? args['model'] : 'seed') as TrainModel;
  const batchSize = BATCH_SIZE[modelName];
  await switchTo(backend);

  const xs = readFloat32(join(dataDir, 'x_train.npy'));
  const ys = readFloat32(join(dataDir, 'y_train.npy'));
  const rows = xs.shape[0];
  const x = tf.tensor(xs.data, xs.shape);
  const y = tf.tensor(ys.data, ys.shape.length === 1 ? [rows, 1] : ys.shape);

  const lambdas = modelName === 'seed' ? SEED_LAMBDAS : undefined;
  const model = await loadKerasModel(modelFile(modelName, dataDir), { lambdas, compile: true });
  if (optimizer === 'tfjs') {
    // tfjs' own RMSProp with Keras' learning rate: not Keras-exact (ε = 1e-8 vs 1e-7), shown for scale.
    const loss = modelName === 'seed' ? 'binaryCrossentropy' : 'categoricalCrossentropy';
    model.compile({ optimizer: tf.train.rmsprop(0.001, 0.9), loss, metrics: ['accuracy'] });
  }

  const epochSeconds: number[] = [];
  const epochCpuSeconds: number[] = [];
  let start = 0;
  let cpuStart = process.cpuUsage();
  const common = {
    epochs: epochs + 1,
    verbose: 0 as const,
    callbacks: {
      onEpochBegin: async () => {
        start = performance.now();
        cpuStart = process.cpuUsage();
      },
      onEpochEnd: async (epoch: number) => {
        epochSeconds.push((performance.now() - start) / 1000);
        const cpu = process.cpuUsage(cpuStart);
        epochCpuSeconds.push((cpu.user + cpu.system) / 1e6);
        log(`${modelName} model on ${backend} (${optimizer} optimizer, ${feed}) epoch ${epoch}: ${epochSeconds[epochSeconds.length - 1].toFixed(3)} s`);
      },
    },
  };
  if (feed === 'fit') {
    await model.fit(x, y, { ...common, batchSize, shuffle: true });
  } else {
    await model.fitDataset(shuffledBatches(xs.data, ys.data, xs.shape, batchSize), common);
  }
  const timed = epochSeconds.slice(1);
  tf.dispose([x, y]);
  model.dispose();
  return {
    backend,
    model: modelName,
    optimizer,
    feed,
    samples_per_s: round4(rows / median(timed)),
    rows,
    batch_size: batchSize,
    epoch_seconds: timed.map(round4),
    epoch_cpu_seconds: epochCpuSeconds.slice(1).map(round4),
    first_epoch_seconds: round4(epochSeconds[0]),
  };
}

runSection(main);

/** The float32 arrays the Python bench wrote, read with the package's own .npy reader. */
function readFloat32(path: string): { shape: number[]; data: Float32Array } {
  const array = readNpy(readFileSync(path), path);
  if (!(array.data instanceof Float32Array)) throw new Error(`${path}: expected float32, got ${array.dtype}`);
  return { shape: array.shape, data: array.data };
}
