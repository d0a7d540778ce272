/** Argument checks shared by the stream generators (philox.ts, threefry.ts). */
import { invalidArgument } from '../errors.js';

/** A [a, b] pair of safe integers, e.g. a seed pair or a raw key; `expected` describes it in errors. */
export function checkIntegerPair(name: string, pair: readonly [number, number], expected: string): void {
  if (pair == null || pair.length !== 2 || !Number.isSafeInteger(pair[0]) || !Number.isSafeInteger(pair[1])) {
    throw invalidArgument(name, expected, pair);
  }
}

/** How many values to draw: a non-negative integer. */
export function checkCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw invalidArgument('count', 'a non-negative integer', count);
  }
}
