/**
 * Parity with real Keras 3: a seeded ManualDropout with rng 'tensorflow' / 'jax' gives, call
 * after call, the outputs keras.layers.Dropout gave in Python on that backend (fixtures
 * mask_streams_tf / mask_streams_jax: 15 streams of shapes, noise shapes, rates and seeds,
 * calls 0..2, plus the Python ManualDropout's scaling='test' outputs of the same masks).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { manualDropout, type DropoutRng } from '../../src/index.js';
import { TEST_BACKENDS, switchBackend } from '../helpers/backends.js';
import { fixtureCase, loadFixture } from '../helpers/fixtures.js';
import { expectNoLeaks } from '../helpers/tensor_asserts.js';

interface Stream {
  id: string;
  shape: number[];
  noise_shape: Array<number | null> | null;
  rate: number;
  seed: number;
  /** 'ones', or the .npy file holding the input. */
  input: string;
  /** The generator state [seed, n] before each call. */
  states: Array<[number, number]>;
  state_after: [number, number];
  /** ManualDropout(scaling='test') at inference on the input 1.0. */
  test_inference_value: number;
}

interface MaskStreamsCase {
  calls: number;
  streams: Stream[];
}

const CASES: Array<[string, DropoutRng]> = [
  ['mask_streams_tf', 'tensorflow'],
  ['mask_streams_jax', 'jax'],
];

/**
 * Values are compared exactly, with +0 and -0 counted equal: Keras writes a dropped unit as
 * `where(keep, x * scale, 0)` (+0), while ManualDropout multiplies by a 0/scale mask, so a
 * dropped negative input becomes -0. They are the same number (numpy's array_equal agrees);
 * every other bit must match.
 */
function expectSameValues(actual: ArrayLike<number>, expected: ArrayLike<number>, where: string): void {
  expect(actual.length, where).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      expect({ where, index: i, value: actual[i] }).toEqual({ where, index: i, value: expected[i] });
    }
  }
}

describe.each(TEST_BACKENDS)('ManualDropout = Keras 3 Dropout on %s', (backend) => {
  beforeAll(async () => {
    await switchBackend(backend);
  });

  describe.each(CASES)('%s (rng %s)', (caseName, rng) => {
    const spec = fixtureCase<MaskStreamsCase>(caseName);

    it.each(spec.streams.map((s) => [s.id, s] as const))('stream %s: calls 0..2 in both scalings', async (_, s) => {
      await expectNoLeaks(() => {
        const x =
          s.input === 'ones'
            ? tf.ones(s.shape)
            : tf.tensor(loadFixture(caseName, s.input).data as Float32Array, s.shape);
        for (const [scaling, file] of [
          ['train', `dropout_${s.id}.npy`],
          ['test', `manual_test_${s.id}.npy`],
        ] as const) {
          const expected = loadFixture(caseName, file);
          expect(expected.shape).toEqual([spec.calls, ...s.shape]);
          expect(expected.dtype).toBe('float32');
          const layer = manualDropout({ rate: s.rate, seed: s.seed, noiseShape: s.noise_shape, scaling, rng });
          const perCall = expected.data.length / spec.calls;
          for (let k = 0; k < spec.calls; k++) {
            expect(layer.callCount).toBe(s.states[k][1]);
            const y = layer.apply(x, { training: true }) as tf.Tensor;
            expect(y.shape).toEqual(s.shape);
            expect(y.dtype).toBe('float32');
            const want = (expected.data as Float32Array).subarray(k * perCall, (k + 1) * perCall);
            expectSameValues(y.dataSync(), want, `${file} call ${k}`);
            if (y !== x) y.dispose();
          }
          expect(layer.callCount).toBe(s.state_after[1]);
          if (scaling === 'test') {
            const one = tf.ones([1]);
            const inferred = layer.apply(one) as tf.Tensor;
            expect(inferred.dataSync()[0]).toBe(s.test_inference_value);
            tf.dispose([one, inferred]);
          }
        }
        x.dispose();
      });
    });
  });
});
