/**
 * Reads committed fixtures (fixtures/<case>/): case.json and float32 .npy arrays
 * (little-endian, C order, .npy header version 1.0/2.0/3.0) for the random and train tests.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

/** A float32 .npy file `fixtures/<caseName>/<relativePath>`. */
export function loadNpyFloat32(caseName: string, relativePath: string): NpyArray {
  const bytes = readFileSync(join(FIXTURES_ROOT, caseName, relativePath));
  if (bytes.subarray(0, 6).toString('latin1') !== '\x93NUMPY') throw new Error(`${relativePath}: not a .npy file`);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = bytes.subarray(headerStart, headerStart + headerLength).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr !== '<f4' || fortran !== 'False' || shapeText === undefined) {
    throw new Error(`${relativePath}: expected little-endian float32 in C order, header ${header}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const offset = headerStart + headerLength;
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  new Uint8Array(data.buffer).set(bytes.subarray(offset, offset + count * 4));
  return { shape, data };
}

/** The parsed `fixtures/<caseName>/case.json`. */
export function loadCaseJson<T>(caseName: string): T {
  return JSON.parse(readFileSync(join(FIXTURES_ROOT, caseName, 'case.json'), 'utf8')) as T;
}
