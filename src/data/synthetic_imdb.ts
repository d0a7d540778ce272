/**
 * The bundled synthetic IMDB-like set (fixtures/imdb_synthetic, see imdb.ts), read from the
 * package's files. Node only: browser bundles get src/browser/synthetic_imdb.ts.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, Keras2TfjsError } from '../errors.js';
import { readNpy } from '../formats/numpy/npy.js';
import type { ImdbData, ImdbSplit } from './imdb.js';

/** fixtures/imdb_synthetic of this package (src/data and dist/data both sit two levels down). */
export const SYNTHETIC_IMDB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'imdb_synthetic');

/**
 * Loads the bundled synthetic IMDB-like set: 2000 train and 1000 validation reviews.
 * Each split is stored as int32 .npy: `<split>_sequences.npy` (all reviews concatenated),
 * `<split>_offsets.npy` (review i = sequences[offsets[i]:offsets[i+1]]), `<split>_labels.npy`.
 */
export function loadSyntheticImdb(dir = SYNTHETIC_IMDB_DIR): ImdbData {
  return { train: loadSplit(dir, 'train'), val: loadSplit(dir, 'val') };
}

function loadSplit(dir: string, split: string): ImdbSplit {
  const words = readInt32(dir, `${split}_sequences.npy`);
  const offsets = readInt32(dir, `${split}_offsets.npy`);
  const labels = readInt32(dir, `${split}_labels.npy`);
  const file = join(dir, `${split}_offsets.npy`);
  if (offsets.length !== labels.length + 1 || offsets[0] !== 0 || offsets[offsets.length - 1] !== words.length) {
    throw new Keras2TfjsError(
      ErrorCode.CORRUPT_FILE,
      `${file}: ${offsets.length} offsets for ${labels.length} labels and ${words.length} words ` +
        `(expected labels + 1 offsets from 0 to the word count); regenerate with python scripts/export_fixtures.py --only imdb_synthetic`,
      { file },
    );
  }
  const sequences = Array.from(labels, (_, i) => words.subarray(offsets[i], offsets[i + 1]));
  return { sequences, labels };
}

function readInt32(dir: string, name: string): Int32Array {
  const path = join(dir, name);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new Keras2TfjsError(
      ErrorCode.FILE_NOT_FOUND,
      `${path} is missing: the synthetic IMDB set lives in fixtures/imdb_synthetic (python scripts/export_fixtures.py makes it)`,
      { file: path },
    );
  }
  const array = readNpy(bytes, path);
  if (array.dtype !== 'int32' || array.shape.length !== 1) {
    throw new Keras2TfjsError(
      ErrorCode.CORRUPT_FILE,
      `${path}: expected a 1-D int32 array, got ${array.dtype} [${array.shape.join(', ')}]`,
      { file: path },
    );
  }
  return array.data as Int32Array;
}
