/** Reading the converter's lazy arrays in tests: whole, or in pieces laid end to end. */
import { toInt32Exact } from '../../src/formats/integer_elements.js';
import type { StoredArray, StoredValues, WeightData } from '../../src/formats/stored_array.js';

/**
 * Stored values as tfjs weights hold them: float32 as they are, integers as int32 (they must
 * fit: what the expectations in tests are computed as).
 */
export function asWeightData(values: StoredValues): WeightData {
  if (values instanceof Float32Array) return values;
  const exact = toInt32Exact(values);
  if (exact instanceof Int32Array) return exact;
  throw new Error(`value ${exact.value} at ${exact.misfit} does not fit int32`);
}

/** An array described and read whole (as tfjs weight data); a refusal while describing rejects the promise too. */
export async function readWhole(describe: () => StoredArray): Promise<{ shape: number[]; dtype: string; data: WeightData }> {
  const a = describe();
  return { shape: a.shape, dtype: a.dtype, data: asWeightData(await a.read()) };
}

/** An array's bytes (as tfjs weight data) read in pieces of at most `bytes`, laid end to end. */
export async function readInPieces(array: StoredArray, bytes: number): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const piece of array.pieces(bytes)) {
    const p = asWeightData(piece);
    parts.push(Buffer.from(new Uint8Array(p.buffer, p.byteOffset, p.byteLength)));
  }
  return new Uint8Array(Buffer.concat(parts));
}
