/**
 * Decoding of what HDF5 stores to JS values: numeric dataset bytes to float32 (floats of any
 * width, bfloat16, big-endian sources included) or to their own integer typed array (exactly as
 * stored, 64-bit as bigints; see stored_array.ts), and attribute values to `AttrValue`.
 * Shared by both readers (direct/direct_file.ts, h5wasm/h5wasm_file.ts).
 */
import { H5T } from './direct/types.js';
import type { AttrValue } from './hdf5_file.js';
import type { DatasetMeta } from './h5wasm/worker.js';
import type { StoredValues } from '../stored_array.js';

export function decodeAttr(value: unknown): AttrValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return value as string[];
    return value.map((v) => Number(v));
  }
  if (ArrayBuffer.isView(value)) {
    const arr = value as unknown as ArrayLike<number | bigint>;
    return Array.from(arr, (v) => Number(v));
  }
  return null;
}

export function toStringList(v: AttrValue, fail: () => never): string[] {
  if (v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) {
    if (v.length === 0) return [];
    if (v.every((x) => typeof x === 'string')) return v as string[];
  }
  return fail();
}

/**
 * What a numeric dataset of type `meta` is stored as ('float16', 'int64', 'bfloat16', ...), or
 * null if it is not a numeric type decodeNumeric reads.
 */
export function sourceDtypeOf(meta: DatasetMeta, bfloat16: boolean): string | null {
  const { type, size } = meta;
  if ((type === H5T.OPAQUE || type === H5T.INTEGER) && size === 2 && bfloat16) return 'bfloat16';
  if (type === H5T.FLOAT) return size === 2 || size === 4 || size === 8 ? `float${size * 8}` : null;
  if (type === H5T.INTEGER) return size === 1 || size === 2 || size === 4 || size === 8 ? `${meta.signed ? 'int' : 'uint'}${size * 8}` : null;
  return null;
}

export function decodeNumeric(
  raw: Uint8Array,
  meta: DatasetMeta,
  bfloat16: boolean,
  unsupported: () => never,
): StoredValues {
  const { type, size } = meta;
  // `raw` is a buffer of its own (from the HDF5 thread, or sliced from the file), or a part of
  // file bytes the caller gave away: viewed in place where its alignment allows (a typed array
  // starts at a multiple of its element size), copied otherwise.
  const aligned = (size === 1 || size === 2 || size === 4 || size === 8) && raw.byteOffset % size === 0;
  const bytes = aligned ? raw : raw.slice();
  const view = <T>(C: new (buffer: ArrayBufferLike, offset: number, length: number) => T): T => new C(bytes.buffer, bytes.byteOffset, bytes.byteLength / size);
  if ((type === H5T.OPAQUE || type === H5T.INTEGER) && size === 2 && bfloat16) {
    const u16 = view(Uint16Array);
    const u32 = new Uint32Array(u16.length);
    for (let i = 0; i < u16.length; i++) u32[i] = u16[i] << 16;
    return new Float32Array(u32.buffer);
  }
  if (type === H5T.FLOAT) {
    if (size === 4) return view(Float32Array);
    if (size === 8) return Float32Array.from(view(Float64Array));
    if (size === 2) return halfToFloat(view(Uint16Array));
    return unsupported();
  }
  if (type === H5T.INTEGER) {
    const signed = meta.signed;
    // Exact, never wrapped or clamped: which dtype the variable gets is decided per variable.
    return size === 8 ? (signed ? view(BigInt64Array) : view(BigUint64Array))
      : size === 4 ? (signed ? view(Int32Array) : view(Uint32Array))
      : size === 2 ? (signed ? view(Int16Array) : view(Uint16Array))
      : size === 1 ? (signed ? view(Int8Array) : view(Uint8Array))
      : unsupported();
  }
  return unsupported();
}

export function swapBytes(raw: Uint8Array, size: number): void {
  for (let i = 0; i + size <= raw.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = raw[a];
      raw[a] = raw[b];
      raw[b] = t;
    }
  }
}

/** IEEE 754 half → float32. */
export function halfToFloat(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const v = h[i];
    const sign = v & 0x8000 ? -1 : 1;
    const exp = (v >> 10) & 0x1f;
    const frac = v & 0x3ff;
    if (exp === 0) out[i] = sign * 2 ** -14 * (frac / 1024);
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  return out;
}
