/**
 * The direct reader as an `Hdf5File`: pure TypeScript (direct/*.ts) for the HDF5 files h5py
 * writes for Keras; no library to load. The structure is read when the file is opened; each
 * dataset's values are read from the source where they lie when asked (chunked ones chunk by
 * chunk, chunk_reader.ts).
 */
import { MemorySource, type ByteSource } from '../../../io/byte_source.js';
import { DecodeBudget } from '../../decode_budget.js';
import { swapBytes } from '../decode.js';
import { Hdf5File, type AttrValue, type Hdf5Array } from '../hdf5_file.js';
import type { DatasetMeta } from '../h5wasm/worker.js';
import { splitPath } from '../path.js';
import { ChunkBands } from './chunk_reader.js';
import { Hdf5Unsupported, readHdf5Tree, type DirectDataset, type DirectObject, type DirectTree } from './reader.js';
import { H5T } from './types.js';

/** The direct reader over `input`, or why it does not read it (then h5wasm must). */
export async function tryDirectHdf5(
  input: ByteSource | Uint8Array,
  file: string,
  budget: DecodeBudget = DecodeBudget.unlimited(),
): Promise<{ h5: Hdf5File } | { unsupported: string }> {
  const source = input instanceof Uint8Array ? new MemorySource(input, file, 'borrowed') : input;
  let tree: DirectTree;
  try {
    tree = await readHdf5Tree(source, { budget, file });
  } catch (e) {
    // Anything else thrown here is a defect of the direct reader: the HDF5 library still reads the file.
    if (e instanceof Hdf5Unsupported || e instanceof RangeError || e instanceof TypeError) return { unsupported: e.message };
    throw e;
  }
  return { h5: new DirectHdf5File(tree, source, file, budget) };
}

/**
 * The direct reader over `input`, or null if it does not read this file. Not part of the
 * public API; tests use it to compare both readers.
 */
export async function openDirectHdf5(input: ByteSource | Uint8Array, file: string, budget?: DecodeBudget): Promise<Hdf5File | null> {
  const outcome = await tryDirectHdf5(input, file, budget);
  return 'h5' in outcome ? outcome.h5 : null;
}

/**
 * Path steps (one group member looked up) the callers may take over one file. The structure is
 * in memory, but HDF5 lets one group be linked under several names: 40 levels of groups each
 * linking the next twice make 2^40 paths, and a reader walking every path would never end (the
 * h5wasm reader stops at its deadline). Real Keras files take well under a million steps.
 */
const PATH_STEP_BUDGET = 10_000_000;

/** The direct reader's file: its whole structure read up front, values read from `source`. */
class DirectHdf5File extends Hdf5File {
  private pathSteps = 0;

  constructor(
    private readonly tree: DirectTree,
    private readonly source: ByteSource,
    file: string,
    budget: DecodeBudget,
  ) {
    super(file, budget);
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

  array(path: string): Hdf5Array {
    const object = this.object(path);
    if (object === null) this.fail(`dataset '${path}' is missing`);
    if (object.dataset === null) this.fail(`expected a dataset at '${path}'`);
    const dataset = object.dataset;
    const { shape, type } = dataset;
    const meta: DatasetMeta = { shape, type: type.cls, size: type.size, signed: type.signed, littleEndian: true, virtualSourceCount: 0 };
    return this.numericArray(path, [...shape], meta, this.rawReader(path, dataset));
  }

  /** Raw little-endian bytes of a range of the dataset's elements, in a buffer the caller may keep. */
  private rawReader(path: string, dataset: DirectDataset): (first: number, count: number) => Promise<Uint8Array> {
    const { type, storage, chunked } = dataset;
    const size = type.size;
    const swap = !type.littleEndian && (type.cls === H5T.INTEGER || type.cls === H5T.FLOAT) && size > 1;
    const source = this.source;
    const bands = chunked ? new ChunkBands(source, dataset.shape, chunked, (message) => this.fail(`dataset '${path}': ${message}`)) : null;
    return async (first, count) => {
      let raw: Uint8Array;
      let own: boolean;
      if (bands) {
        raw = await bands.read(first * size, count * size);
        own = true;
      } else if (storage === null) {
        return new Uint8Array(0);
      } else {
        raw = await source.read(storage.pos + first * size, count * size);
        own = source.ownership !== 'borrowed';
      }
      // At most one copy: none when the bytes are ours and need no byte swap (decodeNumeric views
      // them in place when aligned), else into a buffer of their own.
      if (!own || (swap && source.ownership !== 'fresh' && !bands)) raw = raw.slice();
      if (swap) swapBytes(raw, size);
      return raw;
    };
  }

  close(): void {}
}
