/**
 * The direct (pure TypeScript) HDF5 reader against the HDF5 library (h5wasm) on every HDF5 file
 * of the repository: the fixtures (HDF5 files and the model.weights.h5 inside .keras zips), the
 * test data of test/convert/data, the chunked datasets of test/formats/hdf5/chunked, and the
 * generated ~100 MB bench models when present. Both must
 * give the same whole tree (test/helpers/hdf5_agreement.ts). The third-party corpus gets the same
 * check in test/corpus/hdf5_direct_agreement.test.ts.
 *
 * Every file h5py writes with its default settings must be read directly; the two test files
 * made to exercise refusals (an external-storage and a virtual dataset) must fall back.
 */
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../helpers/fixtures.js';
import { agree, CHUNKED_DATA, EXPECTED_FALLBACKS, hdf5Sources, LARGE_BENCH_MODELS, LARGE_FILE_TIMEOUT_MS, tally, TEST_DATA } from '../../helpers/hdf5_agreement.js';

const small = [...hdf5Sources(FIXTURES_DIR), ...hdf5Sources(TEST_DATA), ...hdf5Sources(CHUNKED_DATA)];
const large = hdf5Sources(LARGE_BENCH_MODELS);

describe('the direct HDF5 reader agrees with the HDF5 library', () => {
  it('finds the files', () => {
    // 7 HDF5 files and .keras zips in fixtures/, 18 in test/convert/data, 4 chunked.
    expect(small.length).toBeGreaterThanOrEqual(29);
  });

  it.each(small.map((s) => [s.label, s] as const))('%s', async (_label, source) => {
    await agree(source);
  });

  it.each(large.map((s) => [s.label, s] as const))('%s (bench model)', async (_label, source) => {
    await agree(source);
  }, LARGE_FILE_TIMEOUT_MS);

  it('reads every file directly except the two made to fall back', () => {
    console.log(`direct HDF5 reader: ${tally.direct} files read directly, ${tally.fallback} fell back to h5wasm`);
    expect(tally.fallback).toBe(EXPECTED_FALLBACKS.size);
    expect(tally.direct).toBe(small.length + large.length - EXPECTED_FALLBACKS.size);
  });
});
