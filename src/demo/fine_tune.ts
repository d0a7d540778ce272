/**
 * Fine-tunes a converted model in TypeScript with tfjs' fit(), one line per epoch
 * (loss, accuracy, validation loss, validation accuracy) and a progress bar over batches.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel, Logs } from '@tensorflow/tfjs-layers';
import type { CliIo } from '../cli/output.js';
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
  io: CliIo;
}

export async function fineTune(model: LayersModel, data: TrainingData, options: FineTuneOptions): Promise<EpochLog[]> {
  const { io, label, epochs, batchSize } = options;
  const batchesPerEpoch = Math.ceil(data.xTrain.shape[0] / batchSize);
  const bar = progressBar(io);
  const history: EpochLog[] = [];
  let epochStart = 0;
  await model.fit(data.xTrain, data.yTrain, {
    epochs,
    batchSize,
    validationData: [data.xVal, data.yVal],
    // Keras shuffles each epoch by default too; tfjs' shuffle is its own stream, so the batch
    // order (not the arithmetic) differs from a Python run of the same fit.
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochBegin: async (epoch) => {
        epochStart = performance.now();
        bar.start(batchesPerEpoch, `${label} epoch ${epoch + 1}/${epochs}`);
      },
      onBatchEnd: async (batch) => {
        bar.update(batch + 1);
      },
      onEpochEnd: async (epoch, logs) => {
        bar.stop();
        const entry: EpochLog = {
          epoch: epoch + 1,
          loss: metric(logs, ['loss']),
          accuracy: metric(logs, ['acc', 'accuracy', 'binaryAccuracy']),
          valLoss: metric(logs, ['val_loss']),
          valAccuracy: metric(logs, ['val_acc', 'val_accuracy', 'val_binaryAccuracy']),
          seconds: (performance.now() - epochStart) / 1000,
        };
        history.push(entry);
        io.stdout.write(
          `  ${label.padEnd(16)} epoch ${String(entry.epoch).padStart(2)}/${epochs}  ` +
            `loss ${entry.loss.toFixed(4)}  acc ${entry.accuracy.toFixed(4)}  ` +
            `val_loss ${entry.valLoss.toFixed(4)}  val_acc ${entry.valAccuracy.toFixed(4)}  ` +
            `(${entry.seconds.toFixed(1)} s)\n`,
        );
      },
    },
  });
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
