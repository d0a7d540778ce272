/**
 * Known-answer tests for TensorFlow's stateless Philox stream, against values TensorFlow itself
 * publishes in its docstrings (tensorflow/python/ops/stateless_random_ops.py and nn_ops.py).
 */
import { describe, expect, it } from 'vitest';
import {
  philoxBlock,
  philoxStatelessWords,
  philoxUniform,
  philoxWords,
  tfStatelessKeyCounter,
} from '../../src/random/philox.js';
import { Keras2TfjsError } from '../../src/errors.js';

/** `tf.nn.experimental.stateless_dropout` on x = ones: keep ⇔ u >= f32(rate), kept = x * f32(1/(1-rate)). */
function statelessDropoutOfOnes(seed: [number, number], rate: number, noiseCount: number, outCount: number): number[] {
  const u = philoxUniform(seed, noiseCount);
  const scale = Math.fround(1 / (1 - rate));
  const rateF32 = Math.fround(rate);
  const out: number[] = [];
  for (let i = 0; i < outCount; i++) out.push(u[i % noiseCount] >= rateF32 ? scale : 0);
  return out;
}

describe('philox: TensorFlow published values', () => {
  it('tf.random.split([1, 2], num=3) docstring', () => {
    // split draws 6 full-range int32 words from the stateless stream and reshapes them to [3, 2].
    const words = Array.from(philoxStatelessWords([1, 2], 6), (w) => w | 0);
    expect(words).toEqual([1105988140, 1738052849, -335576002, 370444179, 10670227, -246211131]);
  });

  it('tf.random.experimental.stateless_fold_in([1, 2], 3) docstring: first word 1105988140', () => {
    expect(philoxStatelessWords([1, 2], 1)[0] | 0).toBe(1105988140);
  });

  it.each([
    { seed: [1, 0] as [number, number], rate: 0.5, expected: [2, 0, 2, 0, 0, 0, 0, 2, 0, 2, 0, 0, 0, 0, 2] },
    { seed: [1, 0] as [number, number], rate: 0.8, expected: [5, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 5] },
    { seed: [2, 0] as [number, number], rate: 0.8, expected: [5, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0] },
  ])('stateless_dropout(ones([3,5]), rate=$rate, seed=$seed) docstring', ({ seed, rate, expected }) => {
    expect(statelessDropoutOfOnes(seed, rate, 15, 15)).toEqual(expected);
  });

  it('stateless_dropout(ones([3,10]), rate=2/3, noise_shape=[1,10], seed=[1,0]) docstring', () => {
    // The noise has 10 values; every row of the output repeats it (row-major broadcast).
    const row = [3, 0, 0, 0, 0, 0, 0, 3, 0, 3];
    expect(statelessDropoutOfOnes([1, 0], 2 / 3, 10, 30)).toEqual([...row, ...row, ...row]);
  });
});

describe('philox: structure', () => {
  it('uniform values are the low 23 bits of the words, scaled by 2^-23', () => {
    const words = philoxStatelessWords([7, 11], 9);
    const u = philoxUniform([7, 11], 9);
    for (let i = 0; i < 9; i++) expect(u[i]).toBe((words[i] & 0x7fffff) / 2 ** 23);
  });

  it('a shorter draw is a prefix of a longer one (fill order is by flat index)', () => {
    const long = philoxUniform([5, 6], 23);
    for (const n of [1, 3, 4, 5, 8, 22]) expect(Array.from(philoxUniform([5, 6], n))).toEqual(Array.from(long.subarray(0, n)));
  });

  it('int32 seeds are sign-extended: -1 equals the int64 seed -1', () => {
    const { counter } = tfStatelessKeyCounter([-1, -1]);
    const mix = new Uint32Array(4);
    philoxBlock(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x3ec8f720, 0x02461e29, mix);
    expect(counter).toEqual([0, 0, mix[2], mix[3]]);
  });

  it('the counter is a 128-bit integer: incrementing carries across all four words', () => {
    const words = philoxWords([9, 10], [0xffffffff, 0xffffffff, 0xffffffff, 0], 8);
    const second = new Uint32Array(4);
    philoxBlock(0, 0, 0, 1, 9, 10, second);
    expect(Array.from(words.subarray(4))).toEqual(Array.from(second));
  });

  it('fills a caller buffer in place, including a subarray view, without touching the rest', () => {
    const backing = new Float32Array(12).fill(-1);
    const view = backing.subarray(2, 9);
    const result = philoxUniform([3, 4], 6, view);
    expect(result).toBe(view);
    expect(Array.from(view.subarray(0, 6))).toEqual(Array.from(philoxUniform([3, 4], 6)));
    expect(backing[0]).toBe(-1);
    expect(backing[8]).toBe(-1);
    expect(backing[11]).toBe(-1);
  });

  it('count 0 gives an empty array', () => {
    expect(philoxUniform([1, 2], 0).length).toBe(0);
  });

  it('rejects bad arguments with INVALID_ARGUMENT', () => {
    expect(() => philoxUniform([1.5, 0], 3)).toThrow(Keras2TfjsError);
    expect(() => philoxUniform([1, 0], -1)).toThrow('Invalid value for `count`: expected a non-negative integer. Received: count=-1');
    expect(() => philoxUniform([1, 0], 4, new Float32Array(3))).toThrow(/`out`/);
  });
});
