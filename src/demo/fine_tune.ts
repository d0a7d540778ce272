/**
 * Fine-tunes a converted model in TypeScript with tfjs' fit(), one line per epoch
 * (loss, accuracy, validation loss, validation accuracy) and a progress bar over batches.
 *
 * Reproducible: the training set is shuffled before each epoch by a seeded generator (numpy's
 * RandomState, so the order is also what `np.random.RandomState(seed).permutation` gives), and
 * fit() itself does not shuffle. tfjs' own shuffle draws from Math.random, which cannot be seeded.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel, Logs } from '@tensorflow/tfjs-layers';
import type { CliIo } from '../cli/output.js';
import { NumpyRandomState } from '../data/numpy_random_state.js';
import { progressBar } from './progress.js';

export interface TrainingData {
  xTrain: Tensor;
  yTrain: Tensor;
  xVal: Tensor;
  yVal: Tensor;
}

export interface EpochLog {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  seconds: number;
}

export interface FineTuneOptions {
  label: string;
  epochs: number;
  batchSize: number;
  /** Seeds the per-epoch shuffle. */
  seed: number;
  io: CliIo;
}

export async function fineTune(model: LayersModel, data: TrainingData, options: FineTuneOptions): Promise<EpochLog[]> {
  const { io, label, epochs, batchSize } = options;
  const rows = data.xTrain.shape[0];
  const batchesPerEpoch = Math.ceil(rows / batchSize);
  const bar = progressBar(io);
  const history: EpochLog[] = [];
  const order = new NumpyRandomState(options.seed);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const permutation = Int32Array.from({ length: rows }, (_, i) => i);
    order.shuffle(permutation);
    const [x, y] = tf.tidy(() => [tf.gather(data.xTrain, permutation), tf.gather(data.yTrain, permutation)]);
    const started = performance.now();
    bar.start(batchesPerEpoch, `${label} epoch ${epoch + 1}/${epochs}`);
    const fitted = await model.fit(x, y, {
      epochs: 1,
      batchSize,
      validationData: [data.xVal, data.yVal],
      shuffle: false,
      verbose: 0,
      callbacks: { onBatchEnd: async (batch) => void bar.update(batch + 1) },
    });
    bar.stop();
    tf.dispose([x, y]);
    const logs = Object.fromEntries(Object.entries(fitted.history).map(([k, v]) => [k, v[0]])) as Logs;
    const entry: EpochLog = {
      epoch: epoch + 1,
      loss: metric(logs, ['loss']),
      accuracy: metric(logs, ['acc', 'accuracy', 'binaryAccuracy']),
      valLoss: metric(logs, ['val_loss']),
      valAccuracy: metric(logs, ['val_acc', 'val_accuracy', 'val_binaryAccuracy']),
      seconds: (performance.now() - started) / 1000,
    };
    history.push(entry);
    io.stdout.write(
      `  ${label.padEnd(16)} epoch ${String(entry.epoch).padStart(2)}/${epochs}  ` +
        `loss ${entry.loss.toFixed(4)}  acc ${entry.accuracy.toFixed(4)}  ` +
        `val_loss ${entry.valLoss.toFixed(4)}  val_acc ${entry.valAccuracy.toFixed(4)}  ` +
        `(${entry.seconds.toFixed(1)} s)\n`,
    );
  }
  return history;
}

/** tfjs names metrics after how they were given ('acc', 'accuracy', a function name): take the first present. */
function metric(logs: Logs | undefined, names: string[]): number {
  for (const name of names) {
    const v = logs?.[name];
    if (typeof v === 'number') return v;
  }
  return Number.NaN;
}
