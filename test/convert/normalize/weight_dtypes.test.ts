/**
 * Stored integers → the tfjs variable's dtype, as the weights stream: the same values read
 * whole or in pieces, and a value that does not fit an int32 variable named by its flat index
 * in the whole weight (not in the piece it came in).
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/errors.js';
import { asVariableDtype } from '../../../src/convert/normalize/weight_dtypes.js';
import { bigintToFloat32 } from '../../../src/formats/integer_elements.js';
import { arrayInMemory, type StoredArray, type WeightData } from '../../../src/formats/stored_array.js';
import { refusal } from '../../helpers/errors.js';

async function inPieces(a: StoredArray<WeightData>, bytes: number): Promise<number[]> {
  const out: number[] = [];
  for await (const p of a.pieces(bytes)) out.push(...p);
  return out;
}

const int64 = (values: bigint[]): StoredArray => ({ ...arrayInMemory([values.length], 'int32', BigInt64Array.from(values)), sourceDtype: 'int64' });

describe('asVariableDtype', () => {
  it('casts int64 to float32 the way TensorFlow does (one rounding), whole and in pieces', async () => {
    const big = [1n, -7n, 2n ** 53n + 1n, (2n ** 62n) + (2n ** 38n) + 1n, -(2n ** 40n) - 3n];
    const want = big.map(bigintToFloat32);
    const w = asVariableDtype('m.keras', 'dense', 'kernel', 'float32', int64(big));
    expect(w.dtype).toBe('float32');
    const whole = await w.read();
    expect(whole).toBeInstanceOf(Float32Array);
    expect(Array.from(whole)).toEqual(want);
    expect(await inPieces(w, 16)).toEqual(want);
  });

  it('keeps int64 counters that fit as exact int32, whole and in pieces', async () => {
    const w = asVariableDtype('m.h5', 'norm', 'count', 'int32', int64([0n, 2147483647n, -2147483648n, 5n]));
    expect(w.dtype).toBe('int32');
    const whole = await w.read();
    expect(whole).toBeInstanceOf(Int32Array);
    expect(Array.from(whole)).toEqual([0, 2147483647, -2147483648, 5]);
    expect(await inPieces(w, 8)).toEqual([0, 2147483647, -2147483648, 5]);
  });

  it('refuses a value beyond int32 by its flat index in the whole weight, when the piece holding it is read', async () => {
    const values = [1n, 2n, 3n, 4n, 5n, 2n ** 31n];
    const w = asVariableDtype('m.h5', 'norm', 'count', 'int32', int64(values));
    const seen: number[] = [];
    const e = await refusal(
      (async () => {
        for await (const p of w.pieces(16)) seen.push(...p); // two int64 elements a piece: the misfit is in the third
      })(),
    );
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(e.code).toBe(ErrorCode.UNSUPPORTED_SEMANTICS);
    expect(e.message).toContain("layer 'norm': weight 'count' holds 2147483648 (int64 in the file) at flat index 5");
    expect((await refusal(w.read())).message).toContain('at flat index 5');
  });

  it('refuses a fractional float stored for an integer variable', async () => {
    const w = asVariableDtype('m.h5', 'norm', 'count', 'int32', arrayInMemory([2], 'float32', Float32Array.of(3, 2.5)));
    expect((await refusal(w.read())).message).toContain('holds 2.5 (float32 in the file) at flat index 1');
  });

  it('gives float32 sources as they are', async () => {
    const stored = arrayInMemory([3], 'float32', Float32Array.of(1.5, -2, 3));
    const w = asVariableDtype('m.keras', 'dense', 'bias', 'float32', stored);
    expect(await w.read()).toBe(await stored.read());
  });
});
