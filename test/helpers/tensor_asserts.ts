/**
 * Small assertions shared by the layer, io and app tests.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/**
 * Runs `body` and checks that it leaves no tensor behind: `tf.memory().numTensors` is the
 * same before and after (tensors `body` creates must be disposed or tidied inside it).
 */
export async function expectNoLeaks(body: () => void | Promise<void>): Promise<void> {
  const before = tf.memory().numTensors;
  await body();
  expect(tf.memory().numTensors).toBe(before);
}

/** The values of `t` as a plain Float32Array, read synchronously. */
export function values(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

/** Fraction of the entries of `a` that are exactly zero. */
export function zeroFraction(a: ArrayLike<number>): number {
  let zeros = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === 0) zeros++;
  return zeros / a.length;
}

/** The 0/1 keep pattern of an output whose input had no zeros. */
export function keepPattern(y: ArrayLike<number>): number[] {
  return Array.from(y, (v) => (v === 0 ? 0 : 1));
}

/**
 * Half-width of the band a Bernoulli(p) drop fraction over n units stays inside with
 * overwhelming probability: `sigmas` standard deviations of the binomial proportion,
 * sqrt(p(1-p)/n).
 */
export function binomialBand(n: number, p: number, sigmas: number): number {
  return sigmas * Math.sqrt((p * (1 - p)) / n);
}

/**
 * Bit-for-bit equality of two float arrays, fast for millions of values (a deep `toEqual`
 * on large typed arrays is slow); on mismatch, reports the first differing index.
 */
export function expectSameFloats(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (!a.equals(b)) {
    const i = actual.findIndex((v, k) => !Object.is(v, expected[k]));
    expect({ index: i, value: actual[i] }).toEqual({ index: i, value: expected[i] });
  }
}
