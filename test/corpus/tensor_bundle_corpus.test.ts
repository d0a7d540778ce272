/**
 * The TensorBundle checkpoint reader against real TensorFlow, on the third-party corpus: every
 * tensor of every corpus SavedModel checkpoint (weights, optimizer slots, int64 counters, the
 * object-graph string) equals what tf.train.load_checkpoint(...).get_tensor(key) returned
 * (saved_model_corpus.expected.json, written by saved_model_corpus_expected.py), read whole and
 * in pieces.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTensorBundle } from '../../src/io/tensor_bundle_files.js';
import { CORPUS_DIR } from '../helpers/corpus.js';
import { readInPieces, readWhole } from '../helpers/stored_arrays.js';

const expected = JSON.parse(readFileSync(new URL('./saved_model_corpus.expected.json', import.meta.url), 'utf8')) as {
  models: Record<string, { checkpoint: Record<string, { dtype: string; shape: number[]; sha256: string }> }>;
};

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('TensorBundle reads what TensorFlow reads', () => {
  it.each(Object.keys(expected.models))('%s: every tensor', async (dir) => {
    const want = expected.models[dir].checkpoint;
    const bundle = await openTensorBundle(join(CORPUS_DIR, dir, 'variables', 'variables'));
    expect(bundle.keys().sort()).toEqual(Object.keys(want).sort());
    for (const [key, w] of Object.entries(want)) {
      if (w.dtype === 'string') {
        const [s] = await bundle.readStrings(key);
        expect(sha256(s), key).toBe(w.sha256);
        continue;
      }
      const a = await readWhole(() => bundle.array(key));
      expect(a.shape, key).toEqual(w.shape);
      expect(a.dtype, key).toBe(w.dtype.startsWith('float') ? 'float32' : 'int32');
      expect(sha256(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength)), key).toBe(w.sha256);
      // In pieces of 7 elements' worth of bytes (and at least one element): the same values.
      expect(sha256(await readInPieces(bundle.array(key), 28)), `${key} in pieces`).toBe(w.sha256);
    }
  });
});
