/**
 * readNpy / writeNpy against files numpy wrote (fixtures/npy_formats and every other fixture .npy).
 */
import { describe, expect, it } from 'vitest';
import { Keras2TfjsError } from '../../../src/errors.js';
import { readNpy, writeNpy, type NpyDtype } from '../../../src/formats/numpy/npy.js';
import { fixtureCase, fixtureManifest, readFixtureBytes } from '../../helpers/fixtures.js';

interface NpyFormatsCase {
  supported: Record<string, { descr: string; shape: number[]; values: Array<number | boolean> }>;
  refused: Record<string, string>;
}

const CASE = 'npy_formats';
const spec = fixtureCase<NpyFormatsCase>(CASE);
const DTYPE_OF_DESCR: Record<string, NpyDtype> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '<i4': 'int32',
  '<i8': 'int64',
  '|u1': 'uint8',
  '|b1': 'bool',
  '<u4': 'uint32',
};

function errorOf(fn: () => unknown): Keras2TfjsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof Keras2TfjsError) return e;
    throw e;
  }
  throw new Error('expected a Keras2TfjsError');
}

describe('readNpy on files numpy wrote', () => {
  it.each(Object.entries(spec.supported))('%s', (file, expected) => {
    const array = readNpy(readFixtureBytes(CASE, file), file);
    expect(array.shape).toEqual(expected.shape);
    expect(array.dtype).toBe(DTYPE_OF_DESCR[expected.descr]);
    expect(array.fortranOrder).toBe(false);
    expect(Array.from(array.data)).toEqual(expected.values.map(Number));
  });

  it('returns the typed array each dtype promises', () => {
    const kinds = Object.fromEntries(
      ['float32_2x3', 'float64_5', 'int32_4', 'int64_fits_int32', 'uint8_7', 'bool_2x2', 'uint32_3'].map((name) => [
        name,
        readNpy(readFixtureBytes(CASE, `${name}.npy`)).data.constructor.name,
      ]),
    );
    expect(kinds).toEqual({
      float32_2x3: 'Float32Array',
      float64_5: 'Float64Array',
      int32_4: 'Int32Array',
      int64_fits_int32: 'Int32Array',
      uint8_7: 'Uint8Array',
      bool_2x2: 'Uint8Array',
      uint32_3: 'Uint32Array',
    });
  });
});

describe('readNpy refuses what it cannot represent', () => {
  const expectedCodes: Record<string, string> = {
    'int64_too_big.npy': 'UNSUPPORTED_SEMANTICS',
    'float32_fortran.npy': 'UNKNOWN_FORMAT',
    'float32_big_endian.npy': 'UNKNOWN_FORMAT',
    'complex64.npy': 'UNKNOWN_FORMAT',
  };

  it('covers every refused fixture', () => {
    expect(Object.keys(expectedCodes).sort()).toEqual(Object.keys(spec.refused).sort());
  });

  it.each(Object.entries(expectedCodes))('%s → %s, naming the file', (file, code) => {
    const error = errorOf(() => readNpy(readFixtureBytes(CASE, file), `data/${file}`));
    expect(error.code).toBe(code);
    expect(error.message.startsWith(`data/${file}: `)).toBe(true);
    expect(error.file).toBe(`data/${file}`);
  });

  it('says which int64 value does not fit', () => {
    const error = errorOf(() => readNpy(readFixtureBytes(CASE, 'int64_too_big.npy'), 'big.npy'));
    expect(error.message).toContain('int64 value 1099511627776 at flat index 1 does not fit in int32');
  });
});

describe('readNpy on damaged files', () => {
  const good = readFixtureBytes(CASE, 'float32_2x3.npy');

  it('rejects bytes without the magic string', () => {
    const bad = good.slice();
    bad[1] = 'X'.charCodeAt(0);
    const error = errorOf(() => readNpy(bad, 'bad.npy'));
    expect([error.code, error.message]).toEqual(['CORRUPT_FILE', 'bad.npy: not a .npy file (no \\x93NUMPY magic)']);
  });

  it('rejects an unknown format version', () => {
    const bad = good.slice();
    bad[6] = 9;
    expect(errorOf(() => readNpy(bad, 'v9.npy')).message).toBe('v9.npy: unknown .npy format version 9.0');
  });

  it('rejects a truncated header', () => {
    const error = errorOf(() => readNpy(good.slice(0, 40), 'short.npy'));
    expect([error.code, error.message]).toEqual(['CORRUPT_FILE', 'short.npy: truncated .npy header']);
  });

  it('rejects truncated data, saying how much is missing', () => {
    const error = errorOf(() => readNpy(good.slice(0, good.length - 4), 'cut.npy'));
    expect(error.code).toBe('CORRUPT_FILE');
    expect(error.message).toBe('cut.npy: truncated: shape [2, 3] of <f4 needs 24 data bytes, the file has 20');
  });

  it('rejects a header without a shape', () => {
    const bad = good.slice();
    const text = new TextDecoder('latin1').decode(bad);
    const at = text.indexOf("'shape'");
    bad.set(new TextEncoder().encode("'shaqe'"), at);
    const error = errorOf(() => readNpy(bad, 'noshape.npy'));
    expect(error.code).toBe('CORRUPT_FILE');
    expect(error.message).toContain("noshape.npy: .npy header has no valid 'shape'");
  });
});

describe('writeNpy writes the bytes np.save writes', () => {
  const npyFiles = fixtureManifest()
    .files.map((f) => f.path)
    .filter((p) => p.endsWith('.npy'))
    .filter((p) => !p.startsWith(`${CASE}/`) || !(p.slice(CASE.length + 1) in spec.refused))
    .filter((p) => !/header_v[23]\.npy$/.test(p));

  it.each(npyFiles)('%s round-trips byte for byte', (path) => {
    const slash = path.indexOf('/');
    const bytes = readFixtureBytes(path.slice(0, slash), path.slice(slash + 1));
    expect(Buffer.from(writeNpy(readNpy(bytes, path))).equals(Buffer.from(bytes))).toBe(true);
  });

  it('writes version 1.0 for arrays that numpy saved as 2.0 or 3.0, with the same values', () => {
    for (const file of ['float32_header_v2.npy', 'float32_header_v3.npy']) {
      const array = readNpy(readFixtureBytes(CASE, file));
      const rewritten = writeNpy(array);
      expect(rewritten[6]).toBe(1);
      expect(Buffer.from(rewritten).equals(Buffer.from(writeNpy(readNpy(rewritten))))).toBe(true);
      expect(Array.from(readNpy(rewritten).data)).toEqual(Array.from(array.data));
    }
  });

  it('refuses data that does not fill the shape', () => {
    const error = errorOf(() => writeNpy({ shape: [2, 2], dtype: 'float32', data: new Float32Array(3) }));
    expect([error.code, error.message]).toEqual([
      'INVALID_ARGUMENT',
      'writeNpy: shape [2, 2] holds 4 values but data has 3',
    ]);
  });

  it('refuses a typed array of another kind than the dtype', () => {
    const error = errorOf(() => writeNpy({ shape: [2], dtype: 'float32', data: new Int32Array(2) }));
    expect(error.message).toBe("writeNpy: dtype 'float32' needs a Float32Array, got a Int32Array");
  });
});
