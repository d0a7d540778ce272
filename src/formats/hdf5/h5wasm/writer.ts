/**
 * Writes a small HDF5 file with h5wasm (the HDF5 C library compiled to wasm): a tree of groups,
 * string attributes and little-endian numeric datasets — everything Keras 3's `model.weights.h5`
 * uses — and returns its bytes.
 *
 * The file is built in h5wasm's in-memory file system and read back from there: nothing touches
 * a disk, so the same code runs in Node and in browsers. The library (~4 MB) is loaded the first
 * time a file is written. (In Node the converter's reader runs its own instance in a worker
 * thread; in a browser both share one, whose reading guard stays off outside reads.)
 */
import type H5wasm from 'h5wasm';
import type { Group } from 'h5wasm';
import { ErrorCode, Keras2TfjsError } from '../../../errors.js';

/** A dataset: shape in C order. int64 holds scalars such as an optimizer's `iterations`. */
export interface H5Dataset {
  shape: number[];
  dtype: 'float32' | 'int32' | 'int64';
  data: Float32Array | Int32Array | BigInt64Array;
}

/** A group: string attributes, child groups and datasets, written in insertion order. */
export interface H5Group {
  attrs: Map<string, string>;
  groups: Map<string, H5Group>;
  datasets: Map<string, H5Dataset>;
}

export function emptyGroup(): H5Group {
  return { attrs: new Map(), groups: new Map(), datasets: new Map() };
}

/** Returns the child group `name`, creating it if needed. */
export function childGroup(parent: H5Group, name: string): H5Group {
  let child = parent.groups.get(name);
  if (!child) {
    child = emptyGroup();
    parent.groups.set(name, child);
  }
  return child;
}

// h5py's default bounds (what Keras' files carry): the oldest object formats that can
// express the content, so any HDF5 ≥ 1.8 reader opens the file.
const LIBVER: ['earliest', 'v114'] = ['earliest', 'v114'];

const H5_DTYPE = { float32: '<f', int32: '<i', int64: '<q' } as const;

/** Where written files live in h5wasm's memory while they are built. */
const WRITE_DIR = '/keras2tfjs-write';
let written = 0;

/** The subset of emscripten's in-memory FS used here. */
interface MemFs {
  mkdirTree(path: string): void;
  readFile(path: string): Uint8Array;
  unlink(path: string): void;
  analyzePath(path: string): { exists: boolean };
}

/** Serializes `root` as an HDF5 file and returns its bytes. */
export async function writeH5(root: H5Group): Promise<Uint8Array> {
  let h5wasm: typeof H5wasm;
  let fs: MemFs;
  try {
    h5wasm = (await import('h5wasm')).default as typeof H5wasm;
    fs = (await h5wasm.ready).FS as unknown as MemFs;
  } catch (e) {
    throw new Keras2TfjsError(ErrorCode.WRITE_FAILED, `model.weights.h5: the HDF5 library (h5wasm) did not load (${message(e)})`);
  }
  fs.mkdirTree(WRITE_DIR);
  const path = `${WRITE_DIR}/${++written}.weights.h5`;
  try {
    const file = new h5wasm.File(path, 'w', { libver: LIBVER });
    try {
      writeGroup(file, root);
    } finally {
      file.close();
    }
    // A copy out of the wasm heap (the file's pages are freed with it below).
    return fs.readFile(path).slice();
  } catch (e) {
    throw new Keras2TfjsError(ErrorCode.WRITE_FAILED, `model.weights.h5: h5wasm could not write the weights (${message(e)})`);
  } finally {
    if (fs.analyzePath(path).exists) fs.unlink(path);
  }
}

function writeGroup(target: Group, group: H5Group): void {
  for (const [name, value] of group.attrs) target.create_attribute(name, value);
  for (const [name, child] of group.groups) writeGroup(target.create_group(name), child);
  for (const [name, ds] of group.datasets) {
    const count = ds.shape.reduce((a, b) => a * b, 1);
    if (ds.data.length !== count) {
      throw new Error(`dataset '${name}' has ${ds.data.length} values for shape [${ds.shape.join(', ')}]`);
    }
    target.create_dataset({ name, data: ds.data, shape: ds.shape, dtype: H5_DTYPE[ds.dtype] });
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
