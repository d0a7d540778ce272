import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { chooseBackend, useBackend } from '../src/backend.js';

describe('backend selection', () => {
  it('falls back from tfjs-node to wasm and says why in one line', async () => {
    const choice = await chooseBackend();
    expect(['tensorflow', 'wasm', 'cpu']).toContain(choice.name);
    expect(tf.getBackend()).toBe(choice.name);
    expect(choice.reason.startsWith(`backend: ${choice.name}`)).toBe(true);
    expect(choice.reason).not.toContain('\n');
  });

  it.each(['cpu', 'wasm'] as const)('computes on %s', async (name) => {
    await useBackend(name);
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(await y.data())).toEqual([11]);
    y.dispose();
  });
});
