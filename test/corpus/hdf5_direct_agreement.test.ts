/**
 * The direct (pure TypeScript) HDF5 reader against the HDF5 library (h5wasm) on every HDF5 file
 * of the third-party corpus (38 .h5, 1 .hdf5, 1 HDF5 named .keras, and the model.weights.h5 of
 * its 17 .keras zips): the same whole tree (test/helpers/hdf5_agreement.ts), and every one read
 * directly, none left to the library.
 */
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR } from '../helpers/corpus.js';
import { agree, hdf5Sources, tally } from '../helpers/hdf5_agreement.js';

const sources = hdf5Sources(CORPUS_DIR);

describe('the direct HDF5 reader agrees with the HDF5 library on the corpus', () => {
  it('finds the corpus files', () => {
    expect(sources.length).toBeGreaterThanOrEqual(57);
  });

  it.each(sources.map((s) => [s.label, s] as const))('%s', async (_label, source) => {
    await agree(source);
  });

  it('reads every corpus file directly', () => {
    expect(tally.fallback).toBe(0);
    expect(tally.direct).toBe(sources.length);
  });
});
