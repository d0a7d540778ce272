/**
 * The filter pipeline of chunked datasets (HDF5 File Format Specification v3, IV.A.2.l) and the
 * filters h5py offers without plugins: deflate (gzip, id 1), shuffle (id 2) and Fletcher-32
 * checksums (id 3). Any other filter (szip, lzf, plugins) is `Hdf5Unsupported`.
 *
 * Each chunk is decoded on its own, the filters undone in reverse order; inflating stops as soon
 * as the output passes the chunk's size, so a damaged or hostile chunk cannot inflate without end.
 */
import { inflateDeclared } from '../../zip/inflate.js';
import { FileBytes, unsupported } from './bytes.js';

export const FILTER = { DEFLATE: 1, SHUFFLE: 2, FLETCHER32: 3 } as const;

export interface Filter {
  id: number;
  /** Client values (shuffle: the element size). */
  values: number[];
}

/** Filters a pipeline may hold: no real file stacks more. */
const MAX_FILTERS = 32;

/** Reads a filter pipeline message (versions 1 and 2). */
export function readFilterPipeline(file: FileBytes, pos: number, size: number): Filter[] {
  file.check(pos, size, 'a filter pipeline message');
  const end = pos + size;
  const version = file.u8(pos);
  const count = file.u8(pos + 1);
  if (version !== 1 && version !== 2) unsupported(`filter pipeline version ${version}`);
  if (count > MAX_FILTERS) unsupported(`a pipeline of ${count} filters`);
  let at = pos + (version === 1 ? 8 : 2);
  const filters: Filter[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 2 > end) unsupported('a filter pipeline message running past its end');
    const id = file.u16(at);
    at += 2;
    // Version 2 omits the name (length) of the predefined filters (ids below 256).
    const nameLength = version === 1 || id >= 256 ? file.u16(at) : 0;
    if (version === 1 || id >= 256) at += 2;
    at += 2; // flags: whether the filter is optional does not matter for reading
    const valueCount = file.u16(at);
    at += 2;
    at += version === 1 ? Math.ceil(nameLength / 8) * 8 : nameLength;
    const values: number[] = [];
    if (at + valueCount * 4 > end) unsupported('a filter pipeline message running past its end');
    for (let v = 0; v < valueCount; v++) values.push(file.u32(at + v * 4));
    at += valueCount * 4;
    if (version === 1 && valueCount % 2 === 1) at += 4;
    if (id !== FILTER.DEFLATE && id !== FILTER.SHUFFLE && id !== FILTER.FLETCHER32) unsupported(`filter ${id} (only deflate, shuffle and fletcher32 are read)`);
    filters.push({ id, values });
  }
  return filters;
}

/**
 * One chunk's stored bytes → its `chunkBytes` raw bytes: the filters not skipped by the
 * chunk's `mask` undone in reverse order. Throws `ChunkDamaged` with the reason otherwise.
 */
export function unfilterChunk(stored: Uint8Array, filters: Filter[], mask: number, chunkBytes: number, elementSize: number): Uint8Array {
  let data = stored;
  for (let i = filters.length - 1; i >= 0; i--) {
    if (mask & (1 << i)) continue;
    const f = filters[i];
    if (f.id === FILTER.FLETCHER32) data = checkFletcher32(data);
    else if (f.id === FILTER.SHUFFLE) data = unshuffle(data, f.values[0] ?? elementSize);
    else data = inflateZlib(data, chunkBytes);
  }
  if (data.length !== chunkBytes) throw new ChunkDamaged(`it decodes to ${data.length} bytes instead of ${chunkBytes}`);
  return data;
}

export class ChunkDamaged extends Error {}

/** zlib (deflate with its 2-byte header and Adler-32 trailer), at most `expected` bytes out. */
function inflateZlib(data: Uint8Array, expected: number): Uint8Array {
  // The zlib header: compression method 8, window ≤ 32 KiB, header checksum; no preset dictionary.
  if (data.length < 6 || (data[0] & 0x0f) !== 8 || (data[0] >> 4) > 7 || ((data[0] << 8) | data[1]) % 31 !== 0 || data[1] & 0x20) {
    throw new ChunkDamaged('its deflate stream has no valid zlib header');
  }
  const outcome = inflateDeclared(data.subarray(2, data.length - 4), expected);
  if (!outcome.ok) {
    if (outcome.reason === 'damaged') throw new ChunkDamaged(`it does not inflate (${outcome.message})`);
    throw new ChunkDamaged(`it inflates to ${outcome.reason === 'too-long' ? 'more' : 'fewer'} bytes than a chunk holds`);
  }
  const t = data.length - 4;
  const stored = ((data[t] << 24) | (data[t + 1] << 16) | (data[t + 2] << 8) | data[t + 3]) >>> 0;
  if (adler32(outcome.data) !== stored) throw new ChunkDamaged('its inflated bytes fail their Adler-32 check');
  return outcome.data;
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  // 5552 bytes is the most that can be summed before the sums must be reduced (zlib's NMAX).
  for (let i = 0; i < data.length; ) {
    const end = Math.min(data.length, i + 5552);
    for (; i < end; i++) {
      a += data[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Undoes the shuffle filter: byte k of every element was stored in the k-th block. */
function unshuffle(data: Uint8Array, elementSize: number): Uint8Array {
  if (elementSize <= 1) return data;
  const count = Math.floor(data.length / elementSize);
  const out = new Uint8Array(data.length);
  for (let k = 0; k < elementSize; k++) {
    const block = k * count;
    for (let e = 0; e < count; e++) out[e * elementSize + k] = data[block + e];
  }
  // Bytes beyond whole elements are left in place by the filter.
  out.set(data.subarray(count * elementSize), count * elementSize);
  return out;
}

/** Checks and strips the Fletcher-32 checksum HDF5 appends (little-endian) to a chunk. */
function checkFletcher32(data: Uint8Array): Uint8Array {
  if (data.length < 4) throw new ChunkDamaged('it is too short for its Fletcher-32 checksum');
  const body = data.subarray(0, data.length - 4);
  const t = body.length;
  const stored = (data[t] | (data[t + 1] << 8) | (data[t + 2] << 16) | (data[t + 3] << 24)) >>> 0;
  const sum = fletcher32(body);
  // HDF5 before 1.6.3 stored the checksum with its bytes in the other order; it still accepts it.
  const swapped = (((sum & 0xff) << 24) | (((sum >>> 8) & 0xff) << 16) | (((sum >>> 16) & 0xff) << 8) | (sum >>> 24)) >>> 0;
  if (stored !== sum && stored !== swapped) throw new ChunkDamaged('it fails its Fletcher-32 checksum');
  return body;
}

/** HDF5's Fletcher-32: 16-bit words taken big-endian, an odd last byte as a word's high byte. */
function fletcher32(data: Uint8Array): number {
  let sum1 = 0;
  let sum2 = 0;
  const words = data.length >>> 1;
  for (let w = 0; w < words; ) {
    // 360 words keep the 32-bit sums from overflowing before they are folded.
    const end = Math.min(words, w + 360);
    for (; w < end; w++) {
      sum1 += (data[2 * w] << 8) | data[2 * w + 1];
      sum2 += sum1;
    }
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  if (data.length & 1) {
    sum1 += data[data.length - 1] << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  return ((sum2 << 16) | sum1) >>> 0;
}
