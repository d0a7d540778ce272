/**
 * The deadline on the HDF5 library's work over one file: a damaged file can make HDF5 loop
 * forever, so the h5wasm reader (h5wasm/h5wasm_file.ts) stops its thread once this time is spent.
 */

/**
 * How long HDF5 may take over one file, in total, before the file is declared damaged. Real
 * files take milliseconds (a 100 MB model ~0.1 s), so this is generous: 10 s, plus 1 s per
 * 10 MB for big files on slow machines.
 */
const DEADLINE_BASE_MS = 10_000;
const DEADLINE_MS_PER_BYTE = 1_000 / 10_000_000;
let deadlineBaseMs = DEADLINE_BASE_MS;

/** The HDF5 time allowed for a file of `byteLength` bytes. */
export function hdf5DeadlineMs(byteLength: number): number {
  return deadlineBaseMs + byteLength * DEADLINE_MS_PER_BYTE;
}

/**
 * Changes the base of the deadline (null restores 10 s). For tests that exercise the deadline
 * on hanging files without waiting 10 s each; not part of the public API.
 */
export function setHdf5DeadlineBase(ms: number | null): void {
  deadlineBaseMs = ms ?? DEADLINE_BASE_MS;
}
