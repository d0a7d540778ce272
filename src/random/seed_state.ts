/**
 * Keras 3's `SeedGenerator` stepping, and how each backend turns its state into the seed its
 * random op receives (keras/src/random/seed_generator.py, keras/src/backend/{tensorflow,jax}/random.py).
 *
 * A seeded layer (`Dropout(rate, seed=S)`) owns a generator whose state starts at `[S, 0]`.
 * Each draw (each training-mode call) returns the current state and then adds `[0, 1]`, so the
 * n-th call (n = 0, 1, 2, …) uses `[S, n]`.
 * - TensorFlow backend: the int64 state goes through `floormod(·, 2147483646)` and a cast to
 *   int32 before `tf.random.stateless_*` sees it (`_cast_seed`).
 * - JAX backend: the state is uint32 and is used directly as the raw threefry key.
 */
import { invalidArgument } from '../errors.js';

/** `tf.int32.max - 1`: the modulus Keras' TensorFlow backend applies to seeds (`_cast_seed`). */
export const TF_SEED_MODULUS = 2147483646;

const TWO_POW_32 = 4294967296;

/** Python's floor modulo (result has the sign of the divisor), for safe integers. */
export function floorMod(value: number, modulus: number): number {
  const r = value % modulus;
  return r < 0 ? r + modulus : r === 0 ? 0 : r; // `r === 0 ? 0` turns -0 into 0
}

/** The int32 seed pair Keras' TensorFlow backend passes to TF for state `[seed, n]`. */
export function tfSeedPair(seed: number, n: number): [number, number] {
  checkInteger('seed', seed);
  checkInteger('n', n);
  return [floorMod(seed, TF_SEED_MODULUS), floorMod(n, TF_SEED_MODULUS)];
}

/** The uint32 threefry key Keras' JAX backend uses for state `[seed, n]` (uint32 wrap-around). */
export function jaxKeyPair(seed: number, n: number): [number, number] {
  checkInteger('seed', seed);
  checkInteger('n', n);
  return [floorMod(seed, TWO_POW_32), floorMod(n, TWO_POW_32)];
}

/**
 * A Keras-like ordered seed generator: `next()` returns `[seed, n]` and then advances n.
 * It is plain data (two numbers) so a layer can save and restore it.
 */
export class SeedState {
  readonly seed: number;
  /** How many draws were made so far (the n of the next draw). */
  counter: number;

  constructor(seed: number, counter = 0) {
    checkInteger('seed', seed);
    checkInteger('counter', counter);
    if (counter < 0) throw invalidArgument('counter', 'a non-negative integer', counter);
    this.seed = seed;
    this.counter = counter;
  }

  /** The state a draw would use now, without advancing. */
  peek(): [number, number] {
    return [this.seed, this.counter];
  }

  /** Returns the current state `[seed, n]`, then advances n by one (Keras `next(ordered=True)`). */
  next(): [number, number] {
    const state: [number, number] = [this.seed, this.counter];
    this.counter += 1;
    return state;
  }
}

function checkInteger(name: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw invalidArgument(name, 'an integer', v);
}
