/**
 * How every TypeScript test reads the Python-exported fixtures (fixtures/, made by
 * scripts/export_fixtures.py; see fixtures/README.md).
 *
 *   const x = loadFixture('seed_lambda', 'x.npy', { as: 'float32' });   // uint8 on disk → Float32Array
 *   const spec = fixtureCase<{ seed_state_after_fit: number[] }>('manual_dropout_tf');
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, Keras2TfjsError } from '../../src/errors.js';
import { readNpy, type NpyArray, type NpyDtype } from '../../src/formats/numpy/npy.js';

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

/** The fields every case.json has (cases add their own facts beside them). */
export interface CaseJson {
  description: string;
  backend: 'tensorflow' | 'jax';
  /** Every file the case wrote (relative to its folder; a folder name stands for its files) → what it is. */
  files: Record<string, string>;
}

export interface Manifest {
  versions: Record<string, string | boolean>;
  cases: Record<string, { description: string; backend: string }>;
  files: Array<{ path: string; sha256: string; bytes: number }>;
}

export interface LoadFixtureOptions {
  /** Convert the values to float32 (e.g. the uint8 multi-hot x.npy of the IMDB models). */
  as?: 'float32';
}

export interface FixtureArray {
  shape: number[];
  dtype: NpyDtype;
  data: NpyArray['data'];
}

/** Absolute path of fixtures/<caseName>/<file>. */
export function fixturePath(caseName: string, file: string): string {
  return join(FIXTURES_DIR, caseName, file);
}

/** Reads the raw bytes of a fixture file, with an error that says how to regenerate it. */
export function readFixtureBytes(caseName: string, file: string): Uint8Array {
  const path = fixturePath(caseName, file);
  try {
    const buffer = readFileSync(path);
    // A plain Uint8Array over the file, so .slice() copies as it does for any Uint8Array.
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch {
    throw new Keras2TfjsError(
      ErrorCode.FIXTURE_MISMATCH,
      `${path} is missing; regenerate fixtures with: python scripts/export_fixtures.py`,
      { file: path },
    );
  }
}

/** A fixture .npy array: {shape, dtype, data}; with `{as: 'float32'}` the data is a Float32Array. */
export function loadFixture(caseName: string, file: string, options: LoadFixtureOptions = {}): FixtureArray {
  const array = readNpy(readFixtureBytes(caseName, file), fixturePath(caseName, file));
  if (options.as === 'float32' && array.dtype !== 'float32') {
    return { shape: array.shape, dtype: 'float32', data: Float32Array.from(array.data) };
  }
  return { shape: array.shape, dtype: array.dtype, data: array.data };
}

/** The parsed fixtures/<caseName>/case.json. */
export function fixtureCase<T extends object = Record<string, unknown>>(caseName: string): CaseJson & T {
  return JSON.parse(new TextDecoder().decode(readFixtureBytes(caseName, 'case.json'))) as CaseJson & T;
}

/** The parsed fixtures/MANIFEST.json. */
export function fixtureManifest(): Manifest {
  const path = join(FIXTURES_DIR, 'MANIFEST.json');
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}
