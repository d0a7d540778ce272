/**
 * The real IMDB file as Keras caches it (`~/.keras/datasets/imdb.npz`), read the way
 * `keras.datasets.imdb.load_data` reads it: an npz (a zip of .npy members) whose x_train /
 * x_test are numpy object arrays of Python lists (stored pickled) and y_train / y_test are ints.
 *
 * The pickles are read by formats/python/pickle.ts, which builds plain values and never runs
 * code from the file (Keras' own loader likewise only unpickles numpy arrays). Then we apply
 * load_data's steps exactly: shuffle with numpy RandomState(seed) (train, then test, from one
 * generator), start_char / index_from, and the num_words cut to oov_char.
 *
 * A hostile file costs bounded time and memory: only a regular file is read; the members'
 * declared sizes must fit a decoded-bytes budget (`maxDecodedBytes`, 64 MiB by default: the real
 * file decodes to about 30 MB) before anything is inflated, and the zip reader holds each member
 * to its declared size; the pickle reader bounds its own memory; and the reviews may hold at most
 * one word index per two bytes of pickle (the least an index costs), so one list shared 20,000
 * times ("billion laughs") is refused instead of copied 20,000 times.
 */
import { readFileSync, statSync } from 'node:fs';
import { ErrorCode, Keras2TfjsError } from '../errors.js';
import { readNpy, splitHeader } from '../formats/numpy/npy.js';
import { PickleCall, PickleError, readPickle } from '../formats/python/pickle.js';
import { DecodeBudget } from '../formats/decode_budget.js';
import { ZipArchive } from '../formats/zip/zip_archive.js';
import { MemorySource } from '../io/byte_source.js';
import type { ImdbData, ImdbSplit } from './imdb.js';
import { NumpyRandomState } from './numpy_random_state.js';

/** Default budget for the npz's decoded members: twice what the real imdb.npz decodes to. */
export const DEFAULT_MAX_DECODED_BYTES = 64 * 1024 * 1024;
/** The fewest bytes a word index takes in a pickle (BININT1: opcode + one byte). */
const MIN_PICKLE_BYTES_PER_WORD = 2;
const MEMBERS = ['x_train', 'y_train', 'x_test', 'y_test'] as const;

/** keras.datasets.imdb.load_data's arguments (its defaults, with the book's num_words). */
export interface LoadImdbOptions {
  numWords?: number | null;
  seed?: number;
  startChar?: number | null;
  oovChar?: number;
  indexFrom?: number;
  /**
   * Most bytes the npz's members may decode to, together (default DEFAULT_MAX_DECODED_BYTES).
   * Raise it for a larger file of the same format; the reviews then take about 3× as much memory.
   */
  maxDecodedBytes?: number;
}

/**
 * `keras.datasets.imdb.load_data(num_words=10000)` on a local imdb.npz. Returns Keras' train
 * split as `train` and its test split as `val` (the book validates on part of train; callers slice).
 */
export async function loadImdbNpz(path: string, options: LoadImdbOptions = {}): Promise<ImdbData> {
  const { numWords = 10000, seed = 113, startChar = 1, oovChar = 2, indexFrom = 3 } = options;
  const npz = await openNpz(path, options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES);
  const xTrain = await readRagged(npz, 'x_train', path);
  const xTest = await readRagged(npz, 'x_test', path);
  const yTrain = await readLabels(npz, 'y_train', path);
  const yTest = await readLabels(npz, 'y_test', path);
  if (xTrain.length !== yTrain.length || xTest.length !== yTest.length) {
    throw corrupt(path, `x/y lengths differ (${xTrain.length}/${yTrain.length}, ${xTest.length}/${yTest.length})`);
  }
  // One generator shuffles train, then test, as load_data does.
  const rng = new NumpyRandomState(seed);
  const train = shuffled(xTrain, yTrain, rng);
  const test = shuffled(xTest, yTest, rng);
  const limit = numWords ?? Infinity;
  const encode = (words: Int32Array): Int32Array => {
    const lead = startChar === null ? 0 : 1;
    const out = new Int32Array(words.length + lead);
    if (startChar !== null) out[0] = startChar;
    for (let i = 0; i < words.length; i++) out[lead + i] = words[i] + indexFrom;
    for (let i = 0; i < out.length; i++) if (!(out[i] < limit)) out[i] = oovChar;
    return out;
  };
  return {
    train: { sequences: train.x.map(encode), labels: train.y },
    val: { sequences: test.x.map(encode), labels: test.y },
  };
}

function shuffled(x: Int32Array[], y: Int32Array, rng: NumpyRandomState): { x: Int32Array[]; y: Int32Array } {
  const order = Int32Array.from({ length: x.length }, (_, i) => i);
  rng.shuffle(order);
  return { x: Array.from(order, (i) => x[i]), y: Int32Array.from(order, (i) => y[i]) };
}

/** The archive, after checking that it is a regular file whose members fit the budget. */
async function openNpz(path: string, maxDecodedBytes: number): Promise<ZipArchive> {
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw corrupt(path, 'is not a regular file (a directory, pipe or device); pass the imdb.npz file itself');
    size = stats.size;
  } catch (e) {
    if (e instanceof Keras2TfjsError) throw e;
    throw new Keras2TfjsError(
      ErrorCode.FILE_NOT_FOUND,
      `${path} not found: pass the IMDB file as Keras caches it (~/.keras/datasets/imdb.npz)`,
      { file: path },
    );
  }
  // A zip is never larger than its members stored: a larger file is refused unread.
  if (size > maxDecodedBytes + 1024 * 1024) throw overBudget(path, `is ${size} bytes`, maxDecodedBytes);
  // The members' declared sizes are checked against `maxDecodedBytes` below; what inflating
  // produces is held to it too (the budget's floor).
  const budget = new DecodeBudget(size, 0, maxDecodedBytes, 'if the file is genuine, raise maxDecodedBytes');
  const zip = await ZipArchive.open(new MemorySource(readFileSync(path), path, 'shared'), path, budget);
  let declared = 0;
  for (const name of MEMBERS) declared += zip.member(`${name}.npy`)?.size ?? 0;
  if (declared > maxDecodedBytes) throw overBudget(path, `declares members of ${declared} bytes once inflated`, maxDecodedBytes);
  return zip;
}

function overBudget(path: string, what: string, budget: number): Keras2TfjsError {
  return corrupt(
    path,
    `${what}, more than the ${budget} bytes allowed (the real imdb.npz decodes to about 30 MB); ` +
      'if the file is genuine, raise maxDecodedBytes',
  );
}

async function member(npz: ZipArchive, name: string, path: string): Promise<Uint8Array> {
  if (!npz.has(`${name}.npy`)) throw corrupt(path, `no ${name}.npy member (an IMDB npz has x_train, y_train, x_test, y_test)`);
  return npz.read(`${name}.npy`); // inflated into its declared size only, CRC checked
}

/** An object array of lists of ints, pickled inside the .npy: one Int32Array per review. */
async function readRagged(npz: ZipArchive, name: string, path: string): Promise<Int32Array[]> {
  const bytes = await member(npz, name, path);
  const source = `${path}:${name}.npy`;
  const { header, dataOffset } = splitHeader(bytes, source);
  if (!/'descr':\s*'\|O'/.test(header)) throw corrupt(path, `${name}.npy is not an object array of reviews`);
  const pickle = bytes.subarray(dataOffset);
  let value: unknown;
  try {
    value = readPickle(pickle);
  } catch (e) {
    if (!(e instanceof PickleError)) throw e;
    throw corrupt(path, `${name}.npy: unreadable pickle (${e.message})`);
  }
  const reviews = objectArrayItems(value);
  if (!reviews) throw corrupt(path, `${name}.npy does not hold lists of word indices`);
  // Shared references make a small pickle stand for any number of words: count before copying.
  const wordBudget = Math.floor(pickle.length / MIN_PICKLE_BYTES_PER_WORD);
  let words = 0;
  const out: Int32Array[] = [];
  for (const review of reviews) {
    if (!Array.isArray(review)) throw corrupt(path, `${name}.npy does not hold lists of word indices`);
    words += review.length;
    if (words > wordBudget) {
      throw corrupt(
        path,
        `${name}.npy: its reviews hold more word indices than its ${pickle.length}-byte pickle can store (at most ${wordBudget}): ` +
          'they share lists by reference, which Keras never writes; the file is damaged or crafted',
      );
    }
    const sequence = new Int32Array(review.length);
    for (let i = 0; i < review.length; i++) {
      const w = review[i];
      if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 2147483647) {
        throw corrupt(path, `${name}.npy does not hold lists of word indices`);
      }
      sequence[i] = w;
    }
    out.push(sequence);
  }
  return out;
}

/**
 * numpy pickles an ndarray as `_reconstruct(...)` followed by BUILD with the state tuple
 * `(version, shape, dtype, is_fortran, items)`. We take the items list and nothing else.
 */
function objectArrayItems(value: unknown): unknown[] | null {
  if (!(value instanceof PickleCall) || !Array.isArray(value.state) || value.state.length < 5) return null;
  const items = value.state[4];
  return Array.isArray(items) ? items : null;
}

async function readLabels(npz: ZipArchive, name: string, path: string): Promise<Int32Array> {
  const array = readNpy(await member(npz, name, path), `${path}:${name}.npy`);
  if (array.shape.length !== 1 || !(array.data instanceof Int32Array || array.data instanceof Uint8Array)) {
    throw corrupt(path, `${name}.npy should be a 1-D integer array, got ${array.dtype} [${array.shape.join(', ')}]`);
  }
  return Int32Array.from(array.data);
}

function corrupt(path: string, what: string): Keras2TfjsError {
  return new Keras2TfjsError(ErrorCode.CORRUPT_FILE, `${path}: ${what}`, { file: path });
}

export type { ImdbData, ImdbSplit };
