/**
 * The direct reader as an `Hdf5File`: pure TypeScript (direct/*.ts) for the HDF5 files h5py
 * writes for Keras with its default settings; no library to load, dataset bytes sliced straight
 * from the file.
 */
import { swapBytes } from '../decode.js';
import { Hdf5Unsupported, readHdf5Tree, type DirectObject, type DirectTree } from './reader.js';
import { H5T } from './types.js';
import { Hdf5File, type AttrValue } from '../hdf5_file.js';
import { splitPath } from '../path.js';
import type { DatasetMeta } from '../h5wasm/worker.js';
import type { StoredArray } from '../../stored_array.js';

/**
 * The direct reader over `bytes`, or null if it does not read this file (then h5wasm must).
 * `owned`: the caller gave the bytes away (see `openHdf5` in hdf5.ts), so datasets may be views of
 * them instead of copies. Not part of the public API; tests use it to compare both readers.
 */
export function openDirectHdf5(bytes: Uint8Array, file: string, owned = false): Hdf5File | null {
  let tree: DirectTree;
  try {
    tree = readHdf5Tree(bytes);
  } catch (e) {
    // Anything else thrown here is a defect of the direct reader: the HDF5 library still reads the file.
    if (e instanceof Hdf5Unsupported || e instanceof RangeError || e instanceof TypeError) return null;
    throw e;
  }
  return new DirectHdf5File(tree, bytes, file, owned);
}

/**
 * Path steps (one group member looked up) the callers may take over one file. The structure is
 * in memory, but HDF5 lets one group be linked under several names: 40 levels of groups each
 * linking the next twice make 2^40 paths, and a reader walking every path would never end (the
 * h5wasm reader stops at its deadline). Real Keras files take well under a million steps.
 */
const PATH_STEP_BUDGET = 10_000_000;

/** The direct reader's file: its whole structure read up front, values decoded from `bytes`. */
class DirectHdf5File extends Hdf5File {
  private pathSteps = 0;

  constructor(
    private readonly tree: DirectTree,
    private readonly bytes: Uint8Array,
    file: string,
    /** The bytes are ours: datasets may be views of them (never changed here). */
    private readonly owned: boolean,
  ) {
    super(file);
  }

  private object(path: string): DirectObject | null {
    let object = this.tree.objects.get(this.tree.root)!;
    const parts = splitPath(path);
    this.pathSteps += parts.length + 1;
    if (this.pathSteps > PATH_STEP_BUDGET) {
      this.fail(`walking its groups takes more than ${PATH_STEP_BUDGET} steps (at '${path}'): groups are linked to each other under many names, which Keras never writes; save the model again from Keras`);
    }
    for (const part of parts) {
      const address = object.members.get(part);
      if (address === undefined) return null;
      object = this.tree.objects.get(address)!;
    }
    return object;
  }

  has(path: string): boolean {
    return this.object(path) !== null;
  }

  isGroup(path: string): boolean {
    return this.object(path)?.kind === 'group';
  }

  isDataset(path: string): boolean {
    return this.object(path)?.kind === 'dataset';
  }

  keys(path: string): string[] {
    const object = this.object(path);
    if (object?.kind !== 'group') this.fail(`expected a group at '${path}'`);
    return [...object.keys];
  }

  attrNames(path: string): string[] {
    return [...(this.object(path)?.attrNames ?? [])];
  }

  attr(path: string, name: string): AttrValue {
    const value = this.object(path)?.attrs.get(name) ?? null;
    // Lists are the caller's to keep: a copy, as each h5wasm read gives a new one.
    return Array.isArray(value) ? ([...value] as AttrValue) : value;
  }

  readArray(path: string): StoredArray & { sourceDtype: string } {
    const object = this.object(path);
    if (object === null) this.fail(`dataset '${path}' is missing`);
    if (object.dataset === null) this.fail(`expected a dataset at '${path}'`);
    const { shape, type, storage } = object.dataset;
    const meta: DatasetMeta = { shape, type: type.cls, size: type.size, signed: type.signed, littleEndian: true, virtualSourceCount: 0 };
    const swap = !type.littleEndian && (type.cls === H5T.INTEGER || type.cls === H5T.FLOAT);
    return this.decodeDataset(path, [...shape], meta, this.bytes.length, (nbytes) => {
      if (storage === null) return new Uint8Array(0);
      // At most one copy: none when the bytes are ours and need no byte swap (decodeNumeric
      // views them in place when aligned), else out of the file into a buffer of its own.
      if (this.owned && !swap) return this.bytes.subarray(storage.pos, storage.pos + nbytes);
      const raw = this.bytes.slice(storage.pos, storage.pos + nbytes);
      if (swap) swapBytes(raw, type.size);
      return raw;
    });
  }

  close(): void {}
}
