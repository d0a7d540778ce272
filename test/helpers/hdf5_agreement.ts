/**
 * The comparison behind the direct HDF5 reader's agreement tests (test/formats/hdf5 on our own
 * files, test/corpus on the third-party corpus): both readers, the direct (pure TypeScript) one
 * and the HDF5 library (h5wasm), must give the same whole tree: member names and kinds,
 * attribute names and values, and every dataset's shape, dtype and values (or the same refusal);
 * and the direct reader gives the same again when the file is read by ranges (as from disk) and
 * through an asynchronous-only source (as from a browser Blob), and in pieces.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { expect } from 'vitest';
import { isHdf5, openDirectHdf5, openWasmHdf5, type Hdf5File } from '../../src/formats/hdf5/open_hdf5.js';
import { Keras2TfjsError } from '../../src/errors.js';
import { MemorySource, type ByteSource } from '../../src/io/byte_source.js';
import type { StoredValues } from '../../src/formats/stored_array.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TEST_DATA = join(ROOT, 'test/convert/data');
export const LARGE_BENCH_MODELS = join(ROOT, 'bench/.cache/large');
/** Real weights rewritten by h5py as chunked datasets (test/formats/hdf5/make_chunked_hdf5.py). */
export const CHUNKED_DATA = join(ROOT, 'test/formats/hdf5/chunked');
/**
 * Groups hard-linked into a lattice (2^40 paths): walking every path is exactly what both readers
 * must refuse to do, so there is no whole tree to compare (hdf5_linked_groups.test.ts tests it).
 */
const NOT_A_TREE = new Set(['linked_lattice.keras']);
/** Files made on purpose with storage the direct reader leaves to the HDF5 library. */
export const EXPECTED_FALLBACKS = new Set(['ext_dataset.h5', 'virtual_dataset.h5']);
/** The 100 MB bench models take seconds through h5wasm: time for both readers and the comparison. */
export const LARGE_FILE_TIMEOUT_MS = 120_000;

export interface Source {
  label: string;
  read: () => Uint8Array;
  bytes: number;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}

/** Every HDF5 file under `dir`, and every HDF5 member of its zip files. */
export function hdf5Sources(dir: string): Source[] {
  const out: Source[] = [];
  for (const path of filesUnder(dir)) {
    if (NOT_A_TREE.has(basename(path))) continue;
    const head = new Uint8Array(readFileSync(path).subarray(0, 8));
    const label = path.slice(ROOT.length + 1).startsWith('..') ? basename(path) : path.slice(ROOT.length + 1);
    if (head[0] === 0x50 && head[1] === 0x4b) {
      const members = unzipSync(new Uint8Array(readFileSync(path)), { filter: (f) => f.name.endsWith('.h5') });
      for (const [name, bytes] of Object.entries(members)) {
        if (isHdf5(bytes)) out.push({ label: `${label}!${name}`, read: () => unzipSync(new Uint8Array(readFileSync(path)), { filter: (f) => f.name === name })[name], bytes: bytes.length });
      }
    } else if (path.endsWith('.h5') || path.endsWith('.hdf5') || path.endsWith('.keras')) {
      if (isHdf5(new Uint8Array(readFileSync(path)))) out.push({ label, read: () => new Uint8Array(readFileSync(path)), bytes: statSync(path).size });
    }
  }
  return out;
}

/** The outcome of one read: its value, or the refusal's code and message. */
function outcome<T>(read: () => T): T | { refused: string } {
  try {
    return read();
  } catch (e) {
    if (e instanceof Keras2TfjsError) return { refused: `${e.code}: ${e.message}` };
    throw e;
  }
}

/** The outcome of reading a dataset: its description and values, or the refusal. */
async function arrayOutcome(h5: Hdf5File, path: string): Promise<{ shape: number[]; dtype: string; sourceDtype: string; data: StoredValues } | { refused: string }> {
  try {
    const a = h5.array(path);
    return { shape: a.shape, dtype: a.dtype, sourceDtype: a.sourceDtype, data: await a.read() };
  } catch (e) {
    if (e instanceof Keras2TfjsError) return { refused: `${e.code}: ${e.message}` };
    throw e;
  }
}

/**
 * Walks the direct reader's tree and asks the same of h5wasm at every step; returns the number
 * of objects compared.
 */
async function compareTrees(direct: Hdf5File, wasm: Hdf5File): Promise<number> {
  let objects = 0;
  const visit = async (path: string): Promise<void> => {
    objects++;
    expect(wasm.has(path), `has ${path}`).toBe(direct.has(path));
    expect(wasm.isGroup(path), `isGroup ${path}`).toBe(direct.isGroup(path));
    expect(wasm.isDataset(path), `isDataset ${path}`).toBe(direct.isDataset(path));
    const names = direct.attrNames(path);
    expect(wasm.attrNames(path), `attrNames ${path}`).toEqual(names);
    for (const name of names) {
      expect(outcome(() => wasm.attr(path, name)), `attr ${path} ${name}`).toEqual(outcome(() => direct.attr(path, name)));
    }
    if (direct.isDataset(path)) {
      const a = await arrayOutcome(direct, path);
      const b = await arrayOutcome(wasm, path);
      if ('refused' in a) expect(b, `array ${path}`).toEqual(a);
      else {
        expect('refused' in b ? b : { ...b, data: null }, `array ${path}`).toEqual({ ...a, data: null });
        if (!('refused' in b)) expect(sameBytes(a.data, b.data), `data ${path}`).toBe(true);
      }
      return;
    }
    const keys = direct.keys(path);
    expect(wasm.keys(path), `keys ${path}`).toEqual(keys);
    for (const key of keys) await visit(path === '/' ? `/${key}` : `${path}/${key}`);
  };
  await visit('/');
  // Paths that are not there, and a dataset asked for as a group.
  for (const missing of ['/no such member', '/no/such/path']) {
    expect(wasm.has(missing)).toBe(direct.has(missing));
    expect(wasm.attrNames(missing)).toEqual(direct.attrNames(missing));
    expect(outcome(() => wasm.keys(missing))).toEqual(outcome(() => direct.keys(missing)));
    expect(await arrayOutcome(wasm, missing)).toEqual(await arrayOutcome(direct, missing));
  }
  return objects;
}

async function forEachDataset(h5: Hdf5File, fn: (path: string) => Promise<void>, path = '/'): Promise<void> {
  if (h5.isDataset(path)) return fn(path);
  for (const key of h5.keys(path)) await forEachDataset(h5, fn, path === '/' ? `/${key}` : `${path}/${key}`);
}

/** The dataset's values in pieces of `bytes`, laid end to end. */
async function inPieces(h5: Hdf5File, path: string, bytes: number): Promise<StoredValues> {
  const a = h5.array(path);
  const parts: StoredValues[] = [];
  for await (const p of a.pieces(bytes)) parts.push(p);
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }
  // The pieces' own type (each piece has it): the whole read's type, which sameBytes compares.
  const Type = (parts[0]?.constructor ?? (a.dtype === 'float32' ? Float32Array : Int32Array)) as new (b: ArrayBuffer) => StoredValues;
  return new Type(out.buffer);
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.constructor === b.constructor && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/** Bytes read as a file is: every read (sync or async) a copy of its own. */
function freshReads(bytes: Uint8Array): ByteSource {
  const copy = (at: number, n: number) => bytes.slice(at, at + n);
  return { name: 'file', size: bytes.length, ownership: 'fresh', read: async (at, n) => copy(at, n), readSync: copy, close: async () => {} };
}

/** Bytes behind an asynchronous read only, like a browser Blob. */
function asyncOnly(bytes: Uint8Array): ByteSource {
  const memory = new MemorySource(bytes, 'blob', 'borrowed');
  return { name: 'blob', size: memory.size, ownership: 'borrowed', read: (at, n) => memory.read(at, n), close: async () => {} };
}

export const tally = { direct: 0, fallback: 0 };

export async function agree(source: Source): Promise<void> {
  const bytes = source.read();
  const direct = await openDirectHdf5(bytes, source.label);
  const name = basename(source.label.split('!')[0]);
  if (direct === null) {
    tally.fallback++;
    expect(EXPECTED_FALLBACKS.has(name), `${source.label} falls back to h5wasm`).toBe(true);
    return;
  }
  tally.direct++;
  expect(EXPECTED_FALLBACKS.has(name), `${source.label} should fall back`).toBe(false);
  const wasm = await openWasmHdf5(bytes, source.label);
  // The same file read by ranges (as a file on disk is), and through an asynchronous-only source
  // (as a browser Blob is): its structure read page by page, each object read again once its
  // pages are in.
  const asFile = (await openDirectHdf5(freshReads(bytes), source.label))!;
  const asBlob = (await openDirectHdf5(asyncOnly(bytes), source.label))!;
  try {
    expect(await compareTrees(direct, wasm)).toBeGreaterThan(1);
    expect(await compareTrees(direct, asBlob)).toBeGreaterThan(1);
    await forEachDataset(direct, async (path) => {
      const a = await arrayOutcome(direct, path);
      const b = await arrayOutcome(asFile, path);
      if ('refused' in a || 'refused' in b) return expect(b).toEqual(a);
      expect(sameBytes(a.data, b.data), `read by ranges ${path}`).toBe(true);
      // In pieces (the writer's way): the same values, whatever the piece size.
      expect(sameBytes(await inPieces(direct, path, 1000), a.data), `pieces ${path}`).toBe(true);
    });
  } finally {
    wasm.close();
    direct.close();
  }
}
