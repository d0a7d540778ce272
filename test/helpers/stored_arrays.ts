/** Reading the converter's lazy arrays in tests: whole, or in pieces laid end to end. */
import type { StoredArray } from '../../src/formats/stored_array.js';

/** An array described and read whole; a refusal while describing rejects the promise too. */
export async function readWhole(describe: () => StoredArray): Promise<{ shape: number[]; dtype: string; data: Float32Array | Int32Array }> {
  const a = describe();
  return { shape: a.shape, dtype: a.dtype, data: await a.read() };
}

/** An array's bytes read in pieces of at most `bytes`, laid end to end. */
export async function readInPieces(array: StoredArray, bytes: number): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const p of array.pieces(bytes)) parts.push(Buffer.from(new Uint8Array(p.buffer, p.byteOffset, p.byteLength)));
  return new Uint8Array(Buffer.concat(parts));
}
