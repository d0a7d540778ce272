/**
 * Known-answer tests for JAX's Threefry2x32 stream, against JAX's own published values:
 * the threefry KATs of jax tests/random_test.py, `random.bits` there, and the `jax.random`
 * module docstring for both bit layouts (0.947667 since JAX 0.5, 0.41845703 before).
 */
import { describe, expect, it } from 'vitest';
import { threefry2x32, threefryBits, threefryUniform } from '../../src/random/threefry.js';

/** The jax.random docstring prints float32 values with 6–8 significant digits: compare to that precision. */
const DOCSTRING_PRINT_PRECISION = 5e-7;

describe('threefry: JAX published values', () => {
  it.each([
    { key: [0, 0], x: [0, 0], y: [0x6b200159, 0x99ba4efe] },
    { key: [0xffffffff, 0xffffffff], x: [0xffffffff, 0xffffffff], y: [0x1cb996fc, 0xbb002be7] },
    { key: [0x13198a2e, 0x03707344], x: [0x243f6a88, 0x85a308d3], y: [0xc4923a9c, 0x483df7a0] },
  ])('threefry2x32 KAT key=$key', ({ key, x, y }) => {
    expect(threefry2x32(key as [number, number], x[0], x[1])).toEqual(y);
  });

  it('random.bits(PRNGKey(1701), (3,), uint32) in the original layout', () => {
    // PRNGKey(1701) = [0, 1701].
    expect(Array.from(threefryBits([0, 1701], 3, { partitionable: false }))).toEqual([56197195, 4200222568, 961309823]);
  });

  it('random.uniform(random.key(0)) = 0.947667 (partitionable, the JAX >= 0.5 docstring)', () => {
    expect(Math.abs(threefryUniform([0, 0], 1)[0] - 0.947667)).toBeLessThan(DOCSTRING_PRINT_PRECISION);
  });

  it('random.uniform(random.key(0)) = 0.41845703 (original layout, the JAX < 0.5 docstring)', () => {
    expect(Math.abs(threefryUniform([0, 0], 1, { partitionable: false })[0] - 0.41845703)).toBeLessThan(DOCSTRING_PRINT_PRECISION);
  });

  it('random.uniform(split(key(0))[1]) = 0.00729382 (partitionable docstring)', () => {
    // Partitionable split: subkey j = threefry2x32(key, hi32(j), lo32(j)).
    const subkey = threefry2x32([0, 0], 0, 1);
    expect(Math.abs(threefryUniform(subkey, 1)[0] - 0.00729382)).toBeLessThan(DOCSTRING_PRINT_PRECISION);
  });
});

describe('threefry: structure', () => {
  it('uniform values are the high 23 bits of the words, scaled by 2^-23', () => {
    for (const partitionable of [true, false]) {
      const bits = threefryBits([4, 5], 7, { partitionable });
      const u = threefryUniform([4, 5], 7, { partitionable });
      for (let i = 0; i < 7; i++) expect(u[i]).toBe((bits[i] >>> 9) / 2 ** 23);
    }
  });

  it('partitionable: a shorter draw is a prefix of a longer one', () => {
    const long = threefryUniform([8, 1], 17);
    expect(Array.from(threefryUniform([8, 1], 5))).toEqual(Array.from(long.subarray(0, 5)));
  });

  it('original layout: element i < h is y0 of pair (i, i+h), element i >= h is y1 of pair (i-h, i)', () => {
    const bits = threefryBits([8, 1], 5, { partitionable: false }); // h = 3, counts padded to [0..4, 0]
    expect([bits[0], bits[3]]).toEqual(threefry2x32([8, 1], 0, 3));
    expect([bits[1], bits[4]]).toEqual(threefry2x32([8, 1], 1, 4));
    expect(bits[2]).toBe(threefry2x32([8, 1], 2, 0)[0]);
  });

  it('keys are read as uint32: -1 is 0xffffffff', () => {
    expect(Array.from(threefryUniform([-1, 3], 4))).toEqual(Array.from(threefryUniform([0xffffffff, 3], 4)));
  });

  it('fills a caller buffer in place', () => {
    const backing = new Float32Array(8).fill(-1);
    const view = backing.subarray(1, 6);
    threefryUniform([2, 2], 5, {}, view);
    expect(Array.from(view)).toEqual(Array.from(threefryUniform([2, 2], 5)));
    expect(backing[0]).toBe(-1);
    expect(backing[6]).toBe(-1);
  });

  it('rejects bad arguments', () => {
    expect(() => threefryUniform([1, 2], 2.5)).toThrow('Invalid value for `count`: expected a non-negative integer. Received: count=2.5');
    expect(() => threefryUniform([1, Number.NaN], 2)).toThrow(/`key`/);
  });
});
