/**
 * HDF5 lets one group be linked under several names. Keras never writes that, but a damaged or
 * hostile file can: 40 levels of groups each linking the next twice make 2^40 paths. The
 * converter must refuse such a file quickly with BAD_HDF5 instead of walking every path, and a
 * harmless extra link must still convert. The files are the real fixture with links added by
 * h5py (test/convert/make_linked_groups.py), so the converter's own HDF5 reader reads them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convert } from '../../../src/convert/convert.js';
import { Hdf5Thread } from '../../../src/formats/hdf5/h5wasm/thread.js';
import { Keras2TfjsError } from '../../../src/errors.js';
import { fixturePath } from '../../helpers/fixtures.js';

const DATA = join(import.meta.dirname, '..', '..', 'convert', 'data');
/** The refusal must come from the reader's step budget, well before the h5wasm reader's 10 s deadline. */
const REFUSAL_WITHIN_MS = 5_000;

describe('groups linked under several names', () => {
  it('refuses a lattice of hard links with BAD_HDF5, quickly, without the HDF5 library', async () => {
    const started = performance.now();
    const error = await convert(join(DATA, 'linked_lattice.keras')).then(() => null, (e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(REFUSAL_WITHIN_MS);
    expect(error).toBeInstanceOf(Keras2TfjsError);
    expect((error as Keras2TfjsError).code).toBe('BAD_HDF5');
    expect((error as Keras2TfjsError).message).toMatch(/^linked_lattice\.keras: walking its groups takes more than 10000000 steps .*linked to each other under many names.*save the model again from Keras$/);
    expect(Hdf5Thread.running).toBe(false);
  });

  it('still converts a file with one group under a second name, to the same weights', async () => {
    const plain = await convert(fixturePath('builtin_dropout', 'model.keras'));
    const linked = await convert(join(DATA, 'linked_alias.keras'));
    const weights = (r: typeof plain) => r.model.weights.map((w) => [w.name, w.shape, Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength).toString('base64')]);
    expect(linked.model.weights.length).toBeGreaterThan(0);
    expect(weights(linked)).toEqual(weights(plain));
  });
});
