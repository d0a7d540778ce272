/**
 * The real IMDB file as Keras caches it (`~/.keras/datasets/imdb.npz`), read the way
 * `keras.datasets.imdb.load_data` reads it: an npz (a zip of .npy members) whose x_train /
 * x_test are numpy object arrays of Python lists (stored pickled) and y_train / y_test are ints.
 *
 * The pickles are parsed with `pickleparser`, which builds plain values and never runs code
 * from the file (Keras' own loader likewise only unpickles numpy arrays). Then we apply
 * load_data's steps exactly: shuffle with numpy RandomState(seed) (train, then test, from one
 * generator), start_char / index_from, and the num_words cut to oov_char.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { Parser } from 'pickleparser';
import { ErrorCode, Keras2TfjsError } from '../errors.js';
import { readNpy, splitHeader } from '../formats/numpy/npy.js';
import type { ImdbData, ImdbSplit } from './imdb.js';
import { NumpyRandomState } from './numpy_random_state.js';

/** keras.datasets.imdb.load_data's arguments (its defaults, with the book's num_words). */
export interface LoadImdbOptions {
  numWords?: number | null;
  seed?: number;
  startChar?: number | null;
  oovChar?: number;
  indexFrom?: number;
}

/**
 * `keras.datasets.imdb.load_data(num_words=10000)` on a local imdb.npz. Returns Keras' train
 * split as `train` and its test split as `val` (the book validates on part of train; callers slice).
 */
export function loadImdbNpz(path: string, options: LoadImdbOptions = {}): ImdbData {
  const { numWords = 10000, seed = 113, startChar = 1, oovChar = 2, indexFrom = 3 } = options;
  const members = readNpz(path);
  const xTrain = readRagged(members, 'x_train', path);
  const xTest = readRagged(members, 'x_test', path);
  const yTrain = readLabels(members, 'y_train', path);
  const yTest = readLabels(members, 'y_test', path);
  if (xTrain.length !== yTrain.length || xTest.length !== yTest.length) {
    throw corrupt(path, `x/y lengths differ (${xTrain.length}/${yTrain.length}, ${xTest.length}/${yTest.length})`);
  }
  // One generator shuffles train, then test, as load_data does.
  const rng = new NumpyRandomState(seed);
  const train = shuffled(xTrain, yTrain, rng);
  const test = shuffled(xTest, yTest, rng);
  const encode = (words: number[]): Int32Array => {
    const shifted = startChar === null ? words.map((w) => w + indexFrom) : [startChar, ...words.map((w) => w + indexFrom)];
    const limit = numWords ?? Infinity;
    return Int32Array.from(shifted, (w) => (w < limit ? w : oovChar));
  };
  return {
    train: { sequences: train.x.map(encode), labels: train.y },
    val: { sequences: test.x.map(encode), labels: test.y },
  };
}

function shuffled(x: number[][], y: Int32Array, rng: NumpyRandomState): { x: number[][]; y: Int32Array } {
  const order = Int32Array.from({ length: x.length }, (_, i) => i);
  rng.shuffle(order);
  return { x: Array.from(order, (i) => x[i]), y: Int32Array.from(order, (i) => y[i]) };
}

function readNpz(path: string): Record<string, Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new Keras2TfjsError(
      ErrorCode.FILE_NOT_FOUND,
      `${path} not found: pass the IMDB file as Keras caches it (~/.keras/datasets/imdb.npz)`,
      { file: path },
    );
  }
  try {
    return unzipSync(bytes);
  } catch (e) {
    throw corrupt(path, `not a readable npz (zip) file: ${(e as Error).message}`);
  }
}

function member(members: Record<string, Uint8Array>, name: string, path: string): Uint8Array {
  const bytes = members[`${name}.npy`];
  if (!bytes) throw corrupt(path, `no ${name}.npy member (an IMDB npz has x_train, y_train, x_test, y_test)`);
  return bytes;
}

/** An object array of lists of ints, pickled inside the .npy. */
function readRagged(members: Record<string, Uint8Array>, name: string, path: string): number[][] {
  const bytes = member(members, name, path);
  const source = `${path}:${name}.npy`;
  const { header, dataOffset } = splitHeader(bytes, source);
  if (!/'descr':\s*'\|O'/.test(header)) throw corrupt(path, `${name}.npy is not an object array of reviews`);
  let value: unknown;
  try {
    value = new Parser().parse(bytes.subarray(dataOffset));
  } catch (e) {
    throw corrupt(path, `${name}.npy: unreadable pickle (${(e as Error).message})`);
  }
  const reviews = objectArrayItems(value);
  if (!reviews || !reviews.every((r) => Array.isArray(r) && r.every((w) => Number.isInteger(w)))) {
    throw corrupt(path, `${name}.npy does not hold lists of word indices`);
  }
  return reviews as number[][];
}

/**
 * numpy pickles an ndarray as `_reconstruct(...)` followed by BUILD with the state tuple
 * `(version, shape, dtype, is_fortran, items)`; pickleparser exposes that state as the
 * object's numbered fields. We take the items list and nothing else.
 */
function objectArrayItems(value: unknown): unknown[] | null {
  if (value === null || typeof value !== 'object') return null;
  const state = value as Record<string, unknown>;
  const items = state['4'];
  return Array.isArray(items) ? items : null;
}

function readLabels(members: Record<string, Uint8Array>, name: string, path: string): Int32Array {
  const array = readNpy(member(members, name, path), `${path}:${name}.npy`);
  if (array.shape.length !== 1 || !(array.data instanceof Int32Array || array.data instanceof Uint8Array)) {
    throw corrupt(path, `${name}.npy should be a 1-D integer array, got ${array.dtype} [${array.shape.join(', ')}]`);
  }
  return Int32Array.from(array.data);
}

function corrupt(path: string, what: string): Keras2TfjsError {
  return new Keras2TfjsError(ErrorCode.CORRUPT_FILE, `${path}: ${what}`, { file: path });
}

export type { ImdbData, ImdbSplit };
