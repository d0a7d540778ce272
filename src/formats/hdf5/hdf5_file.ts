/**
 * The interface both HDF5 readers implement (`Hdf5File`), with what they share on top of it:
 * string attributes, split attribute lists, and dataset decoding behind the shape-bomb guard.
 * Opening a file (the choice of reader) is in hdf5.ts: the readers extend this class, so this
 * module does not import them.
 */
import { ErrorCode } from '../../errors.js';
import { convertError } from '../../errors.js';
import { decodeNumeric, toStringList } from './decode.js';
import type { DatasetMeta } from './h5wasm/worker.js';
import type { StoredArray } from '../stored_array.js';

/**
 * Shape-bomb guard: Keras refuses a dataset declaring > 4 GiB and > 1000× its stored bytes.
 * h5wasm does not expose the stored size, so we bound it by the whole file, and refuse anything
 * that could not fit one typed array.
 */
const DATASET_MAX_EXPANSION = 1000;
const MAX_DATASET_BYTES = 2 ** 31 - 1;

export type AttrValue = string | number | bigint | boolean | string[] | number[] | null;

/**
 * One open HDF5 file. Always `close()` it (use `withHdf5`). Paths are absolute ('/a/b') or
 * relative to the root; what is at a path is a group or a dataset (links are refused).
 */
export abstract class Hdf5File {
  constructor(readonly file: string) {}

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
  /** A numeric dataset as float32 (floats of any width) or int32 (integers), C order. */
  abstract readArray(path: string): StoredArray & { sourceDtype: string };
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
   * Decodes a dataset's little-endian bytes after the shape-bomb guard: `readRaw(nbytes)` is
   * only called once the declared size has passed it, and gives a buffer of its own or a view
   * of bytes the caller gave away (decodeNumeric views either in place when aligned).
   */
  protected decodeDataset(
    path: string,
    shape: number[],
    meta: DatasetMeta,
    fileBytes: number,
    readRaw: (nbytes: number) => Uint8Array,
  ): StoredArray & { sourceDtype: string } {
    const count = shape.reduce((a, b) => a * b, 1);
    const nbytes = count * meta.size;
    if (nbytes > MAX_DATASET_BYTES || (nbytes > DATASET_MAX_EXPANSION * fileBytes && nbytes > 1 << 20)) {
      this.fail(`dataset '${path}' declares ${nbytes} bytes in a ${fileBytes}-byte file; refusing a potential shape bomb`);
    }
    const bfloat16 = this.attr(path, 'dtype') === 'bfloat16';
    const raw = readRaw(nbytes);
    return { shape, ...decodeNumeric(raw, meta, bfloat16, () => this.fail(`dataset '${path}' has an unsupported type (class ${meta.type}, ${meta.size} bytes)`)) };
  }
}
