import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { chooseBackend, useBackend } from '../src/backend.js';

afterEach(() => vi.restoreAllMocks());

describe('backend selection', () => {
  it('falls back from tfjs-node to wasm and says which, calmly, in one line', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const choice = await chooseBackend();
    expect(['tensorflow', 'wasm', 'cpu']).toContain(choice.name);
    expect(tf.getBackend()).toBe(choice.name);
    expect(choice.reason.startsWith(`backend: ${choice.name}`)).toBe(true);
    expect(choice.reason).not.toContain('\n');
    expect(info.mock.calls).toEqual([[`keras2tfjs: ${choice.reason}`]]);
    // tfjs-node is optional: its absence is the normal case, not an error message.
    if (choice.name === 'wasm') {
      expect(choice.reason).toBe(
        "backend: wasm with keras2tfjs' SIMD training kernels (the optional tfjs-node is not installed; see docs/tfjs-node.md)",
      );
    }
  });

  it('quiet: the line is only returned', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const choice = await chooseBackend({ backend: 'cpu', quiet: true });
    expect(choice).toEqual({ name: 'cpu', reason: 'backend: cpu (requested)' });
    expect(info).not.toHaveBeenCalled();
  });

  it('no "install our node backend" banner where keras2tfjs chose cpu', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await useBackend('cpu');
    tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync());
    expect(warn.mock.calls.flat().join('\n')).not.toContain('install our node backend');
  });

  it.each(['cpu', 'wasm'] as const)('computes on %s', async (name) => {
    await useBackend(name);
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(await y.data())).toEqual([11]);
    y.dispose();
  });
});
