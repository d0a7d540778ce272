/**
 * Which tfjs backend a conversion starts when the app has chosen none (this file runs in its
 * own worker, so no other test has set one): cpu for a conversion that only checks the model,
 * wasm for loadKerasModel, which runs it — whichever of the two comes first.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { convert, loadKerasModel } from '../../src/convert/convert.js';
import { fixturePath } from '../helpers/fixtures.js';

const SEED = fixturePath('seed_lambda', 'model.keras');
const LAMBDAS = { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } };

describe('the backend a conversion starts when the app chose none', () => {
  it('convert starts cpu, a later loadKerasModel moves on to wasm, and later conversions keep it', async () => {
    expect(tf.engine().backendNames()).toEqual([]);
    await convert(SEED, { lambdas: LAMBDAS });
    expect(tf.getBackend()).toBe('cpu');
    const model = await loadKerasModel(SEED, { lambdas: LAMBDAS });
    expect(tf.getBackend()).toBe('wasm');
    const shape = tf.tidy(() => (model.predict(tf.zeros([2, 10000])) as tf.Tensor).shape);
    expect(shape).toEqual([2, 1]);
    model.dispose();
    await convert(SEED, { lambdas: LAMBDAS });
    expect(tf.getBackend()).toBe('wasm');
  });
});
