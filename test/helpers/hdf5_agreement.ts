/**
 * The comparison behind the direct HDF5 reader's agreement tests (test/formats/hdf5 on our own
 * files, test/corpus on the third-party corpus): both readers, the direct (pure TypeScript) one
 * and the HDF5 library (h5wasm), must give the same whole tree: member names and kinds,
 * attribute names and values, and every dataset's shape, dtype and values (or the same refusal).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { expect } from 'vitest';
import { isHdf5, openDirectHdf5, openWasmHdf5, type Hdf5File } from '../../src/formats/hdf5/open_hdf5.js';
import { Keras2TfjsError } from '../../src/errors.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TEST_DATA = join(ROOT, 'test/convert/data');
export const LARGE_BENCH_MODELS = join(ROOT, 'bench/.cache/large');
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

/**
 * Walks the direct reader's tree and asks the same of h5wasm at every step; returns the number
 * of objects compared.
 */
function compareTrees(direct: Hdf5File, wasm: Hdf5File): number {
  let objects = 0;
  const visit = (path: string): void => {
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
      const a = outcome(() => direct.readArray(path));
      const b = outcome(() => wasm.readArray(path));
      if ('refused' in a) expect(b, `readArray ${path}`).toEqual(a);
      else {
        expect('refused' in b ? b : { ...b, data: null }, `readArray ${path}`).toEqual({ ...a, data: null });
        if (!('refused' in b)) expect(sameBytes(a.data, b.data), `data ${path}`).toBe(true);
      }
      return;
    }
    const keys = direct.keys(path);
    expect(wasm.keys(path), `keys ${path}`).toEqual(keys);
    for (const key of keys) visit(path === '/' ? `/${key}` : `${path}/${key}`);
  };
  visit('/');
  // Paths that are not there, and a dataset asked for as a group.
  for (const missing of ['/no such member', '/no/such/path']) {
    expect(wasm.has(missing)).toBe(direct.has(missing));
    expect(wasm.attrNames(missing)).toEqual(direct.attrNames(missing));
    expect(outcome(() => wasm.keys(missing))).toEqual(outcome(() => direct.keys(missing)));
    expect(outcome(() => wasm.readArray(missing))).toEqual(outcome(() => direct.readArray(missing)));
  }
  return objects;
}

function forEachDataset(h5: Hdf5File, fn: (path: string) => void, path = '/'): void {
  if (h5.isDataset(path)) return fn(path);
  for (const key of h5.keys(path)) forEachDataset(h5, fn, path === '/' ? `/${key}` : `${path}/${key}`);
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.constructor === b.constructor && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

export const tally = { direct: 0, fallback: 0 };

export async function agree(source: Source): Promise<void> {
  const bytes = source.read();
  const direct = openDirectHdf5(bytes, source.label);
  const name = basename(source.label.split('!')[0]);
  if (direct === null) {
    tally.fallback++;
    expect(EXPECTED_FALLBACKS.has(name), `${source.label} falls back to h5wasm`).toBe(true);
    return;
  }
  tally.direct++;
  expect(EXPECTED_FALLBACKS.has(name), `${source.label} should fall back`).toBe(false);
  const wasm = await openWasmHdf5(bytes, source.label);
  try {
    expect(compareTrees(direct, wasm)).toBeGreaterThan(1);
    // Bytes given away (a file read from disk): the same values, viewed in place where aligned.
    const owned = openDirectHdf5(bytes.slice(), source.label, true)!;
    forEachDataset(direct, (path) => {
      const a = outcome(() => direct.readArray(path));
      const b = outcome(() => owned.readArray(path));
      if ('refused' in a || 'refused' in b) expect(b).toEqual(a);
      else expect(sameBytes(a.data, b.data), `owned ${path}`).toBe(true);
    });
  } finally {
    wasm.close();
    direct.close();
  }
}

