/**
 * Read-only HDF5 access for Keras files, by one of two readers behind one interface (`Hdf5File`):
 *
 * - the direct reader (direct/*.ts), pure TypeScript, for the HDF5 files h5py writes for
 *   Keras with its default settings: no library to load, dataset bytes sliced straight from the
 *   file. It reads the whole structure when the file is opened, and hands the file to:
 * - h5wasm (the HDF5 C library compiled to wasm) as soon as the file uses anything it does not
 *   read (or is damaged), working entirely in memory: the bytes are written into h5wasm's
 *   in-memory file system, never to disk, and removed on close.
 *
 * The library runs in a worker thread (h5wasm/thread.ts, h5wasm/worker.ts) with a deadline: a
 * damaged file can make HDF5 loop forever, and only a thread can be stopped. The reading logic
 * stays here and synchronous; each HDF5 operation is a blocking call to that thread.
 *
 * Refused as Keras refuses them (saving_lib `safe_get_h5_group` / `safe_get_h5_dataset`), with
 * BAD_HDF5 naming the file and the path: soft links, external links, external (EFL) datasets,
 * virtual datasets, and "shape bombs" (a dataset declaring far more bytes than the file holds).
 * HDF5 never reads anything but our one file: the worker answers any other path "no such file".
 */
import { openDirectHdf5 } from './direct/direct_file.js';
import type { Hdf5File as Hdf5FileClass } from './hdf5_file.js';
import { openWasmHdf5 } from './h5wasm/h5wasm_file.js';

// The pieces behind this entry, importable from here as before the split.
export { hdf5DeadlineMs, setHdf5DeadlineBase } from './h5wasm/deadline.js';
export { halfToFloat } from './decode.js';
export { openDirectHdf5 } from './direct/direct_file.js';
export type { AttrValue } from './hdf5_file.js';
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

/**
 * Opens `bytes` with the direct reader, or with h5wasm if the direct reader does not read this
 * file. With `move`, the caller promises not to use `bytes` nor anything else in their buffer
 * again: if h5wasm reads the file, the whole buffer is handed to its thread (detached here;
 * `bytes` may be a part of it, e.g. a stored zip member) instead of copied, which saves ~50 ms
 * on a 100 MB file. The HDF5 thread is only started when h5wasm is needed.
 */
export async function openHdf5(bytes: Uint8Array, file: string, move = false): Promise<Hdf5File> {
  return openDirectHdf5(bytes, file, move) ?? openWasmHdf5(bytes, file, move);
}

/**
 * One open HDF5 file (the class is in hdf5_file.ts). Opening is `openHdf5`, not a static of the
 * class: both readers extend it, so the module defining it must not import theirs (an ES-module
 * cycle would run `extends` before the class exists).
 */
export type Hdf5File = Hdf5FileClass;

/**
 * Opens, runs `fn`, always closes. `move`: the caller will not use `bytes` nor the rest of
 * their buffer again, so they are moved to the HDF5 thread rather than copied (see openHdf5).
 */
export async function withHdf5<T>(bytes: Uint8Array, file: string, fn: (h5: Hdf5File) => T | Promise<T>, move = false): Promise<T> {
  const h5 = await openHdf5(bytes, file, move);
  try {
    return await fn(h5);
  } finally {
    h5.close();
  }
}
