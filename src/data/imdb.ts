/**
 * IMDB-style review data in TypeScript: the book's `vectorize_sequences` (multi-hot), Keras'
 * `num_words` cut, and (synthetic_imdb.ts, Node) a loader for the bundled synthetic IMDB-like set.
 *
 * The bundled set (fixtures/imdb_synthetic, made by scripts/fixture_cases/imdb_synthetic.py) is
 * SYNTHETIC: numpy-generated reviews in keras.datasets.imdb's encoding (1 = start, 2 = out of
 * vocabulary, word index = frequency rank + 3, 10,000-word vocabulary), not real IMDB text.
 */
import { tensor2d, type Tensor2D } from '@tensorflow/tfjs-core';
import { ErrorCode, Keras2TfjsError, invalidArgument } from '../errors.js';

export { loadSyntheticImdb, SYNTHETIC_IMDB_DIR } from './synthetic_imdb.js';

/** keras.datasets.imdb's out-of-vocabulary index (`oov_char`). */
export const IMDB_OOV = 2;

export interface ImdbSplit {
  /** One Int32Array of word indices per review. */
  sequences: Int32Array[];
  /** 0 = negative, 1 = positive. */
  labels: Int32Array;
}

export interface ImdbData {
  train: ImdbSplit;
  val: ImdbSplit;
}

/**
 * The multi-hot matrix of the book's `vectorize_sequences`: row i has 1 at every word index of
 * review i, 0 elsewhere; shape [reviews, dimension], float32 (numpy's is float64, same 0/1 values).
 * Unlike numpy, an index outside [0, dimension) is an error rather than an IndexError or, for a
 * negative index, a silent write from the end of the row.
 */
export function vectorizeSequences(sequences: ReadonlyArray<ArrayLike<number>>, dimension = 10000): Tensor2D {
  return tensor2d(multiHot(sequences, dimension), [sequences.length, dimension], 'float32');
}

/** The values of `vectorizeSequences` as a row-major Float32Array (no tensor). */
export function multiHot(sequences: ReadonlyArray<ArrayLike<number>>, dimension = 10000): Float32Array {
  if (!Number.isSafeInteger(dimension) || dimension <= 0) {
    throw invalidArgument('dimension', 'a positive integer', dimension);
  }
  const out = new Float32Array(sequences.length * dimension);
  sequences.forEach((sequence, row) => {
    for (let i = 0; i < sequence.length; i++) {
      const word = sequence[i];
      if (!Number.isInteger(word) || word < 0 || word >= dimension) {
        throw new Keras2TfjsError(
          ErrorCode.INVALID_ARGUMENT,
          `vectorizeSequences: review ${row} has word index ${word} at position ${i}, outside [0, ${dimension}); ` +
            `pass a larger dimension or limitVocabulary(sequences, ${dimension}) first`,
        );
      }
      out[row * dimension + word] = 1;
    }
  });
  return out;
}

/**
 * keras.datasets.imdb.load_data(num_words=...): every word index >= numWords becomes `oov`
 * (2), so a model with numWords inputs can take the reviews.
 */
export function limitVocabulary(
  sequences: ReadonlyArray<ArrayLike<number>>,
  numWords: number,
  oov = IMDB_OOV,
): Int32Array[] {
  if (!Number.isSafeInteger(numWords) || numWords <= oov) {
    throw invalidArgument('numWords', `an integer greater than the oov index ${oov}`, numWords);
  }
  return sequences.map((sequence) => Int32Array.from(sequence, (w) => (w < numWords ? w : oov)));
}
