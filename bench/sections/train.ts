/**
 * TypeScript training speed on the seed model, samples per second, on one backend: the same
 * arrays the Python bench trained on (bench/.cache/train_data/*.npy), batch 512, the same
 * model (Dense 16 (L2 1e-3, relu) ×2 → ManualDropout 0.5 → Dense 1 sigmoid), compiled from the
 * Keras compile config (rmsprop, binary cross-entropy, accuracy) with keras2tfjs' Keras-exact
 * optimizer and loss — what a user gets after converting the Python model.
 *
 * Like the Python side, the first epoch is run untimed; samples/s = rows / median epoch time.
 *
 * `--feed dataset` trains with `fitDataset` on batches cut in JavaScript (lib/batches.ts)
 * instead of `fit` (which gathers each shuffled batch with tf.gather).
 *
 * Flags: --backend cpu|wasm|tensorflow  --data DIR  --epochs N  [--optimizer keras|tfjs]  [--feed fit|dataset]
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { ManualDropout } from '../../src/index.js';
import type { BackendName } from '../../src/backend.js';
import { compileFromKerasConfig } from '../../src/train/compile_config.js';
import { switchTo } from '../lib/backends.js';
import { shuffledBatches } from '../lib/batches.js';
import { readNpyFloat32 } from '../lib/npy.js';
import { log, runSection, stringFlag } from '../lib/section.js';
import { median, round4 } from '../lib/stats.js';

const BATCH_SIZE = 512;
const L2 = 0.001;
/** The Keras compile config of the seed model (scripts/fixture_common.build_seed_model). */
const SEED_COMPILE_CONFIG = { optimizer: 'rmsprop', loss: 'binary_crossentropy', metrics: ['accuracy'] };

export interface TrainResult {
  backend: BackendName;
  optimizer: 'keras' | 'tfjs';
  feed: 'fit' | 'dataset';
  samples_per_s: number;
  rows: number;
  batch_size: number;
  epoch_seconds: number[];
  first_epoch_seconds: number;
}

function seedModel(inputDim: number): tfl.Sequential {
  const model = tfl.sequential({
    name: 'seed_model',
    layers: [
      tfl.layers.dense({ inputShape: [inputDim], units: 16, activation: 'relu', kernelRegularizer: tfl.regularizers.l2({ l2: L2 }) }),
      tfl.layers.dense({ units: 16, activation: 'relu', kernelRegularizer: tfl.regularizers.l2({ l2: L2 }) }),
      new ManualDropout({ rate: 0.5, seed: 1 }),
      tfl.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  // A Sequential gets its output names when built; compileFromKerasConfig reads them.
  model.build();
  return model;
}

async function main(args: Record<string, string | true>): Promise<TrainResult> {
  const backend = stringFlag(args, 'backend') as BackendName;
  const epochs = Number(stringFlag(args, 'epochs'));
  const optimizer = (typeof args['optimizer'] === 'string' ? args['optimizer'] : 'keras') as 'keras' | 'tfjs';
  const dataDir = stringFlag(args, 'data');
  const feed = (typeof args['feed'] === 'string' ? args['feed'] : 'fit') as 'fit' | 'dataset';
  await switchTo(backend);

  const xs = readNpyFloat32(join(dataDir, 'x_train.npy'));
  const ys = readNpyFloat32(join(dataDir, 'y_train.npy'));
  const rows = xs.shape[0];
  const x = tf.tensor2d(xs.data, [rows, xs.shape[1]]);
  const y = tf.tensor2d(ys.data, [rows, 1]);

  const model = seedModel(xs.shape[1]);
  if (optimizer === 'keras') {
    compileFromKerasConfig(model, SEED_COMPILE_CONFIG);
  } else {
    // tfjs' own RMSProp with Keras' learning rate: not Keras-exact (ε = 1e-8 vs 1e-7), shown for scale.
    model.compile({ optimizer: tf.train.rmsprop(0.001, 0.9), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  }

  const epochSeconds: number[] = [];
  let start = 0;
  const common = {
    epochs: epochs + 1,
    verbose: 0 as const,
    callbacks: {
      onEpochBegin: async () => {
        start = performance.now();
      },
      onEpochEnd: async (epoch: number) => {
        epochSeconds.push((performance.now() - start) / 1000);
        log(`${backend} (${optimizer} optimizer, ${feed}) epoch ${epoch}: ${epochSeconds[epochSeconds.length - 1].toFixed(3)} s`);
      },
    },
  };
  if (feed === 'fit') {
    await model.fit(x, y, { ...common, batchSize: BATCH_SIZE, shuffle: true });
  } else {
    await model.fitDataset(shuffledBatches(xs.data, ys.data, rows, xs.shape[1], BATCH_SIZE), common);
  }
  const timed = epochSeconds.slice(1);
  tf.dispose([x, y]);
  model.dispose();
  return {
    backend,
    optimizer,
    feed,
    samples_per_s: round4(rows / median(timed)),
    rows,
    batch_size: BATCH_SIZE,
    epoch_seconds: timed.map(round4),
    first_epoch_seconds: round4(epochSeconds[0]),
  };
}

runSection(main);
