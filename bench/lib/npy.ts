/**
 * Reads the float32 .npy files the Python training bench writes (little-endian '<f4',
 * C order), so both sides train on the same bytes.
 */
import { readFileSync } from 'node:fs';

export interface NpyFloat32 {
  shape: number[];
  data: Float32Array;
}

const MAGIC = '\x93NUMPY';

export function readNpyFloat32(path: string): NpyFloat32 {
  const bytes = readFileSync(path);
  if (bytes.toString('latin1', 0, 6) !== MAGIC) throw new Error(`${path}: not a .npy file`);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', headerStart, headerStart + headerLength);
  if (!/'descr':\s*'<f4'/.test(header)) throw new Error(`${path}: expected dtype '<f4', header ${header.trim()}`);
  if (!/'fortran_order':\s*False/.test(header)) throw new Error(`${path}: expected C order`);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (shapeText === null) throw new Error(`${path}: no shape in header ${header.trim()}`);
  const shape = shapeText[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const offset = headerStart + headerLength;
  const count = shape.reduce((a, b) => a * b, 1);
  // Copy into an aligned buffer (the data offset is a multiple of 16 by the format, but the
  // Node Buffer itself may sit at any offset of its pool).
  const data = new Float32Array(count);
  new Uint8Array(data.buffer).set(bytes.subarray(offset, offset + count * 4));
  return { shape, data };
}
