/**
 * The bundled synthetic IMDB set and vectorizeSequences against what Python made of them:
 * the book's vectorize_sequences output and the x.npy inputs of the exported seed models.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitVocabulary, loadSyntheticImdb, multiHot, vectorizeSequences } from '../../src/data/imdb.js';
import { Keras2TfjsError } from '../../src/errors.js';
import { writeNpy } from '../../src/formats/numpy/npy.js';
import { switchBackend, TEST_BACKENDS } from '../helpers/backends.js';
import { fixtureCase, loadFixture } from '../helpers/fixtures.js';

interface ImdbCase {
  splits: Record<'train' | 'val', { reviews: number; words: number; positive: number; max_length: number }>;
  encoding: { start: number; oov: number; vocabulary: number };
}

const data = loadSyntheticImdb();
const spec = fixtureCase<ImdbCase>('imdb_synthetic');

function errorOf(fn: () => unknown): Keras2TfjsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof Keras2TfjsError) return e;
    throw e;
  }
  throw new Error('expected a Keras2TfjsError');
}

describe('loadSyntheticImdb', () => {
  it.each(['train', 'val'] as const)('%s has the reviews, words and labels Python wrote', (split) => {
    const { sequences, labels } = data[split];
    const facts = spec.splits[split];
    expect(sequences.length).toBe(facts.reviews);
    expect(labels.length).toBe(facts.reviews);
    expect(sequences.reduce((n, s) => n + s.length, 0)).toBe(facts.words);
    expect(labels.reduce((n, l) => n + l, 0)).toBe(facts.positive);
    expect(Math.max(...sequences.map((s) => s.length))).toBe(facts.max_length);
    for (const sequence of sequences) {
      expect(sequence[0]).toBe(spec.encoding.start);
      expect(Math.max(...sequence)).toBeLessThan(spec.encoding.vocabulary);
    }
    expect(new Set(labels)).toEqual(new Set([0, 1]));
  });

  it('names the missing folder', () => {
    const error = errorOf(() => loadSyntheticImdb('/nonexistent/imdb'));
    expect(error.code).toBe('FILE_NOT_FOUND');
    expect(error.message).toContain('/nonexistent/imdb/train_sequences.npy is missing');
  });

  it('refuses offsets that do not cover the words', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imdb-'));
    try {
      const int32 = (values: number[]) => writeNpy({ shape: [values.length], dtype: 'int32', data: Int32Array.from(values) });
      for (const split of ['train', 'val']) {
        writeFileSync(join(dir, `${split}_sequences.npy`), int32([1, 5, 6, 1, 7]));
        writeFileSync(join(dir, `${split}_offsets.npy`), int32([0, 3, 4]));
        writeFileSync(join(dir, `${split}_labels.npy`), int32([0, 1]));
      }
      const error = errorOf(() => loadSyntheticImdb(dir));
      expect(error.code).toBe('CORRUPT_FILE');
      expect(error.message).toContain('train_offsets.npy: 3 offsets for 2 labels and 5 words');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('multiHot / vectorizeSequences equal the book’s vectorize_sequences in Python', () => {
  it('on the first 8 validation reviews (vectorized_val_head.npy)', () => {
    const expected = loadFixture('imdb_synthetic', 'vectorized_val_head.npy', { as: 'float32' });
    expect(expected.shape).toEqual([8, 10000]);
    expect(multiHot(data.val.sequences.slice(0, 8), 10000)).toEqual(expected.data);
  });

  it('on the 10,000-input seed model’s inputs (seed_lambda/x.npy)', () => {
    const x = loadFixture('seed_lambda', 'x.npy', { as: 'float32' });
    expect(multiHot(data.val.sequences.slice(0, x.shape[0]), 10000)).toEqual(x.data);
  });

  it.each(['seed_lambda_tfkeras', 'manual_dropout_tf', 'manual_dropout_jax'])(
    'on %s/x.npy, after limitVocabulary(…, 1000) like load_data(num_words=1000)',
    (caseName) => {
      const x = loadFixture(caseName, 'x.npy', { as: 'float32' });
      expect(x.shape[1]).toBe(1000);
      const limited = limitVocabulary(data.val.sequences.slice(0, x.shape[0]), 1000);
      expect(multiHot(limited, 1000)).toEqual(x.data);
    },
  );

  it('refuses word indices outside the dimension, naming the review and the fix', () => {
    const error = errorOf(() => multiHot([[1, 4], [1, 1000]], 1000));
    expect([error.code, error.message]).toEqual([
      'INVALID_ARGUMENT',
      'vectorizeSequences: review 1 has word index 1000 at position 1, outside [0, 1000); ' +
        'pass a larger dimension or limitVocabulary(sequences, 1000) first',
    ]);
    expect(errorOf(() => multiHot([[-1]], 10)).message).toContain('word index -1 at position 0');
  });

  it('refuses a dimension or numWords that cannot work', () => {
    expect(errorOf(() => multiHot([[1]], 0)).message).toBe(
      'Invalid value for `dimension`: expected a positive integer. Received: dimension=0',
    );
    expect(errorOf(() => limitVocabulary([[1]], 2)).message).toBe(
      'Invalid value for `numWords`: expected an integer greater than the oov index 2. Received: numWords=2',
    );
  });
});

describe.each(TEST_BACKENDS)('vectorizeSequences on %s', (backend) => {
  beforeAll(async () => {
    await switchBackend(backend);
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  it('returns a float32 [reviews, dimension] tensor with the multi-hot values, leaking nothing', () => {
    const before = tf.memory().numTensors;
    const sequences = data.train.sequences.slice(0, 5);
    const x = vectorizeSequences(sequences);
    expect(x.shape).toEqual([5, 10000]);
    expect(x.dtype).toBe('float32');
    expect(x.dataSync()).toEqual(multiHot(sequences, 10000));
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
