/**
 * Keras-exact losses against real Keras values (fixtures/trajectories/loss_values.json):
 * per-sample losses and the gradient of their mean with respect to y_pred, including
 * saturated probabilities (clipping at 1e-7), large logits and label smoothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  kerasBinaryCrossentropy,
  kerasCategoricalCrossentropy,
  kerasSparseCategoricalCrossentropy,
  type KerasLossFn,
} from '../../src/train/losses.js';
import { exportKeras } from '../../src/convert/write/keras/export_keras.js';
import { KerasRMSprop } from '../../src/train/rmsprop.js';
import { expectNoLeaks } from '../helpers/tensor_asserts.js';
import { TEST_BACKENDS, switchBackend } from '../helpers/backends.js';
import { TRAJECTORY_DIR } from './trajectory_fixture.js';

/**
 * Relative float32 rounding allowance: log/exp/softmax kernels of TensorFlow (Eigen, vectorized)
 * and tfjs (JavaScript Math / wasm) may round the last bit differently, a few ulp (2^-23 ≈ 1.2e-7).
 */
const RELATIVE_TOLERANCE = 1e-6;

interface LossCase {
  loss: string;
  options: { from_logits?: boolean; label_smoothing?: number };
  y_true: number[][] | number[];
  y_pred: number[][];
  per_sample: number[];
  grad: number[][];
}

const cases = JSON.parse(readFileSync(join(TRAJECTORY_DIR, 'loss_values.json'), 'utf8')) as Record<string, LossCase>;

function lossFor(c: LossCase): KerasLossFn {
  const fromLogits = c.options.from_logits ?? false;
  const labelSmoothing = c.options.label_smoothing ?? 0;
  if (c.loss === 'binary_crossentropy') return kerasBinaryCrossentropy({ fromLogits, labelSmoothing });
  if (c.loss === 'categorical_crossentropy') return kerasCategoricalCrossentropy({ fromLogits, labelSmoothing });
  return kerasSparseCategoricalCrossentropy({ fromLogits });
}

function expectClose(got: ArrayLike<number>, want: number[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(RELATIVE_TOLERANCE * Math.max(1, Math.abs(want[i])));
  }
}

describe.each(TEST_BACKENDS)('Keras losses on %s', (backend) => {
  beforeAll(async () => {
    await switchBackend(backend);
  });

  it.each(Object.keys(cases))('%s: per-sample values and gradient match Keras', async (name) => {
    const c = cases[name];
    const loss = lossFor(c);
    await expectNoLeaks(() => {
      const yTrue = c.loss === 'sparse_categorical_crossentropy' ? tf.tensor(c.y_true as number[], undefined, 'int32') : tf.tensor(c.y_true);
      const yPred = tf.tensor(c.y_pred);
      const perSample = loss(yTrue, yPred);
      expectClose(perSample.dataSync(), c.per_sample);
      const grad = tf.grad((p: tf.Tensor) => tf.mean(loss(yTrue, p)))(yPred);
      expectClose(grad.dataSync(), c.grad.flat());
      tf.dispose([yTrue, yPred, perSample, grad]);
    });
  });

  it("where the probability is clipped, Keras' gradient is 0 and ours too", () => {
    const c = cases['bce'];
    const yTrue = tf.tensor(c.y_true);
    const yPred = tf.tensor(c.y_pred);
    const oursGrad = tf.grad((p: tf.Tensor) => tf.mean(kerasBinaryCrossentropy()(yTrue, p)))(yPred);
    const ours = oursGrad.dataSync();
    // y_pred[0][2] = 1.0 lies outside [1e-7, 1-1e-7]: Keras clips it and passes no gradient.
    expect(c.grad[0][2]).toBe(0);
    expect(ours[2]).toBe(0);
    tf.dispose([yTrue, yPred, oursGrad]);
  });

  it("tfjs-layers' own binaryCrossentropy has a different gradient near p = 1 (why this loss exists)", () => {
    const c = cases['bce'];
    const yTrue = tf.tensor(c.y_true);
    const yPred = tf.tensor(c.y_pred);
    // tfjs maps p back to logits log(p / (1 - p)); at p = 0.999999 the float32 1 - p loses digits.
    const theirsGrad = tf.grad((p: tf.Tensor) => tf.mean(tfl.metrics.binaryCrossentropy(yTrue, p)))(yPred);
    const theirs = theirsGrad.dataSync();
    const i = 6; // y_pred[2][0] = 0.999999, label 1
    expect(c.y_pred[2][0]).toBeCloseTo(0.999999, 6);
    expect(Math.abs(theirs[i] - c.grad[2][0]) / Math.abs(c.grad[2][0])).toBeGreaterThan(0.01);
    tf.dispose([yTrue, yPred, theirsGrad]);
  });
});

describe('Keras identifiers on the loss functions (so exportKeras writes the compile config back)', () => {
  it('uses the plain Keras loss name for default options', () => {
    expect(kerasBinaryCrossentropy().kerasIdentifier).toBe('binary_crossentropy');
    expect(kerasCategoricalCrossentropy().kerasIdentifier).toBe('categorical_crossentropy');
    expect(kerasSparseCategoricalCrossentropy().kerasIdentifier).toBe('sparse_categorical_crossentropy');
  });

  it('serializes non-default options as the Keras loss object', () => {
    expect(kerasBinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }).kerasIdentifier).toEqual({
      module: 'keras.losses',
      class_name: 'BinaryCrossentropy',
      config: { name: 'binary_crossentropy', from_logits: true, label_smoothing: 0.1 },
      registered_name: null,
    });
  });

  it('lets exportKeras keep the compile settings of a model compiled with them', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [3], activation: 'sigmoid' })] });
    model.compile({ optimizer: new KerasRMSprop({ learningRate: 0.001 }), loss: kerasBinaryCrossentropy(), metrics: ['accuracy'] });
    const dir = mkdtempSync(join(tmpdir(), 'k2t-loss-'));
    try {
      const warnings: string[] = [];
      await exportKeras(model, join(dir, 'm.keras'), { onWarning: (w: string) => warnings.push(w) });
      const config = JSON.parse(new TextDecoder().decode(unzipSync(readFileSync(join(dir, 'm.keras')))['config.json']));
      expect(config.compile_config.loss).toBe('binary_crossentropy');
      expect(warnings.filter((w) => w.includes('compile settings not exported'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      model.dispose();
    }
  });
});
