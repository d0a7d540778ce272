/**
 * ManualDropout as a user meets it: semantics adapted from Keras' dropout_test.py
 * (keras/src/layers/regularization/dropout_test.py) and tfjs' Dropout tests
 * (tfjs-layers/src/layers/core_test.ts), on the cpu and wasm backends.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualDropout, manualDropout, type DropoutRng } from '../../src/index.js';
import { Keras2TfjsError } from '../../src/errors.js';
import { TEST_BACKENDS, switchBackend } from '../helpers/backends.js';
import { philoxDropoutMaskReference } from '../../src/random/philox.js';
import { threefryDropoutMaskReference } from '../../src/random/threefry.js';
import { jaxKeyPair, tfSeedPair } from '../../src/random/seed_state.js';
import { setRandomKernelsEnabled } from '../../src/random/kernels/random_kernels.js';
import { binomialBand, expectNoLeaks, keepPattern, values, zeroFraction } from '../helpers/tensor_asserts.js';

/**
 * Drop fractions must lie within 6 standard deviations of the binomial proportion around
 * `rate`. A correct Bernoulli(rate) mask leaves that band with probability ~2e-9, so a
 * failure means a biased stream or a wrong threshold, not bad luck; a threshold that is off
 * by 0.05 (e.g. comparing against 1-rate) lands 10+ sigmas away on 10 000 units.
 */
const BINOMIAL_SIGMAS = 6;

const RNGS: DropoutRng[] = ['tensorflow', 'jax', 'tfjs'];

/** Deterministic input with no zeros (|v| >= 0.5) and both signs, so a 0 in the output means "dropped". */
function nonZeroInput(shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: n }, (_, i) => {
    const s = Math.sin(i * 0.7);
    return s * 3 + (s >= 0 ? 0.5 : -0.5);
  });
  return tf.tensor(data, shape);
}

/**
 * What a kept unit becomes in each mode under 'train' scaling: the float32 op Keras' backend
 * does, as the mask_streams fixtures measured it on real Keras 3 (case.json "kept_value").
 */
function keptValue(rng: DropoutRng, x: number, rate: number): number {
  return rng === 'jax'
    ? Math.fround(x * Math.fround(1 / Math.fround(1 - rate))) // XLA: x * (f32(1) / f32(keep_prob))
    : Math.fround(x * Math.fround(1 / (1 - rate))); // tf.nn dropout: x * f32(1/keep_prob), float64 reciprocal
}

function applyOnce(layer: ManualDropout, x: tf.Tensor, training?: boolean): Float32Array {
  const y = layer.apply(x, training === undefined ? {} : { training }) as tf.Tensor;
  const v = values(y).slice();
  if (y !== x) y.dispose();
  return v;
}

function expectInvalid(make: () => unknown, message: string): void {
  let caught: unknown;
  try {
    make();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(Keras2TfjsError);
  expect((caught as Keras2TfjsError).code).toBe('INVALID_ARGUMENT');
  expect((caught as Keras2TfjsError).message).toBe(message);
}

describe.each(TEST_BACKENDS)('ManualDropout on %s', (backend) => {
  beforeAll(async () => {
    await switchBackend(backend);
  });

  describe('identity cases', () => {
    it.each(RNGS)('rate 0 returns the input in training and inference and draws nothing (rng %s)', async (rng) => {
      await expectNoLeaks(() => {
        const x = nonZeroInput([4, 6]);
        const layer = manualDropout({ rate: 0, seed: 3, rng });
        expect(applyOnce(layer, x, true)).toEqual(values(x));
        expect(applyOnce(layer, x, false)).toEqual(values(x));
        expect(layer.callCount).toBe(0); // Keras returns before draw_seed: the stream does not move
        x.dispose();
      });
    });

    it.each(RNGS)('inference (no training kwarg, or training false) is the identity (rng %s)', async (rng) => {
      await expectNoLeaks(() => {
        const x = nonZeroInput([8, 10]);
        const layer = manualDropout({ rate: 0.5, seed: 11, rng });
        expect(applyOnce(layer, x)).toEqual(values(x));
        expect(applyOnce(layer, x, false)).toEqual(values(x));
        expect(layer.callCount).toBe(0);
        x.dispose();
      });
    });
  });

  describe('training', () => {
    it.each(RNGS.flatMap((rng) => [0.2, 0.5, 0.8].map((rate) => [rng, rate] as const)))(
      'rng %s, rate %s: dropped fraction within binomial bounds over 10 000 units',
      async (rng, rate) => {
        await expectNoLeaks(() => {
          const x = tf.ones([20, 500]);
          const layer = manualDropout({ rate, seed: 1337, rng });
          const y = applyOnce(layer, x, true);
          const band = binomialBand(y.length, rate, BINOMIAL_SIGMAS);
          expect(Math.abs(zeroFraction(y) - rate)).toBeLessThan(band);
          // Keras' test_dropout_rescaling: the mean stays ~1 and the max is exactly the scale.
          expect(Math.max(...y)).toBe(keptValue(rng, 1, rate));
          x.dispose();
        });
      },
    );

    it.each(RNGS)('rng %s: kept units are exactly x/(1-rate) as the mode computes it, dropped are 0', async (rng) => {
      await expectNoLeaks(() => {
        const rate = 0.45; // f32(1/0.55) = 1.8181819 but f32(1)/f32(0.55) = 1.8181818: the modes differ
        const x = nonZeroInput([16, 64]);
        const xv = values(x);
        const y = applyOnce(manualDropout({ rate, seed: 7, rng }), x, true);
        let kept = 0;
        for (let i = 0; i < y.length; i++) {
          if (y[i] === 0) continue;
          kept++;
          expect(y[i]).toBe(keptValue(rng, xv[i], rate));
        }
        expect(kept).toBeGreaterThan(0);
        // The check above can tell the two formulas apart on this input: they differ somewhere.
        const formulasDiffer = Array.from(xv).some((v) => keptValue('jax', v, rate) !== keptValue('tensorflow', v, rate));
        expect(formulasDiffer).toBe(true);
        x.dispose();
      });
    });

    it('rng tensorflow: the first call of seed 1 matches TensorFlow\'s documented stateless_dropout(seed=[1, 0])', async () => {
      // Published by TensorFlow itself: the docstring of tf.nn.experimental.stateless_dropout
      // (tensorflow/python/ops/nn_ops.py). Keras' TF backend turns layer seed 1, call 0 into [1, 0].
      await expectNoLeaks(() => {
        const x = tf.ones([3, 5]);
        const half = applyOnce(manualDropout({ rate: 0.5, seed: 1 }), x, true);
        expect(Array.from(half)).toEqual([2, 0, 2, 0, 0, 0, 0, 2, 0, 2, 0, 0, 0, 0, 2]);
        const most = applyOnce(manualDropout({ rate: 0.8, seed: 1 }), x, true);
        expect(Array.from(most)).toEqual([5, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 5]);
        const seed2 = applyOnce(manualDropout({ rate: 0.8, seed: 2 }), x, true);
        expect(Array.from(seed2)).toEqual([5, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0]);
        x.dispose();
      });
    });

    it('model.fit calls the layer with training true (the stream advances); predict does not', async () => {
      await expectNoLeaks(async () => {
        const dropout = manualDropout({ rate: 0.5, seed: 5 });
        const model = tfl.sequential({
          layers: [tfl.layers.dense({ units: 4, inputShape: [3] }), dropout, tfl.layers.dense({ units: 1 })],
        });
        model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
        const xs = tf.ones([2, 3]);
        const ys = tf.zeros([2, 1]);
        await model.fit(xs, ys, { epochs: 2, batchSize: 2, verbose: 0 });
        expect(dropout.callCount).toBe(2);
        (model.predict(xs) as tf.Tensor).dispose();
        expect(dropout.callCount).toBe(2);
        xs.dispose();
        ys.dispose();
        model.dispose();
      });
    });
  });

  describe('noiseShape', () => {
    it.each(RNGS)('[null, 1, null] drops the same units at every time step (rng %s)', async (rng) => {
      await expectNoLeaks(() => {
        const x = tf.ones([20, 5, 10]);
        const y = applyOnce(manualDropout({ rate: 0.5, noiseShape: [null, 1, null], seed: 2, rng }), x, true);
        for (let b = 0; b < 20; b++) {
          const step0 = Array.from(y.subarray(b * 50, b * 50 + 10));
          for (let t = 1; t < 5; t++) expect(Array.from(y.subarray(b * 50 + t * 10, b * 50 + t * 10 + 10))).toEqual(step0);
        }
        expect(zeroFraction(y)).toBeGreaterThan(0);
        expect(zeroFraction(y)).toBeLessThan(1);
        x.dispose();
      });
    });

    it('a static noise shape [20, 1, 10] behaves like [null, 1, null]', async () => {
      await expectNoLeaks(() => {
        const x = tf.ones([20, 5, 10]);
        const dynamic = applyOnce(manualDropout({ rate: 0.5, noiseShape: [null, 1, null], seed: 4 }), x, true);
        const fixed = applyOnce(manualDropout({ rate: 0.5, noiseShape: [20, 1, 10], seed: 4 }), x, true);
        expect(fixed).toEqual(dynamic);
        x.dispose();
      });
    });

    it('[1, null] drops whole columns across the batch', async () => {
      await expectNoLeaks(() => {
        const x = nonZeroInput([30, 40]);
        const y = applyOnce(manualDropout({ rate: 0.5, noiseShape: [1, null], seed: 9 }), x, true);
        const row0 = keepPattern(y.subarray(0, 40));
        for (let r = 1; r < 30; r++) expect(keepPattern(y.subarray(r * 40, r * 40 + 40))).toEqual(row0);
        expect(row0).toContain(0);
        expect(row0).toContain(1);
        x.dispose();
      });
    });

    it('a noise shape that cannot broadcast to the input names the layer and the shapes', async () => {
      await expectNoLeaks(() => {
        const x = tf.ones([2, 3, 4]);
        const layer = manualDropout({ rate: 0.5, noiseShape: [2, 1], name: 'drop_ts' });
        expectInvalid(
          () => layer.apply(x, { training: true }),
          "Layer 'drop_ts': Invalid value for `noiseShape`: expected rank 3 with each entry null, 1 or the " +
            "input's size (input shape [2, 3, 4]). Received: noiseShape=[2, 1]",
        );
        const wrongSize = manualDropout({ rate: 0.5, noiseShape: [2, 2, null], name: 'drop_sz' });
        expect(() => wrongSize.apply(x, { training: true })).toThrow(/Layer 'drop_sz'.*noiseShape=\[2, 2, None\]/);
        x.dispose();
      });
    });
  });

  describe("scaling 'test' and alwaysOn", () => {
    it.each(RNGS)("'test' scaling: kept units unscaled in training, x*(1-rate) at inference (rng %s)", async (rng) => {
      await expectNoLeaks(() => {
        const rate = 0.3;
        const x = nonZeroInput([10, 30]);
        const xv = values(x);
        const layer = manualDropout({ rate, seed: 21, scaling: 'test', rng });
        const train = applyOnce(layer, x, true);
        for (let i = 0; i < train.length; i++) if (train[i] !== 0) expect(train[i]).toBe(xv[i]);
        expect(zeroFraction(train)).toBeGreaterThan(0);
        const infer = applyOnce(layer, x);
        expect(Array.from(infer)).toEqual(Array.from(xv, (v) => Math.fround(v * Math.fround(1 - rate))));
        expect(layer.callCount).toBe(1);
        x.dispose();
      });
    });

    it.each(RNGS)('alwaysOn drops at inference too and advances the stream like a training call (rng %s)', async (rng) => {
      await expectNoLeaks(() => {
        const rate = 0.5;
        const x = nonZeroInput([10, 30]);
        const on = manualDropout({ rate, seed: 8, alwaysOn: true, rng });
        const reference = manualDropout({ rate, seed: 8, rng });
        expect(applyOnce(on, x)).toEqual(applyOnce(reference, x, true));
        expect(applyOnce(on, x, false)).toEqual(applyOnce(reference, x, true));
        expect(on.callCount).toBe(2);
        // With 'test' scaling the always-on mask keeps units unscaled.
        const onTest = manualDropout({ rate, seed: 8, alwaysOn: true, scaling: 'test', rng });
        const y = applyOnce(onTest, x);
        const xv = values(x);
        for (let i = 0; i < y.length; i++) if (y[i] !== 0) expect(y[i]).toBe(xv[i]);
        expect(zeroFraction(y)).toBeGreaterThan(0);
        x.dispose();
      });
    });
  });

  describe('gradients', () => {
    it.each(RNGS)('reach only kept units, scaled like the output (rng %s)', async (rng) => {
      await expectNoLeaks(() => {
        const rate = 0.45; // a rate where the tensorflow and jax scales differ
        const x = nonZeroInput([12, 20]);
        const layer = manualDropout({ rate, seed: 13, rng });
        const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => tf.sum(layer.apply(t, { training: true }) as tf.Tensor))(x);
        const g = values(grad);
        // Replay the same mask (call 0) to see which units were kept.
        layer.setCallCount(0);
        const y = applyOnce(layer, x, true);
        const scale = keptValue(rng, 1, rate);
        let kept = 0;
        for (let i = 0; i < y.length; i++) {
          if (y[i] === 0) expect(g[i]).toBe(0);
          else {
            kept++;
            expect(g[i]).toBe(scale);
          }
        }
        expect(kept).toBeGreaterThan(0);
        expect(kept).toBeLessThan(y.length);
        // The replayed call is the very call that was differentiated: same sum, bit for bit.
        const replayedSum = tf.tidy(() => tf.sum(tf.tensor(y, x.shape)));
        expect(values(value)).toEqual(values(replayedSum));
        replayedSum.dispose();
        value.dispose();
        grad.dispose();
        x.dispose();
      });
    });
  });

  describe('masks from the stream kernels', () => {
    it.each([
      { rng: 'tensorflow' as const, kernels: true },
      { rng: 'tensorflow' as const, kernels: false },
      { rng: 'jax' as const, kernels: true },
      { rng: 'jax' as const, kernels: false },
    ])('the gradient of call n is the JavaScript reference mask of [seed, n] (rng $rng, kernels $kernels)', async ({ rng, kernels }) => {
      const previous = setRandomKernelsEnabled(kernels);
      try {
        await expectNoLeaks(() => {
          const rate = 0.3;
          const shape = [37, 53]; // odd count: partial Philox block and SIMD group
          const count = 37 * 53;
          const layer = manualDropout({ rate, seed: 2024, rng });
          const x = tf.ones(shape);
          const grad = tf.grad((t: tf.Tensor) => tf.sum(layer.apply(t, { training: true }) as tf.Tensor));
          for (const n of [0, 1, 2]) {
            const g = grad(x);
            const expected =
              rng === 'tensorflow'
                ? philoxDropoutMaskReference(tfSeedPair(2024, n), count, rate, keptValue(rng, 1, rate))
                : threefryDropoutMaskReference(jaxKeyPair(2024, n), count, rate, keptValue(rng, 1, rate), { partitionable: true });
            expect(values(g)).toEqual(expected);
            g.dispose();
          }
          x.dispose();
        });
      } finally {
        setRandomKernelsEnabled(previous);
      }
    });
  });

  describe('masks of rng tfjs', () => {
    it('call n keeps u >= f32(rate) of tf.randomUniform seeded "seed:n", scaled by the kept value', async () => {
      await expectNoLeaks(() => {
        const rate = 0.3;
        const shape = [9, 31];
        const layer = manualDropout({ rate, seed: 77, rng: 'tfjs' });
        const x = tf.ones(shape);
        const grad = tf.grad((t: tf.Tensor) => tf.sum(layer.apply(t, { training: true }) as tf.Tensor));
        for (const n of [0, 1]) {
          const g = grad(x);
          const u = tf.randomUniform(shape, 0, 1, 'float32', `77:${n}`);
          const keep = keptValue('tfjs', 1, rate);
          expect(values(g)).toEqual(values(u).map((v) => (v >= Math.fround(rate) ? keep : 0)));
          u.dispose();
          g.dispose();
        }
        x.dispose();
      });
    });
  });

  describe('seeded stream', () => {
    it.each(RNGS)('call 0 and call 1 draw different masks; a new layer with the same seed replays them (rng %s)', async (rng) => {
      await expectNoLeaks(() => {
        const x = nonZeroInput([8, 32]);
        const first = manualDropout({ rate: 0.5, seed: 1337, rng });
        const calls = [0, 1, 2].map(() => keepPattern(applyOnce(first, x, true)));
        expect(calls[1]).not.toEqual(calls[0]);
        expect(calls[2]).not.toEqual(calls[1]);
        expect(first.callCount).toBe(3);

        const replay = manualDropout({ rate: 0.5, seed: 1337, rng });
        expect(keepPattern(applyOnce(replay, x, true))).toEqual(calls[0]);
        applyOnce(replay, x); // inference does not advance the stream
        expect(keepPattern(applyOnce(replay, x, true))).toEqual(calls[1]);

        const resumed = manualDropout({ rate: 0.5, seed: 1337, rng });
        resumed.setCallCount(2); // continue a stream that was already at step 2 (e.g. in Python)
        expect(keepPattern(applyOnce(resumed, x, true))).toEqual(calls[2]);

        const otherSeed = manualDropout({ rate: 0.5, seed: 1338, rng });
        expect(keepPattern(applyOnce(otherSeed, x, true))).not.toEqual(calls[0]);
        x.dispose();
      });
    });

    it('the three rng modes are different streams for the same seed', async () => {
      await expectNoLeaks(() => {
        const x = nonZeroInput([8, 32]);
        const masks = RNGS.map((rng) => keepPattern(applyOnce(manualDropout({ rate: 0.5, seed: 42, rng }), x, true)));
        expect(masks[0]).not.toEqual(masks[1]);
        expect(masks[0]).not.toEqual(masks[2]);
        expect(masks[1]).not.toEqual(masks[2]);
        x.dispose();
      });
    });

    it('unseeded layers draw their own private seed: they differ, and the config says seed null', async () => {
      await expectNoLeaks(() => {
        const x = nonZeroInput([8, 32]);
        const a = manualDropout({ rate: 0.5 });
        const b = manualDropout({ rate: 0.5 });
        expect(keepPattern(applyOnce(a, x, true))).not.toEqual(keepPattern(applyOnce(b, x, true)));
        expect(a.getConfig().seed).toBeNull();
        x.dispose();
      });
    });

    it('tf.layers.dropout with a seed repeats one mask on every call; ManualDropout does not', async () => {
      await expectNoLeaks(() => {
        const x = nonZeroInput([8, 32]);
        const theirs = tfl.layers.dropout({ rate: 0.5, seed: 1337 });
        const theirMasks = [0, 1].map(() => {
          const y = theirs.apply(x, { training: true }) as tf.Tensor;
          const m = keepPattern(values(y));
          y.dispose();
          return m;
        });
        expect(theirMasks[1]).toEqual(theirMasks[0]);
        const ours = manualDropout({ rate: 0.5, seed: 1337 });
        expect(keepPattern(applyOnce(ours, x, true))).not.toEqual(keepPattern(applyOnce(ours, x, true)));
        x.dispose();
      });
    });
  });

  describe('config and registration', () => {
    it('getConfig round-trips through fromConfig, and the class is registered as ManualDropout', () => {
      const layer = manualDropout({
        rate: 0.4,
        noiseShape: [null, 1, 7],
        seed: 99,
        scaling: 'test',
        alwaysOn: true,
        rng: 'jax',
        name: 'mc_drop',
      });
      const config = layer.getConfig();
      expect(config).toMatchObject({
        rate: 0.4,
        noiseShape: [null, 1, 7],
        seed: 99,
        scaling: 'test',
        alwaysOn: true,
        rng: 'jax',
        name: 'mc_drop',
        trainable: true,
      });
      const registered = tf.serialization.SerializationMap.getMap().classNameMap['ManualDropout'];
      expect(registered[0]).toBe(ManualDropout);
      // What tfjs' deserializer does with a registered class: fromConfig(cls, config).
      const [cls, fromConfig] = registered;
      const rebuilt = fromConfig(cls, config) as ManualDropout;
      expect(rebuilt).toBeInstanceOf(ManualDropout);
      expect(rebuilt.getConfig()).toEqual(config);
    });

    it('defaults: train scaling, tensorflow rng, not always on, no noise shape', () => {
      expect(manualDropout({ rate: 0.5 }).getConfig()).toMatchObject({
        rate: 0.5,
        noiseShape: null,
        seed: null,
        scaling: 'train',
        alwaysOn: false,
        rng: 'tensorflow',
      });
    });
  });

  describe('invalid arguments (the shared error template)', () => {
    it('rejects rates outside [0, 1)', () => {
      expectInvalid(() => manualDropout({ rate: 1.5 }), 'Invalid value for `rate`: expected a number in [0, 1). Received: rate=1.5');
      expectInvalid(() => manualDropout({ rate: -0.5 }), 'Invalid value for `rate`: expected a number in [0, 1). Received: rate=-0.5');
      expectInvalid(() => manualDropout({ rate: 1 }), 'Invalid value for `rate`: expected a number in [0, 1). Received: rate=1');
      expectInvalid(() => manualDropout({ rate: NaN }), 'Invalid value for `rate`: expected a number in [0, 1). Received: rate=NaN');
    });

    it('rejects bad seeds, noise shapes, scalings, rngs and call counts', () => {
      expectInvalid(
        () => manualDropout({ rate: 0.5, seed: 1.5 }),
        'Invalid value for `seed`: expected a non-negative integer or null. Received: seed=1.5',
      );
      expectInvalid(
        () => manualDropout({ rate: 0.5, seed: -1 }),
        'Invalid value for `seed`: expected a non-negative integer or null. Received: seed=-1',
      );
      expectInvalid(
        () => manualDropout({ rate: 0.5, noiseShape: [20, 0, 10] }),
        'Invalid value for `noiseShape`: expected a list of positive integers or null entries. Received: noiseShape=[20, 0, 10]',
      );
      expectInvalid(
        () => manualDropout({ rate: 0.5, noiseShape: [20, 1.5, 10] }),
        'Invalid value for `noiseShape`: expected a list of positive integers or null entries. Received: noiseShape=[20, 1.5, 10]',
      );
      expectInvalid(
        () => manualDropout({ rate: 0.5, noiseShape: 'Invalid' as unknown as number[] }),
        "Invalid value for `noiseShape`: expected a list of positive integers or null entries. Received: noiseShape='Invalid'",
      );
      expectInvalid(
        () => manualDropout({ rate: 0.5, scaling: 'both' as 'train' }),
        "Invalid value for `scaling`: expected one of 'train', 'test'. Received: scaling='both'",
      );
      expectInvalid(
        () => manualDropout({ rate: 0.5, rng: 'numpy' as 'jax' }),
        "Invalid value for `rng`: expected one of 'tensorflow', 'jax', 'tfjs'. Received: rng='numpy'",
      );
      expectInvalid(
        () => manualDropout({ rate: 0.5, alwaysOn: 'yes' as unknown as boolean }),
        "Invalid value for `alwaysOn`: expected true or false. Received: alwaysOn='yes'",
      );
      expectInvalid(
        () => manualDropout({ rate: 0.5 }).setCallCount(-1),
        'Invalid value for `callCount`: expected a non-negative integer. Received: callCount=-1',
      );
    });
  });
});
