/**
 * Read-only HDF5 access for Keras files, by one of two readers behind one interface (`Hdf5File`):
 *
 * - the direct reader (direct/*.ts), pure TypeScript, for the HDF5 files h5py writes for
 *   Keras: no library to load, files of any size read by ranges (the structure when the file
 *   is opened, each dataset's bytes where they lie when asked). It hands the file to:
 * - h5wasm (the HDF5 C library compiled to wasm) as soon as the file uses anything it does not
 *   read (or is damaged), working entirely in memory: the bytes are written into h5wasm's
 *   in-memory file system, never to disk, and removed on close (files up to 1 GiB).
 *
 * The library runs in a worker thread (h5wasm/thread.ts, h5wasm/worker.ts) with a deadline: a
 * damaged file can make HDF5 loop forever, and only a thread can be stopped. The reading logic
 * stays here and synchronous; each HDF5 operation is a blocking call to that thread.
 *
 * Refused as Keras refuses them (saving_lib `safe_get_h5_group` / `safe_get_h5_dataset`), with
 * BAD_HDF5 naming the file and the path: soft links, external links, external (EFL) datasets,
 * virtual datasets; "shape bombs" and other values decoding to far more bytes than the file
 * holds are refused by the decode budget (RESOURCE_LIMIT, formats/decode_budget.ts).
 * HDF5 never reads anything but our one file: the worker answers any other path "no such file".
 */
import { ErrorCode, convertError } from '../../errors.js';
import { MemorySource, type ByteSource } from '../../io/byte_source.js';
import { DecodeBudget } from '../decode_budget.js';
import { tryDirectHdf5 } from './direct/direct_file.js';
import type { Hdf5File as Hdf5FileClass } from './hdf5_file.js';
import { openWasmHdf5 } from './h5wasm/h5wasm_file.js';

// The pieces behind this entry, importable from here as before the split.
export { hdf5DeadlineMs, setHdf5DeadlineBase } from './h5wasm/deadline.js';
export { halfToFloat } from './decode.js';
export { openDirectHdf5, tryDirectHdf5 } from './direct/direct_file.js';
export type { AttrValue, Hdf5Array } from './hdf5_file.js';
export { joinPath } from './path.js';
export { openWasmHdf5 } from './h5wasm/h5wasm_file.js';

/** The 8-byte HDF5 signature; HDF5 allows a user block, so it may sit at 0, 512, 1024, 2048, ... */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function isHdf5(bytes: Uint8Array): boolean {
  for (let offset = 0; offset + 8 <= bytes.length; offset = offset === 0 ? 512 : offset * 2) {
    if (SIGNATURE.every((b, i) => bytes[offset + i] === b)) return true;
    if (offset > 1 << 20) break;
  }
  return false;
}

/** Where the signature may be found: the first bytes a source must show `isHdf5`. */
export const HDF5_SNIFF_BYTES = (1 << 21) + 8;

/**
 * The largest file handed to the HDF5 library (h5wasm): it reads a file only whole, in its
 * memory. The direct reader reads files of any size by ranges.
 */
export const H5WASM_MAX_BYTES = 1 << 30;

/**
 * Opens `source` with the direct reader, or, if the direct reader does not read this file, with
 * h5wasm (files up to H5WASM_MAX_BYTES, read whole into its memory; the HDF5 thread is only
 * started then). Every value decoded is charged to `budget`.
 */
export async function openHdf5(input: ByteSource | Uint8Array, file: string, budget: DecodeBudget = DecodeBudget.unlimited()): Promise<Hdf5File> {
  const source = input instanceof Uint8Array ? new MemorySource(input, file, 'borrowed') : input;
  const direct = await tryDirectHdf5(source, file, budget);
  if ('h5' in direct) return direct.h5;
  if (source.size > H5WASM_MAX_BYTES) {
    throw convertError(
      ErrorCode.BAD_HDF5, file,
      `uses ${direct.unsupported}, which only the HDF5 library reads, and it reads files only whole, up to ${H5WASM_MAX_BYTES} bytes (this one is ${source.size}); save the weights with h5py's default settings (Keras' own), or convert a smaller file`,
    );
  }
  const bytes = await source.read(0, source.size);
  // A buffer read for this alone can be moved to the HDF5 thread instead of copied.
  const move = source.ownership === 'fresh';
  return openWasmHdf5(bytes, file, budget, move);
}

/**
 * One open HDF5 file (the class is in hdf5_file.ts). Opening is `openHdf5`, not a static of the
 * class: both readers extend it, so the module defining it must not import theirs (an ES-module
 * cycle would run `extends` before the class exists).
 */
export type Hdf5File = Hdf5FileClass;

/** Opens, runs `fn`, always closes. */
export async function withHdf5<T>(input: ByteSource | Uint8Array, file: string, fn: (h5: Hdf5File) => T | Promise<T>, budget?: DecodeBudget): Promise<T> {
  const h5 = await openHdf5(input, file, budget);
  try {
    return await fn(h5);
  } finally {
    h5.close();
  }
}
