/**
 * A read-only, defensive zip reader for `.keras` archives.
 *
 * We parse the central directory ourselves (so every declared size, offset and name is checked
 * before a single byte is inflated) and use fflate only to inflate DEFLATE members. Keras writes
 * members uncompressed (stored), which a zip has no checksum for other than the CRC-32 we verify.
 *
 * Refused with BAD_ARCHIVE, naming the file: truncated or corrupt archives, encrypted members,
 * compression methods other than stored/deflate, member paths that are absolute or contain `..`,
 * duplicate member names, and "zip bombs" (a member declaring far more bytes than it stores).
 */
import { inflateSync } from 'fflate';
import { ErrorCode } from '../../errors.js';
import { convertError, firstLine } from '../../errors.js';

/** First bytes of a zip: a local file header, or the end record of an empty archive. */
export function isZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    ((bytes[2] === 0x03 && bytes[3] === 0x04) || (bytes[2] === 0x05 && bytes[3] === 0x06))
  );
}

/**
 * Zip-bomb guard, Keras' rule (saving_lib `_reject_zip_bomb`) with a lower floor because we
 * inflate into memory: a member that declares more than the floor AND more than
 * MAX_EXPANSION × its stored size is refused. DEFLATE cannot exceed ~1032:1 on real data, and
 * Keras stores members uncompressed (1:1), so genuine archives stay far below.
 */
const BOMB_FLOOR_BYTES = 256 * 1024 * 1024;
const MAX_EXPANSION = 100;
/** Largest member we can hold in one typed array. */
const MAX_MEMBER_BYTES = 2 ** 31 - 1;

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

export interface ZipMember {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export class ZipArchive {
  private readonly members = new Map<string, ZipMember>();

  private constructor(
    private readonly bytes: Uint8Array,
    readonly file: string,
  ) {}

  /** Parses and validates the central directory. Throws BAD_ARCHIVE on anything unsafe. */
  static open(bytes: Uint8Array, file: string): ZipArchive {
    const archive = new ZipArchive(bytes, file);
    for (const m of archive.readCentralDirectory()) {
      if (archive.members.has(m.name)) archive.fail(`member '${m.name}' appears twice; the archive is corrupt`);
      archive.members.set(m.name, m);
    }
    return archive;
  }

  /** Member names, in central-directory order. */
  names(): string[] {
    return [...this.members.keys()];
  }

  has(name: string): boolean {
    return this.members.has(name);
  }

  member(name: string): ZipMember | undefined {
    return this.members.get(name);
  }

  /** The member's bytes, inflated if needed, CRC-32 checked. */
  read(name: string): Uint8Array {
    const m = this.members.get(name);
    if (!m) this.fail(`member '${name}' is missing`);
    const dataStart = this.localDataStart(m);
    const stored = this.bytes.subarray(dataStart, dataStart + m.compressedSize);
    let data: Uint8Array;
    if (m.method === 0) {
      data = stored;
    } else {
      try {
        data = inflateSync(stored, { out: new Uint8Array(m.size) });
      } catch (e) {
        this.fail(`member '${name}' does not inflate (${firstLine(e)}); the archive is corrupt`);
      }
      if (data.length !== m.size) {
        this.fail(`member '${name}' inflates to ${data.length} bytes, the directory says ${m.size}; the archive is corrupt`);
      }
    }
    if (crc32(data) !== m.crc32) this.fail(`member '${name}' fails its CRC-32 check; the archive is corrupt or truncated`);
    return data;
  }

  private fail(message: string): never {
    throw convertError(ErrorCode.BAD_ARCHIVE, this.file, message);
  }

  private view(): DataView {
    return new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  private readCentralDirectory(): ZipMember[] {
    const dv = this.view();
    const n = this.bytes.length;
    const eocd = this.findEndRecord(dv);
    let entries = dv.getUint16(eocd + 10, true);
    let cdSize = dv.getUint32(eocd + 12, true);
    let cdOffset = dv.getUint32(eocd + 16, true);
    if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      ({ entries, cdSize, cdOffset } = this.readZip64End(dv, eocd));
    }
    if (cdOffset + cdSize > eocd || cdOffset > n) {
      this.fail('the central directory lies outside the file; the archive is truncated or corrupt');
    }
    const members: ZipMember[] = [];
    let p = cdOffset;
    for (let i = 0; i < entries; i++) {
      if (p + 46 > n || dv.getUint32(p, true) !== SIG_CENTRAL) {
        this.fail(`central directory entry ${i} is damaged; the archive is truncated or corrupt`);
      }
      const flags = dv.getUint16(p + 8, true);
      const method = dv.getUint16(p + 10, true);
      const crc = dv.getUint32(p + 16, true);
      let compressedSize = dv.getUint32(p + 20, true);
      let size = dv.getUint32(p + 24, true);
      const nameLen = dv.getUint16(p + 28, true);
      const extraLen = dv.getUint16(p + 30, true);
      const commentLen = dv.getUint16(p + 32, true);
      let localHeaderOffset = dv.getUint32(p + 42, true);
      const end = p + 46 + nameLen + extraLen + commentLen;
      if (end > n) this.fail(`central directory entry ${i} runs past the end of the file; the archive is truncated`);
      const name = new TextDecoder('utf-8').decode(this.bytes.subarray(p + 46, p + 46 + nameLen));
      if (size === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
        ({ size, compressedSize, localHeaderOffset } = this.readZip64Extra(
          dv, p + 46 + nameLen, extraLen, { size, compressedSize, localHeaderOffset }, name,
        ));
      }
      this.checkName(name);
      if (flags & 1) this.fail(`member '${name}' is encrypted; Keras archives never are`);
      if (method !== 0 && method !== 8) {
        this.fail(`member '${name}' uses compression method ${method}; only stored and deflate are supported`);
      }
      if (method === 0 && size !== compressedSize) {
        this.fail(`member '${name}' is stored but declares ${size} bytes for ${compressedSize} stored; the archive is corrupt`);
      }
      if (size > BOMB_FLOOR_BYTES && size > MAX_EXPANSION * compressedSize) {
        this.fail(
          `member '${name}' declares ${size} bytes but stores only ${compressedSize}; refusing a potential zip bomb`,
        );
      }
      if (size > MAX_MEMBER_BYTES) this.fail(`member '${name}' declares ${size} bytes, more than can be held in memory`);
      if (localHeaderOffset + 30 + compressedSize > n) {
        this.fail(`member '${name}' declares data past the end of the file; the archive is truncated`);
      }
      members.push({ name, method, crc32: crc, compressedSize, size, localHeaderOffset });
      p = end;
    }
    return members;
  }

  private findEndRecord(dv: DataView): number {
    const n = this.bytes.length;
    // The end record is 22 bytes plus a comment of at most 65535 bytes.
    const stop = Math.max(0, n - 22 - 0xffff);
    for (let p = n - 22; p >= stop; p--) {
      if (dv.getUint32(p, true) === SIG_EOCD && p + 22 + dv.getUint16(p + 20, true) <= n) return p;
    }
    return this.fail('no zip end-of-central-directory record; the archive is truncated or not a zip');
  }

  private readZip64End(dv: DataView, eocd: number): { entries: number; cdSize: number; cdOffset: number } {
    const loc = eocd - 20;
    if (loc < 0 || dv.getUint32(loc, true) !== SIG_ZIP64_LOCATOR) {
      this.fail('the ZIP64 end locator is missing; the archive is truncated or corrupt');
    }
    const rec = safeNumber(dv.getBigUint64(loc + 8, true));
    if (rec + 56 > this.bytes.length || dv.getUint32(rec, true) !== SIG_ZIP64_EOCD) {
      this.fail('the ZIP64 end record is damaged; the archive is truncated or corrupt');
    }
    return {
      entries: safeNumber(dv.getBigUint64(rec + 32, true)),
      cdSize: safeNumber(dv.getBigUint64(rec + 40, true)),
      cdOffset: safeNumber(dv.getBigUint64(rec + 48, true)),
    };
  }

  /** ZIP64 extra field (id 1): 64-bit values for the 32-bit fields that read 0xFFFFFFFF, in order. */
  private readZip64Extra(
    dv: DataView,
    start: number,
    length: number,
    v: { size: number; compressedSize: number; localHeaderOffset: number },
    name: string,
  ): { size: number; compressedSize: number; localHeaderOffset: number } {
    let p = start;
    while (p + 4 <= start + length) {
      const id = dv.getUint16(p, true);
      const len = dv.getUint16(p + 2, true);
      if (id === 1) {
        let q = p + 4;
        const next = (): number => {
          if (q + 8 > p + 4 + len) this.fail(`member '${name}' has a short ZIP64 field; the archive is corrupt`);
          const value = safeNumber(dv.getBigUint64(q, true));
          q += 8;
          return value;
        };
        const out = { ...v };
        if (v.size === 0xffffffff) out.size = next();
        if (v.compressedSize === 0xffffffff) out.compressedSize = next();
        if (v.localHeaderOffset === 0xffffffff) out.localHeaderOffset = next();
        return out;
      }
      p += 4 + len;
    }
    return this.fail(`member '${name}' lacks its ZIP64 sizes; the archive is corrupt`);
  }

  /** Refuses names that could escape a directory if anyone ever extracted the archive. */
  private checkName(name: string): void {
    if (name.length === 0 || name.includes('\0')) this.fail('a member has an empty or NUL-containing name');
    if (/^([\\/]|[A-Za-z]:)/.test(name)) this.fail(`member '${name}' has an absolute path; refusing an unsafe archive`);
    if (name.split(/[\\/]/).includes('..')) this.fail(`member '${name}' contains '..'; refusing an unsafe archive`);
  }

  private localDataStart(m: ZipMember): number {
    const header = readLocalHeader(this.bytes, m.localHeaderOffset);
    if (header === null) this.fail(`member '${m.name}' has no valid local header; the archive is corrupt`);
    const start = header.dataStart;
    if (start + m.compressedSize > this.bytes.length) {
      this.fail(`member '${m.name}' runs past the end of the file; the archive is truncated`);
    }
    return start;
  }
}

/** Bytes of a local file header before its name. */
const LOCAL_HEADER_BYTES = 30;

/** The fields of the local file header at `at` that locate its name and data. */
export interface LocalHeader {
  /** General-purpose flags; bit 3 means the sizes follow the data (they are 0 here). */
  flags: number;
  /** 0xffffffff in a zip64 entry (the real size is in the extra field). */
  compressedSize: number;
  nameStart: number;
  nameLength: number;
  dataStart: number;
}

/** The local file header at `at`, or null if none is there (no signature, or cut off). */
export function readLocalHeader(bytes: Uint8Array, at: number): LocalHeader | null {
  if (at < 0 || at + LOCAL_HEADER_BYTES > bytes.length) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(at, true) !== SIG_LOCAL) return null;
  const nameLength = dv.getUint16(at + 26, true);
  return {
    flags: dv.getUint16(at + 6, true),
    compressedSize: dv.getUint32(at + 18, true),
    nameStart: at + LOCAL_HEADER_BYTES,
    nameLength,
    dataStart: at + LOCAL_HEADER_BYTES + nameLength + dv.getUint16(at + 28, true),
  };
}

function safeNumber(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** Node's native CRC-32 (zlib, Node >= 20.15): ~10x the table loop below on a 100 MB weights file. */
const nativeCrc32 = (
  (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:zlib') as
    | { crc32?: (data: Uint8Array) => number }
    | undefined
)?.crc32;

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, the zip checksum). */
export function crc32(data: Uint8Array): number {
  if (nativeCrc32) return nativeCrc32(data) >>> 0;
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
