/**
 * The demo's proof that the TypeScript model is the Python model, in both learning phases:
 * - inference: the converted seed model predicts what Keras predicted (y_infer.npy);
 * - training: with the mask Python's Lambda drew (mask.npy), the layers give Python's y_train.npy;
 * - the stream: a converted Python ManualDropout(seed=1337), continued at Python's step, draws
 *   bit-identical masks (so fine-tuning can drop exactly what Keras would have dropped).
 */
import * as tf from '@tensorflow/tfjs-core';
import { model as functionalModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { ManualDropout } from '../layers/manual_dropout.js';
import { readFixtureJson, readFixtureNpy } from './bundled.js';

export interface ParityResult {
  /** Rows compared. */
  rows: number;
  /** Max |TypeScript − Python| over the outputs. */
  maxAbsDiff: number;
}

/** float32 summation order differs between tfjs kernels and TF's; over a 10,000-input Dense this stays well under 1e-5. */
export const PARITY_TOLERANCE = 1e-5;

export function inputsOf(caseName: string): tf.Tensor2D {
  const x = readFixtureNpy(caseName, 'x.npy');
  return tf.tensor2d(Float32Array.from(x.data), x.shape as [number, number], 'float32');
}

function compare(actual: tf.Tensor, caseName: string, file: string): ParityResult {
  const expected = readFixtureNpy(caseName, file);
  const got = actual.dataSync();
  let maxAbsDiff = 0;
  for (let i = 0; i < got.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(got[i] - Number(expected.data[i])));
  if (got.length !== expected.data.length) maxAbsDiff = Number.POSITIVE_INFINITY;
  return { rows: expected.shape[0], maxAbsDiff };
}

/** Inference: dropout steps aside; the model must give Keras' y_infer. */
export function inferenceParity(model: LayersModel, caseName: string): ParityResult {
  return scoped(() => compare(model.predict(inputsOf(caseName)) as tf.Tensor, caseName, 'y_infer.npy'));
}

/** Runs `fn` and disposes every tensor it made (tf.tidy only returns tensors). */
function scoped<T>(fn: () => T): T {
  let result!: T;
  tf.tidy(() => {
    result = fn();
  });
  return result;
}

/**
 * Training phase of the Lambda model: Python's Lambda drew an unseeded mask, recorded in
 * mask.npy; applying that mask where the dropout layer sits must give Keras' y_train.
 */
export function lambdaTrainingParity(model: LayersModel, caseName: string): ParityResult {
  return scoped(() => {
    const maskNpy = readFixtureNpy(caseName, 'mask.npy');
    const mask = tf.tensor(Float32Array.from(maskNpy.data), maskNpy.shape, 'float32');
    let h: tf.Tensor = inputsOf(caseName);
    for (const layer of model.layers.slice(1)) {
      // Python's dropout: x * mask / 0.5 (the book's formula), with the recorded mask.
      h = layer instanceof ManualDropout ? tf.div(tf.mul(h, mask), 0.5) : (layer.apply(h) as tf.Tensor);
    }
    return compare(h, caseName, 'y_train.npy');
  });
}

interface ManualDropoutCase {
  training_calls: Array<{ state: [number, number]; mask: string; y_train: string }>;
}

export interface StreamParity extends ParityResult {
  /** Training calls replayed. */
  calls: number;
  /** Mask entries (kept/dropped) that differ from Python's, over all calls. */
  maskMismatches: number;
}

/**
 * Replays Python's training calls of a seeded ManualDropout: set the layer's stream to Python's
 * step, call the model with training: true, and compare masks and outputs with Keras'.
 */
export function streamParity(model: LayersModel, caseName: string): StreamParity {
  const { training_calls: calls } = readFixtureJson<ManualDropoutCase>(caseName);
  const dropout = model.layers.find((l): l is ManualDropout => l instanceof ManualDropout);
  if (!dropout) throw new Error(`${caseName}: the converted model has no ManualDropout layer`);
  let maxAbsDiff = 0;
  let maskMismatches = 0;
  let rows = 0;
  for (const call of calls) {
    dropout.setCallCount(call.state[1]);
    scoped(() => {
      const x = inputsOf(caseName);
      const y = model.apply(x, { training: true }) as tf.Tensor;
      const r = compare(y, caseName, call.y_train);
      maxAbsDiff = Math.max(maxAbsDiff, r.maxAbsDiff);
      rows = r.rows;
      // The mask the layer drew at this step: dropout applied to ones (relu zeros would hide it otherwise).
      const before = model.layers[model.layers.indexOf(dropout) - 1];
      const sub = functionalModel({ inputs: model.inputs, outputs: before.output as SymbolicTensor });
      dropout.setCallCount(call.state[1]);
      const ones = tf.onesLike(sub.predict(x) as tf.Tensor);
      const drawn = tf.notEqual(dropout.apply(ones, { training: true }) as tf.Tensor, 0).dataSync();
      const expected = readFixtureNpy(caseName, call.mask).data;
      for (let i = 0; i < drawn.length; i++) if ((drawn[i] !== 0) !== (Number(expected[i]) !== 0)) maskMismatches++;
    });
  }
  return { rows, calls: calls.length, maxAbsDiff, maskMismatches };
}
