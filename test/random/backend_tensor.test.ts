/**
 * inPlaceTensor: on the wasm backend a float32 tensor filled in place in the backend's heap
 * (a tracked tensor like any op result, memory released when filling fails); on cpu, null.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { inPlaceTensor } from '../../src/random/kernels/backend_tensor.js';
import { switchBackend } from '../helpers/backends.js';
import { expectNoLeaks, values } from '../helpers/tensor_asserts.js';

describe('inPlaceTensor', () => {
  it('wasm: the view fills the tensor itself, which tidy disposes', async () => {
    await switchBackend('wasm');
    await expectNoLeaks(() => {
      const dataIdsBefore = tf.engine().backend.numDataIds();
      const result = tf.tidy(() => {
        const t = inPlaceTensor([3, 5], (view) => {
          expect(view.length).toBe(15);
          for (let i = 0; i < view.length; i++) view[i] = i * 0.5 - 2;
        });
        expect(t).not.toBeNull();
        // Used by an op, then dropped inside tidy: only the op result survives.
        return tf.mul(t as tf.Tensor, 2);
      });
      expect(Array.from(values(result))).toEqual(Array.from({ length: 15 }, (_, i) => (i * 0.5 - 2) * 2));
      result.dispose();
      expect(tf.engine().backend.numDataIds()).toBe(dataIdsBefore);
    });
  });

  it('wasm: a fill that throws releases the memory and rethrows', async () => {
    await switchBackend('wasm');
    const dataIdsBefore = tf.engine().backend.numDataIds();
    expect(() =>
      inPlaceTensor([4], () => {
        throw new Error('fill failed');
      }),
    ).toThrow('fill failed');
    expect(tf.engine().backend.numDataIds()).toBe(dataIdsBefore);
  });

  it('cpu: null (the cpu backend keeps the array given to tensor(), so callers make a fresh one)', async () => {
    await switchBackend('cpu');
    expect(inPlaceTensor([2], () => undefined)).toBeNull();
  });
});
