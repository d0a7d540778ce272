/**
 * The interface both HDF5 readers implement (`Hdf5File`), with what they share on top of it:
 * string attributes, split attribute lists, and numeric datasets as lazy `StoredArray`s behind
 * the decode budget. Opening a file (the choice of reader) is in open_hdf5.ts: the readers
 * extend this class, so this module does not import them.
 */
import { ErrorCode } from '../../errors.js';
import { convertError } from '../../errors.js';
import type { DecodeBudget } from '../decode_budget.js';
import { decodeNumeric, sourceDtypeOf, toStringList } from './decode.js';
import type { DatasetMeta } from './h5wasm/worker.js';
import { elementCount, type StoredArray } from '../stored_array.js';

export type AttrValue = string | number | bigint | boolean | string[] | number[] | null;

/** A numeric dataset: its values read when asked, `sourceDtype` as the file stores them. */
export type Hdf5Array = StoredArray & { sourceDtype: string };

/** The raw little-endian bytes of elements [first, first + count) of a dataset, in C order. */
export type RawReader = (first: number, count: number) => Promise<Uint8Array>;

/**
 * One open HDF5 file. Always `close()` it (use `withHdf5`). Paths are absolute ('/a/b') or
 * relative to the root; what is at a path is a group or a dataset (links are refused).
 */
export abstract class Hdf5File {
  constructor(
    readonly file: string,
    /** Charged with every value decoded from this file. */
    protected readonly budget: DecodeBudget,
  ) {}

  /** True if an object (group or dataset) exists at `path`. Links on the way are checked. */
  abstract has(path: string): boolean;
  abstract isGroup(path: string): boolean;
  abstract isDataset(path: string): boolean;
  /** Child names of a group, in HDF5's (alphabetical) order. */
  abstract keys(path: string): string[];
  /** Attribute names, in HDF5's (alphabetical) order; [] if nothing is at `path`. */
  abstract attrNames(path: string): string[];
  /** An attribute decoded to JS: strings (vlen or fixed), string lists, numbers, or null if absent. */
  abstract attr(path: string, name: string): AttrValue;
  /**
   * A numeric dataset, C order: described now (shape, dtype: float32 for floats of any width,
   * int32 for integers), its values read when asked, as many times as asked (floats as float32,
   * integers exactly as stored: decode.ts).
   */
  abstract array(path: string): Hdf5Array;
  abstract close(): void;

  fail(message: string): never {
    throw convertError(ErrorCode.BAD_HDF5, this.file, message);
  }

  /** A string attribute ('model_config', 'keras_version'), or null if absent or not a string. */
  stringAttr(path: string, name: string): string | null {
    const v = this.attr(path, name);
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
    return null;
  }

  /**
   * A list-of-strings attribute such as `layer_names` / `weight_names`. Keras splits lists larger
   * than the HDF5 attribute limit into `name0`, `name1`, ...; writes an empty list as an empty
   * float64 array. Returns null if the attribute is absent.
   */
  stringListAttr(path: string, name: string): string[] | null {
    const names = this.attrNames(path);
    if (names.includes(name)) return toStringList(this.attr(path, name), () => this.fail(`attribute '${name}' of '${path}' is not a list of strings`));
    if (!names.includes(`${name}0`)) return null;
    const out: string[] = [];
    for (let i = 0; names.includes(`${name}${i}`); i++) {
      out.push(...toStringList(this.attr(path, `${name}${i}`), () => this.fail(`attribute '${name}${i}' of '${path}' is not a list of strings`)));
    }
    return out;
  }

  /**
   * A dataset of `shape` and type `meta` as a lazy array whose raw bytes `readRaw` gives. Its
   * declared size is checked now against the whole decode budget (a "shape bomb" declaring
   * more than the budget allows is refused before anything is built for it); each read is
   * charged to the budget before its values are produced.
   */
  protected numericArray(path: string, shape: number[], meta: DatasetMeta, readRaw: RawReader): Hdf5Array {
    const bfloat16 = this.attr(path, 'dtype') === 'bfloat16';
    const unsupported = (): never => this.fail(`dataset '${path}' has an unsupported type (class ${meta.type}, ${meta.size} bytes)`);
    const sourceDtype = sourceDtypeOf(meta, bfloat16) ?? unsupported();
    const count = elementCount(shape);
    const decoded = count * 4;
    if (decoded > this.budget.limit) throw this.budget.exceeded(decoded, this.file, `dataset '${path}' (shape [${shape.join(', ')}])`);
    const decode = (raw: Uint8Array) => decodeNumeric(raw, meta, bfloat16, unsupported);
    const what = `dataset '${path}'`;
    const dtype = sourceDtype.startsWith('float') || sourceDtype === 'bfloat16' ? 'float32' : 'int32';
    const readElements = async (first: number, n: number) => {
      this.budget.charge(n * Math.max(4, meta.size), this.file, what);
      return decode(await readRaw(first, n));
    };
    return {
      shape,
      dtype,
      sourceDtype,
      read: () => readElements(0, count),
      pieces: (maxBytes) => piecesOf(readElements, count, Math.max(1, Math.floor(maxBytes / Math.max(4, meta.size)))),
    };
  }
}

/**
 * Elements [0, count) in pieces of `perPiece`, each read while the one before it is used (the
 * next read is asked for before a piece is given), so reading and using overlap.
 */
async function* piecesOf<T>(read: (first: number, n: number) => Promise<T>, count: number, perPiece: number): AsyncIterable<T> {
  const start = (first: number): Promise<T> | null => {
    if (first >= count) return null;
    const reading = read(first, Math.min(perPiece, count - first));
    // Not awaited if the consumer stops early: its failure must not go unhandled.
    reading.catch(() => {});
    return reading;
  };
  let next = start(0);
  for (let first = 0; next !== null; first += perPiece) {
    const current = next;
    next = start(first + perPiece);
    yield await current;
  }
}
