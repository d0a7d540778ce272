/**
 * NumPy `.npy` files: the format arrays travel in between Python and TypeScript.
 *
 * `readNpy` parses the bytes `np.save` writes (header versions 1.0, 2.0 and 3.0) for the dtypes
 * Keras fixtures and data use; `writeNpy` writes exactly the bytes `np.save` would (same header
 * text and padding), so numpy reads our arrays and a read-then-write round trip is identity.
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { ErrorCode, Keras2TfjsError } from '../../errors.js';
import { nameTable } from '../../name_table.js';

/** The dtypes we read and write, by numpy name. */
export type NpyDtype = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'bool' | 'uint32';

/** Typed array holding the values; int64 is narrowed to Int32Array (refused if a value does not fit). */
export type NpyData = Float32Array | Float64Array | Int32Array | Uint8Array | Uint32Array;

export interface NpyArray {
  /** Row-major (C order) shape; `[]` for a scalar. */
  shape: number[];
  /** The dtype of the file (an int64 file stays 'int64' even though its data is an Int32Array). */
  dtype: NpyDtype;
  data: NpyData;
  /** Always false: Fortran-order files are refused rather than silently transposed. */
  fortranOrder: false;
}

interface DtypeInfo {
  dtype: NpyDtype;
  /** Bytes per element in the file. */
  itemSize: number;
}

/** numpy `descr` strings we accept (little-endian, or byte order irrelevant for 1-byte types). */
const BY_DESCR: Readonly<Record<string, DtypeInfo>> = nameTable({
  '<f4': { dtype: 'float32', itemSize: 4 },
  '<f8': { dtype: 'float64', itemSize: 8 },
  '<i4': { dtype: 'int32', itemSize: 4 },
  '<i8': { dtype: 'int64', itemSize: 8 },
  '|u1': { dtype: 'uint8', itemSize: 1 },
  '|b1': { dtype: 'bool', itemSize: 1 },
  '<u4': { dtype: 'uint32', itemSize: 4 },
});
const DESCR_OF: Record<NpyDtype, string> = {
  float32: '<f4',
  float64: '<f8',
  int32: '<i4',
  int64: '<i8',
  uint8: '|u1',
  bool: '|b1',
  uint32: '<u4',
};

const MAGIC = '\x93NUMPY';
/** numpy aligns the data to 64 bytes and leaves room for a 21-digit first axis (np.lib.format). */
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;

/**
 * Parses a `.npy` file. `source` names the file in errors (e.g. its path).
 * Throws Keras2TfjsError: CORRUPT_FILE for a bad or truncated file, UNKNOWN_FORMAT for a valid
 * file we do not read (other dtypes, big-endian, Fortran order), UNSUPPORTED_SEMANTICS for an
 * int64 value outside int32.
 */
export function readNpy(bytes: Uint8Array, source = '.npy data'): NpyArray {
  const { header, dataOffset } = splitHeader(bytes, source);
  const descr = headerField(header, 'descr', /'descr':\s*'([^']*)'/, source);
  const fortran = headerField(header, 'fortran_order', /'fortran_order':\s*(True|False)/, source);
  const shape = parseShape(headerField(header, 'shape', /'shape':\s*\(([^)]*)\)/, source), source);
  const info = BY_DESCR[descr];
  if (!info) {
    throw new Keras2TfjsError(
      ErrorCode.UNKNOWN_FORMAT,
      `${source}: dtype '${descr}' is not supported (we read ${Object.keys(BY_DESCR).join(', ')}); ` +
        `save a little-endian copy, e.g. np.save(path, a.astype('<f4'))`,
      { file: source },
    );
  }
  if (fortran === 'True') {
    throw new Keras2TfjsError(
      ErrorCode.UNKNOWN_FORMAT,
      `${source}: Fortran-order arrays are not supported; save np.ascontiguousarray(a) instead`,
      { file: source },
    );
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const byteLength = count * info.itemSize;
  if (dataOffset + byteLength > bytes.length) {
    throw new Keras2TfjsError(
      ErrorCode.CORRUPT_FILE,
      `${source}: truncated: shape [${shape.join(', ')}] of ${descr} needs ${byteLength} data bytes, ` +
        `the file has ${bytes.length - dataOffset}`,
      { file: source },
    );
  }
  // A plain Uint8Array copy (Buffer.slice would share memory): the data owns its buffer.
  const raw = new Uint8Array(bytes.subarray(dataOffset, dataOffset + byteLength));
  return { shape, dtype: info.dtype, data: decode(raw, info.dtype, count, source), fortranOrder: false };
}

/** Writes an array as `np.save` would (header version 1.0, or 2.0 for a huge header). */
export function writeNpy(array: { shape: readonly number[]; dtype: NpyDtype; data: NpyData }): Uint8Array {
  const { shape, dtype, data } = array;
  const count = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || count !== data.length) {
    throw new Keras2TfjsError(
      ErrorCode.INVALID_ARGUMENT,
      `writeNpy: shape [${shape.join(', ')}] holds ${count} values but data has ${data.length}`,
    );
  }
  const header = headerBytes(shape, DESCR_OF[dtype]);
  const body = encode(data, dtype);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

// ------------------------------------------------------------------------- header

/** Splits a .npy file into its header text and the offset of its data (also used for pickled object arrays). */
export function splitHeader(bytes: Uint8Array, source: string): { header: string; dataOffset: number } {
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (bytes.length < 10 || magic !== MAGIC) {
    throw new Keras2TfjsError(ErrorCode.CORRUPT_FILE, `${source}: not a .npy file (no \\x93NUMPY magic)`, {
      file: source,
    });
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if ((major === 2 || major === 3) && bytes.length >= 12) {
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new Keras2TfjsError(ErrorCode.CORRUPT_FILE, `${source}: unknown .npy format version ${major}.${bytes[7]}`, {
      file: source,
    });
  }
  if (headerStart + headerLength > bytes.length) {
    throw new Keras2TfjsError(ErrorCode.CORRUPT_FILE, `${source}: truncated .npy header`, { file: source });
  }
  const raw = bytes.subarray(headerStart, headerStart + headerLength);
  // Versions 1 and 2 are latin1, version 3 is UTF-8 (np.lib.format).
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(raw);
  return { header, dataOffset: headerStart + headerLength };
}

function headerField(header: string, name: string, pattern: RegExp, source: string): string {
  const match = pattern.exec(header);
  if (!match) {
    throw new Keras2TfjsError(ErrorCode.CORRUPT_FILE, `${source}: .npy header has no valid '${name}': ${header.trim()}`, {
      file: source,
    });
  }
  return match[1];
}

function parseShape(text: string, source: string): number[] {
  const parts = text
    .split(',')
    .map((s) => s.trim().replace(/L$/, '')) // Python 2 wrote longs as 3L
    .filter((s) => s.length > 0);
  const shape = parts.map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Keras2TfjsError(ErrorCode.CORRUPT_FILE, `${source}: bad .npy shape (${text})`, { file: source });
  }
  return shape;
}

/** The header np.save writes: dict text, growth padding, spaces up to 64-byte alignment, '\n'. */
function headerBytes(shape: readonly number[], descr: string): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  if (shape.length > 0) dict += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  for (const [version, prefixLength] of [
    [1, 10],
    [2, 12],
  ] as const) {
    const unpadded = prefixLength + dict.length + 1;
    const padding = ARRAY_ALIGN - (unpadded % ARRAY_ALIGN);
    const headerLength = dict.length + padding + 1;
    if (version === 1 && headerLength > 0xffff) continue;
    const out = new Uint8Array(prefixLength + headerLength);
    for (let i = 0; i < 6; i++) out[i] = MAGIC.charCodeAt(i);
    out[6] = version;
    out[7] = 0;
    const view = new DataView(out.buffer);
    if (version === 1) view.setUint16(8, headerLength, true);
    else view.setUint32(8, headerLength, true);
    const text = dict + ' '.repeat(padding) + '\n';
    for (let i = 0; i < text.length; i++) out[prefixLength + i] = text.charCodeAt(i);
    return out;
  }
  throw new Keras2TfjsError(ErrorCode.INVALID_ARGUMENT, `writeNpy: header too long for shape [${shape.join(', ')}]`);
}

// --------------------------------------------------------------------------- data
// DataView reads and writes little-endian explicitly, so the host's byte order never matters.

type Getter = 'getFloat32' | 'getFloat64' | 'getInt32' | 'getUint32';
type Setter = 'setFloat32' | 'setFloat64' | 'setInt32' | 'setUint32';

const ACCESS: Record<Exclude<NpyDtype, 'uint8' | 'bool' | 'int64'>, { get: Getter; set: Setter; make: (n: number) => NpyData }> = {
  float32: { get: 'getFloat32', set: 'setFloat32', make: (n) => new Float32Array(n) },
  float64: { get: 'getFloat64', set: 'setFloat64', make: (n) => new Float64Array(n) },
  int32: { get: 'getInt32', set: 'setInt32', make: (n) => new Int32Array(n) },
  uint32: { get: 'getUint32', set: 'setUint32', make: (n) => new Uint32Array(n) },
};

const ARRAY_OF: Record<NpyDtype, new (length: number) => NpyData> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: Int32Array,
  uint8: Uint8Array,
  bool: Uint8Array,
  uint32: Uint32Array,
};

function decode(raw: Uint8Array, dtype: NpyDtype, count: number, source: string): NpyData {
  if (dtype === 'uint8' || dtype === 'bool') return raw;
  if (dtype === 'int64') return narrowInt64(raw, count, source);
  const { get, make } = ACCESS[dtype];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = make(count);
  const size = BY_DESCR[DESCR_OF[dtype]].itemSize;
  for (let i = 0; i < count; i++) out[i] = view[get](i * size, true);
  return out;
}

/** int64 → Int32Array: each value must equal its low 32 bits sign-extended. */
function narrowInt64(raw: Uint8Array, count: number, source: string): Int32Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const low = view.getInt32(8 * i, true);
    const high = view.getInt32(8 * i + 4, true);
    if (high !== low >> 31) {
      throw new Keras2TfjsError(
        ErrorCode.UNSUPPORTED_SEMANTICS,
        `${source}: int64 value ${view.getBigInt64(8 * i, true)} at flat index ${i} does not fit in int32; ` +
          `store it as float64 or split it in Python`,
        { file: source },
      );
    }
    out[i] = low;
  }
  return out;
}

function encode(data: NpyData, dtype: NpyDtype): Uint8Array {
  const expected = ARRAY_OF[dtype];
  if (!(data instanceof expected)) {
    throw new Keras2TfjsError(
      ErrorCode.INVALID_ARGUMENT,
      `writeNpy: dtype '${dtype}' needs a ${expected.name}, got a ${data.constructor.name}`,
    );
  }
  if (dtype === 'uint8' || dtype === 'bool') return Uint8Array.from(data);
  const size = BY_DESCR[DESCR_OF[dtype]].itemSize;
  const out = new Uint8Array(data.length * size);
  const view = new DataView(out.buffer);
  if (dtype === 'int64') {
    for (let i = 0; i < data.length; i++) view.setBigInt64(8 * i, BigInt(data[i]), true);
    return out;
  }
  const { set } = ACCESS[dtype];
  for (let i = 0; i < data.length; i++) view[set](i * size, data[i], true);
  return out;
}
