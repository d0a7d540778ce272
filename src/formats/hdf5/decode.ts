/**
 * Decoding of what HDF5 stores to JS values: numeric dataset bytes to float32/int32 arrays
 * (half, bfloat16, big-endian and 64-bit sources included), and attribute values to `AttrValue`.
 * Shared by both readers (direct/direct_file.ts, h5wasm/h5wasm_file.ts).
 */
import { H5T } from './direct/types.js';
import type { AttrValue } from './hdf5_file.js';
import type { DatasetMeta } from './h5wasm/worker.js';

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
): { dtype: 'float32' | 'int32'; data: Float32Array | Int32Array; sourceDtype: string } {
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
    return { dtype: 'float32', data: new Float32Array(u32.buffer), sourceDtype: 'bfloat16' };
  }
  if (type === H5T.FLOAT) {
    if (size === 4) return { dtype: 'float32', data: view(Float32Array), sourceDtype: 'float32' };
    if (size === 8) return { dtype: 'float32', data: Float32Array.from(view(Float64Array)), sourceDtype: 'float64' };
    if (size === 2) return { dtype: 'float32', data: halfToFloat(view(Uint16Array)), sourceDtype: 'float16' };
    return unsupported();
  }
  if (type === H5T.INTEGER) {
    const signed = meta.signed;
    const source = `${signed ? 'int' : 'uint'}${size * 8}`;
    if (size === 8) {
      const big = signed ? view(BigInt64Array) : view(BigUint64Array);
      const out = new Int32Array(big.length);
      for (let i = 0; i < big.length; i++) {
        const v = Number(big[i]);
        // Keras int64 variables (counters, iterations) fit int32 in practice; clamp rather than wrap.
        out[i] = Math.max(-2147483648, Math.min(2147483647, v));
      }
      return { dtype: 'int32', data: out, sourceDtype: source };
    }
    const ints =
      size === 4 ? (signed ? view(Int32Array) : view(Uint32Array))
      : size === 2 ? (signed ? view(Int16Array) : view(Uint16Array))
      : size === 1 ? (signed ? view(Int8Array) : view(Uint8Array))
      : unsupported();
    return { dtype: 'int32', data: Int32Array.from(ints as ArrayLike<number>), sourceDtype: source };
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
