/**
 * Makes the oversized and hostile .keras archives of the zip tests (issue 16, items 2 and 5).
 * They are written here, by the test, rather than committed: one is a 4 GiB file (sparse: a
 * hole, ~1 MB on disk), the other inflates to 8 GiB from 8 MB. Real members come from a real
 * Keras archive (fixtures/); the zip structures around them follow APPNOTE.TXT (local headers,
 * central directory, Zip64 end records, Zip64 extra fields), written by hand because no zip
 * library writes a member whose declared size is a lie, nor leaves a hole in the file.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import * as zlib from 'node:zlib';

export interface RawMember {
  name: string;
  /** 0 stored, 8 deflate. */
  method: 0 | 8;
  /** The member's data as stored (deflated bytes for method 8), written where the member goes. */
  stored: Uint8Array | { hole: number };
  /** What the central directory says: the inflated size and CRC-32 (they may lie). */
  size: number;
  crc32: number;
}

const u16 = (v: number) => Buffer.from(new Uint16Array([v]).buffer);
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};
const u64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
};
const MAX32 = 0xffffffff;

/**
 * Writes a zip of `members` to `path`, each at the next offset (a hole is skipped over, left
 * sparse). Sizes and offsets past 4 GiB go into Zip64 fields, as zip tools write them.
 */
export function writeRawZip(path: string, members: RawMember[]): void {
  const fd = openSync(path, 'w');
  try {
    let at = 0;
    const central: Buffer[] = [];
    for (const m of members) {
      const name = Buffer.from(m.name, 'utf8');
      const storedSize = 'hole' in m.stored ? m.stored.hole : m.stored.length;
      const zip64 = m.size >= MAX32 || storedSize >= MAX32 || at >= MAX32;
      const local = Buffer.concat([
        u32(0x04034b50), u16(zip64 ? 45 : 20), u16(0), u16(m.method), u16(0), u16(0), u32(m.crc32),
        u32(zip64 ? MAX32 : storedSize), u32(zip64 ? MAX32 : m.size), u16(name.length), u16(zip64 ? 20 : 0), name,
        ...(zip64 ? [u16(1), u16(16), u64(m.size), u64(storedSize)] : []),
      ]);
      writeSync(fd, local, 0, local.length, at);
      const dataAt = at + local.length;
      if (!('hole' in m.stored)) writeSync(fd, m.stored, 0, m.stored.length, dataAt);
      const extra = zip64 ? Buffer.concat([u16(1), u16(24), u64(m.size), u64(storedSize), u64(at)]) : Buffer.alloc(0);
      central.push(Buffer.concat([
        u32(0x02014b50), u16(zip64 ? 45 : 20), u16(zip64 ? 45 : 20), u16(0), u16(m.method), u16(0), u16(0), u32(m.crc32),
        u32(zip64 ? MAX32 : storedSize), u32(zip64 ? MAX32 : m.size), u16(name.length), u16(extra.length), u16(0), u16(0), u16(0), u32(0),
        u32(zip64 ? MAX32 : at), name, extra,
      ]));
      at = dataAt + storedSize;
    }
    const cd = Buffer.concat(central);
    writeSync(fd, cd, 0, cd.length, at);
    const cdAt = at;
    at += cd.length;
    const tail: Buffer[] = [];
    const zip64End = cdAt >= MAX32;
    if (zip64End) {
      tail.push(Buffer.concat([
        u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(members.length), u64(members.length), u64(cd.length), u64(cdAt),
      ]));
      tail.push(Buffer.concat([u32(0x07064b50), u32(0), u64(at), u32(1)]));
    }
    tail.push(Buffer.concat([
      u32(0x06054b50), u16(0), u16(0), u16(zip64End ? 0xffff : members.length), u16(zip64End ? 0xffff : members.length),
      u32(cd.length), u32(zip64End ? MAX32 : cdAt), u16(0),
    ]));
    const end = Buffer.concat(tail);
    writeSync(fd, end, 0, end.length, at);
  } finally {
    closeSync(fd);
  }
}

/** A stored member holding `bytes`, with its true size and CRC-32. */
export function storedMember(name: string, bytes: Uint8Array): RawMember {
  return { name, method: 0, stored: bytes, size: bytes.length, crc32: zlib.crc32(bytes) };
}

/** CRC-32 of `n` zero bytes. */
export function crc32OfZeros(n: number): number {
  const zeros = new Uint8Array(Math.min(n, 64 << 20));
  let crc = 0;
  for (let left = n; left > 0; left -= zeros.length) crc = zlib.crc32(zeros.subarray(0, Math.min(left, zeros.length)), crc);
  return crc;
}

/** Writes bits least significant first, as DEFLATE packs them. */
class BitWriter {
  private readonly bytes: number[] = [];
  private bit = 0;

  /** `value`'s low `n` bits, least significant first (DEFLATE's extra bits and header fields). */
  bits(value: number, n: number): this {
    for (let i = 0; i < n; i++) {
      if (this.bit === 0) this.bytes.push(0);
      if ((value >> i) & 1) this.bytes[this.bytes.length - 1] |= 1 << this.bit;
      this.bit = (this.bit + 1) & 7;
    }
    return this;
  }

  /** A Huffman code of `n` bits, most significant first. */
  code(value: number, n: number): this {
    for (let i = n - 1; i >= 0; i--) this.bits((value >> i) & 1, 1);
    return this;
  }

  /** Bits written so far. */
  get length(): number {
    return this.bytes.length * 8 - ((8 - this.bit) & 7);
  }

  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/**
 * A raw DEFLATE stream of one dynamic-Huffman block that inflates to about `bytes` zeros from
 * about bytes/1032 bytes: DEFLATE's densest form. Its codes are chosen so that "copy 258 bytes
 * from 1 back" takes 2 bits (length symbol 285 and distance code 0, one bit each): after one
 * literal zero, every 2 bits of input are 258 bytes of output, with no block boundary or flush
 * point in the whole stream (so an inflater that does not count its output has nothing that
 * stops it). This is how a few megabytes declare 200 MB and inflate to 8 GB.
 */
export function deflateBomb(bytes: number): Uint8Array {
  const copies = Math.floor((bytes - 1) / 258);
  const w = new BitWriter();
  w.bits(1, 1).bits(2, 2); // BFINAL, BTYPE = dynamic Huffman
  w.bits(286 - 257, 5).bits(1 - 1, 5).bits(18 - 4, 4); // HLIT, HDIST, HCLEN
  // Code-length code lengths, in DEFLATE's order 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1:
  // 18 (a run of zeros) 1 bit, 1 and 2 two bits each.
  for (const symbol of [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1]) w.bits(symbol === 18 ? 1 : symbol === 1 || symbol === 2 ? 2 : 0, 3);
  // Canonical codes of that code: 18 → 0, 1 → 10, 2 → 11.
  const length = (n: 1 | 2) => w.code(n === 1 ? 0b10 : 0b11, 2);
  const zeros = (n: number) => w.code(0, 1).bits(n - 11, 7);
  // Literal/length code lengths: 0 → 2, 1..255 → 0, 256 (end) → 2, 257..284 → 0, 285 (length 258) → 1.
  length(2);
  zeros(138);
  zeros(117);
  length(2);
  zeros(28);
  length(1);
  length(1); // the one distance code (distance 1): 1 bit
  // Canonical codes: 285 → 0, literal 0 → 10, end → 11; distance 0 → 0.
  w.code(0b10, 2); // a literal zero
  const head = w.done();
  const headBits = w.length;
  // Each copy is the bits 0 0: the rest of the stream is zero bits, then the end-of-block code.
  const totalBits = headBits + 2 * copies + 2;
  const out = new Uint8Array(Math.ceil(totalBits / 8));
  out.set(head);
  const end = headBits + 2 * copies;
  // End of block, code 11 (written most significant first: both bits are ones).
  for (const at of [end, end + 1]) out[at >> 3] |= 1 << (at & 7);
  return out;
}
