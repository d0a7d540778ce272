/**
 * predictWithDropout: Monte Carlo dropout with only the ManualDropout layers switched on.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { manualDropout, predictWithDropout, type ManualDropout } from '../../src/index.js';
import { Keras2TfjsError } from '../../src/errors.js';
import { TEST_BACKENDS, switchBackend } from '../helpers/backends.js';
import { expectNoLeaks, values } from '../helpers/tensor_asserts.js';

/**
 * predictWithDropout keeps a float32 running (Welford) mean and variance; the reference
 * below sums the same passes in float64. Each of the N=20 float32 updates rounds at 2^-24
 * relative, so the two agree to ~N * 6e-8 ≈ 1.2e-6 of the magnitude; 1e-5 leaves margin
 * for the sqrt and for outputs near zero (used as an absolute + relative bound).
 */
const RUNNING_STATS_TOLERANCE = 1e-5;

const SAMPLES = 20;

function buildModel(seed: number): { model: tfl.LayersModel; dropout: ManualDropout; bn: tfl.layers.Layer } {
  const input = tfl.input({ shape: [6] });
  const dense = tfl.layers.dense({ units: 16, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) });
  const bn = tfl.layers.batchNormalization({ momentum: 0.5 });
  const dropout = manualDropout({ rate: 0.5, seed });
  const head = tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) });
  const output = head.apply(dropout.apply(bn.apply(dense.apply(input)))) as tfl.SymbolicTensor;
  return { model: tfl.model({ inputs: input, outputs: output }), dropout, bn };
}

/** The BatchNormalization moving mean and variance, copied out. */
function movingStats(bn: tfl.layers.Layer): number[][] {
  const [, , movingMean, movingVariance] = bn.getWeights();
  return [Array.from(movingMean.dataSync()), Array.from(movingVariance.dataSync())];
}

function input(): tf.Tensor {
  return tf.tensor2d(Array.from({ length: 5 * 6 }, (_, i) => Math.cos(i * 1.3) * 2), [5, 6]);
}

function expectClose(actual: Float32Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(RUNNING_STATS_TOLERANCE * (1 + Math.abs(expected[i])));
  }
}

describe.each(TEST_BACKENDS)('predictWithDropout on %s', (backend) => {
  beforeAll(async () => {
    await switchBackend(backend);
  });

  it('returns mean and std of N passes with dropout on, shaped like one prediction', async () => {
    const { model, dropout } = buildModel(77);
    const x = input();
    await expectNoLeaks(() => {
      const { mean, std } = predictWithDropout(model, x, { samples: SAMPLES });
      expect(mean.shape).toEqual([5, 2]);
      expect(std.shape).toEqual([5, 2]);
      expect(Math.min(...values(std))).toBeGreaterThan(0);
      expect(dropout.callCount).toBe(SAMPLES); // every pass drew the next mask
      expect(dropout.alwaysOn).toBe(false); // restored

      // Replay the same N masks by hand and compute the statistics in float64.
      dropout.setCallCount(0);
      dropout.alwaysOn = true;
      const passes = Array.from({ length: SAMPLES }, () => {
        const y = model.predict(x) as tf.Tensor;
        const v = Array.from(values(y));
        y.dispose();
        return v;
      });
      dropout.alwaysOn = false;
      const n = passes[0].length;
      const refMean = Array.from({ length: n }, (_, i) => passes.reduce((a, p) => a + p[i], 0) / SAMPLES);
      const refStd = refMean.map((m, i) => Math.sqrt(passes.reduce((a, p) => a + (p[i] - m) ** 2, 0) / SAMPLES));
      expectClose(values(mean), refMean);
      expectClose(values(std), refStd);
      tf.dispose([mean, std]);
    });
    x.dispose();
    model.dispose();
  });

  it('leaves BatchNormalization in inference mode: its moving statistics do not move', async () => {
    const { model, bn } = buildModel(5);
    const x = input();
    const before = movingStats(bn);
    const { mean, std } = predictWithDropout(model, x, { samples: 5 });
    expect(movingStats(bn)).toEqual(before);

    // The tempting shortcut, apply(x, {training: true}), would have updated them.
    tf.tidy(() => model.apply(x, { training: true }) as tf.Tensor);
    expect(movingStats(bn)).not.toEqual(before);
    tf.dispose([mean, std, x]);
    model.dispose();
  });

  it('finds ManualDropout layers inside nested models', async () => {
    const inner = tfl.sequential({
      layers: [tfl.layers.dense({ units: 4, inputShape: [6] }), manualDropout({ rate: 0.5, seed: 3 })],
    });
    const outer = tfl.sequential({ layers: [inner, tfl.layers.dense({ units: 1 })] });
    const x = input();
    await expectNoLeaks(() => {
      const { mean, std } = predictWithDropout(outer, x, { samples: 4 });
      expect(mean.shape).toEqual([5, 1]);
      expect(Math.max(...values(std))).toBeGreaterThan(0);
      tf.dispose([mean, std]);
    });
    x.dispose();
    outer.dispose();
  });

  it('refuses a model without ManualDropout, and too few samples', () => {
    const plain = tfl.sequential({
      layers: [tfl.layers.dense({ units: 2, inputShape: [6] }), tfl.layers.dropout({ rate: 0.5 })],
    });
    const x = input();
    expect(() => predictWithDropout(plain, x)).toThrow(Keras2TfjsError);
    expect(() => predictWithDropout(plain, x)).toThrow(/has no ManualDropout layer/);
    const { model } = buildModel(1);
    expect(() => predictWithDropout(model, x, { samples: 1 })).toThrow(
      'Invalid value for `samples`: expected an integer >= 2. Received: samples=1',
    );
    x.dispose();
    plain.dispose();
    model.dispose();
  });

  it('restores alwaysOn even when a pass throws', () => {
    const { model, dropout } = buildModel(1);
    const wrong = tf.ones([2, 3]); // the model expects 6 features
    expect(() => predictWithDropout(model, wrong, { samples: 3 })).toThrow();
    expect(dropout.alwaysOn).toBe(false);
    wrong.dispose();
    model.dispose();
  });
});
