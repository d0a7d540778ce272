/**
 * loadImdbNpz against real keras.datasets.imdb.load_data: fixtures/imdb_npz holds a small npz in
 * the exact format of Keras' cached imdb.npz (pickled ragged lists) and what load_data(num_words=50)
 * returned for it in Python (case scripts/fixture_cases/imdb_npz.py).
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { loadImdbNpz } from '../../src/data/imdb_npz.js';
import { NumpyRandomState } from '../../src/data/numpy_random_state.js';
import { Keras2TfjsError } from '../../src/errors.js';
import { fixtureCase, fixturePath, loadFixture } from '../helpers/fixtures.js';

interface ImdbNpzCase {
  load_data_args: { num_words: number; seed: number; start_char: number; oov_char: number; index_from: number };
}

function ragged(name: string): number[][] {
  const flat = Array.from(loadFixture('imdb_npz', `${name}_flat.npy`).data);
  const lengths = Array.from(loadFixture('imdb_npz', `${name}_lengths.npy`).data);
  const out: number[][] = [];
  let at = 0;
  for (const n of lengths) {
    out.push(flat.slice(at, at + n));
    at += n;
  }
  return out;
}

describe('loadImdbNpz (Keras imdb.npz format)', () => {
  const args = fixtureCase<ImdbNpzCase>('imdb_npz').load_data_args;
  let data: Awaited<ReturnType<typeof loadImdbNpz>>;
  beforeAll(async () => {
    data = await loadImdbNpz(fixturePath('imdb_npz', 'imdb_small.npz'), {
      numWords: args.num_words,
      seed: args.seed,
      startChar: args.start_char,
      oovChar: args.oov_char,
      indexFrom: args.index_from,
    });
  });

  it('gives the sequences keras.datasets.imdb.load_data gave, in the same shuffled order', () => {
    expect(data.train.sequences.map((s) => Array.from(s))).toEqual(ragged('x_train'));
    expect(data.val.sequences.map((s) => Array.from(s))).toEqual(ragged('x_test'));
  });

  it('gives the same labels', () => {
    expect(Array.from(data.train.labels)).toEqual(Array.from(loadFixture('imdb_npz', 'y_train.npy').data));
    expect(Array.from(data.val.labels)).toEqual(Array.from(loadFixture('imdb_npz', 'y_test.npy').data));
  });

  it('uses oov_char for ranks beyond num_words (the fixture exercises it)', () => {
    const all = data.train.sequences.flatMap((s) => Array.from(s));
    expect(all).toContain(args.oov_char);
    expect(Math.max(...all)).toBeLessThan(args.num_words);
  });

  it('refuses a missing file and a zip without the IMDB members, naming the file', async () => {
    await expect(loadImdbNpz('/nonexistent/imdb.npz')).rejects.toThrow(/\/nonexistent\/imdb\.npz not found/);
    const dir = mkdtempSync(join(tmpdir(), 'k2t-imdb-'));
    try {
      const path = join(dir, 'bad.npz');
      writeFileSync(path, zipSync({ 'other.npy': new Uint8Array([1, 2, 3]) }));
      let caught: unknown;
      try {
        await loadImdbNpz(path);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(Keras2TfjsError);
      expect((caught as Keras2TfjsError).code).toBe('CORRUPT_FILE');
      expect((caught as Error).message).toBe(`${path}: no x_train.npy member (an IMDB npz has x_train, y_train, x_test, y_test)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('NumpyRandomState', () => {
  it('produces the MT19937 reference stream for seed 5489 (the generator\'s published first outputs)', () => {
    const rng = new NumpyRandomState(5489);
    // First two outputs of mt19937 with init_genrand(5489), the reference implementation's default seed.
    expect([rng.nextUint32(), rng.nextUint32()]).toEqual([3499211612, 581869302]);
  });
});
