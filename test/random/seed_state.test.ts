/**
 * Keras SeedGenerator stepping and the per-backend seed casts (keras/src/random/seed_generator.py,
 * keras/src/backend/tensorflow/random.py `_cast_seed`).
 */
import { describe, expect, it } from 'vitest';
import { SeedState, TF_SEED_MODULUS, floorMod, jaxKeyPair, tfSeedPair } from '../../src/random/seed_state.js';

describe('seed state', () => {
  it('next() returns [seed, n] then advances n, like SeedGenerator.next(ordered=True)', () => {
    const s = new SeedState(1337);
    expect(s.peek()).toEqual([1337, 0]);
    expect(s.next()).toEqual([1337, 0]);
    expect(s.next()).toEqual([1337, 1]);
    expect(s.counter).toBe(2);
  });

  it('floorMod follows Python (sign of the divisor)', () => {
    expect(floorMod(-5, TF_SEED_MODULUS)).toBe(2147483641);
    expect(floorMod(-TF_SEED_MODULUS, TF_SEED_MODULUS)).toBe(0);
    expect(Object.is(floorMod(-TF_SEED_MODULUS, TF_SEED_MODULUS), 0)).toBe(true);
    expect(floorMod(7, 3)).toBe(1);
  });

  it('tfSeedPair applies floormod(·, 2147483646) like Keras _cast_seed', () => {
    expect(tfSeedPair(3_000_000_000, 0)).toEqual([852516354, 0]);
    expect(tfSeedPair(2 ** 40, 2147483646)).toEqual([2 ** 40 % 2147483646, 0]);
    expect(tfSeedPair(-5, 3)).toEqual([2147483641, 3]);
  });

  it('jaxKeyPair wraps to uint32', () => {
    expect(jaxKeyPair(-1, 2 ** 32 + 5)).toEqual([0xffffffff, 5]);
  });
});
