/**
 * A read-only, defensive zip reader for `.keras` archives, over a `ByteSource`: it reads the
 * central directory from the end of the archive and then only the members asked for, so an
 * archive of any size (Zip64, offsets past 4 GiB) is opened by reading a few kilobytes.
 *
 * We parse the central directory ourselves (so every declared size, offset and name is checked
 * before a single byte is inflated) and use fflate only to inflate DEFLATE members. Keras writes
 * members uncompressed (stored): those are read straight from the archive by ranges
 * (`openMember`), their CRC-32 computed as the bytes go by; deflated members are inflated into
 * memory, never past the size they declare nor the decode budget.
 *
 * Refused with BAD_ARCHIVE, naming the file: truncated or corrupt archives, encrypted members,
 * compression methods other than stored/deflate, member paths that are absolute or contain `..`,
 * duplicate member names, and "zip bombs" (a member declaring far more bytes than it stores, or
 * inflating to more than it declares).
 */
import { ErrorCode } from '../../errors.js';
import { convertError } from '../../errors.js';
import { MemorySource, type ByteSource } from '../../io/byte_source.js';
import type { DecodeBudget } from '../decode_budget.js';
import { crc32 } from './crc32.js';
import { inflateDeclared } from './inflate.js';
import { StoredMemberSource } from './member_source.js';

export { crc32 } from './crc32.js';

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
/** Largest member that can be inflated into memory (one typed array). */
const MAX_INFLATED_BYTES = 2 ** 31 - 1;
/** A central directory this long would list millions of members: no Keras archive comes near. */
const MAX_CENTRAL_DIRECTORY_BYTES = 64 * 1024 * 1024;

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
/** The end record: 22 bytes and a comment of up to 65535; the Zip64 locator just before it. */
const TAIL_BYTES = 22 + 0xffff + 20;

export interface ZipMember {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** A member opened for reading by ranges; `verify` completes its CRC-32 check. */
export interface MemberSource extends ByteSource {
  verify(): Promise<void>;
}

export class ZipArchive {
  private readonly members = new Map<string, ZipMember>();

  private constructor(
    private readonly source: ByteSource,
    readonly file: string,
    private readonly budget: DecodeBudget,
  ) {}

  /** Reads and validates the central directory. Throws BAD_ARCHIVE on anything unsafe. */
  static async open(source: ByteSource, file: string, budget: DecodeBudget): Promise<ZipArchive> {
    const archive = new ZipArchive(source, file, budget);
    for (const m of await archive.readCentralDirectory()) {
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

  /**
   * A member's whole bytes, inflated if needed, CRC-32 checked; refused with RESOURCE_LIMIT
   * when it declares more than `maxBytes` (no genuine member of its kind is that long).
   */
  async read(name: string, maxBytes = MAX_INFLATED_BYTES): Promise<Uint8Array> {
    const m = this.require(name);
    if (m.size > maxBytes) {
      throw convertError(ErrorCode.RESOURCE_LIMIT, this.file, `member '${name}' declares ${m.size} bytes, more than the ${maxBytes} bytes such a member may have; the archive is not a genuine Keras archive`);
    }
    if (m.method !== 0) return this.inflate(m);
    const start = await this.localDataStart(m);
    this.budget.charge(m.size, this.file, `member '${name}'`);
    const data = await this.source.read(start, m.size);
    if (crc32(data) !== m.crc32) this.fail(`member '${name}' fails its CRC-32 check; the archive is corrupt or truncated`);
    return data;
  }

  /**
   * A member as a source of its own, read by ranges: a stored member straight from the
   * archive (any size), a deflated one inflated into memory first. Call `verify` once done
   * reading: it completes the CRC-32 check of a stored member.
   */
  async openMember(name: string): Promise<MemberSource> {
    const m = this.require(name);
    if (m.method !== 0) {
      const data = await this.inflate(m);
      // Inflated into a buffer of our own, and checked whole already.
      return Object.assign(new MemorySource(data, name, 'shared'), { verify: async () => {} });
    }
    const start = await this.localDataStart(m);
    return new StoredMemberSource(this.source, start, m.size, name, m.crc32, (message) => this.fail(message));
  }

  private require(name: string): ZipMember {
    const m = this.members.get(name);
    if (!m) this.fail(`member '${name}' is missing`);
    return m;
  }

  private async inflate(m: ZipMember): Promise<Uint8Array> {
    if (m.size > MAX_INFLATED_BYTES) {
      this.fail(`member '${m.name}' is compressed and declares ${m.size} bytes, more than can be inflated into memory; store it uncompressed as Keras does (zip -0)`);
    }
    const start = await this.localDataStart(m);
    this.budget.charge(m.size, this.file, `compressed member '${m.name}'`);
    const outcome = inflateDeclared(await this.source.read(start, m.compressedSize), m.size);
    if (!outcome.ok) {
      if (outcome.reason === 'damaged') this.fail(`member '${m.name}' does not inflate (${outcome.message}); the archive is corrupt`);
      if (outcome.reason === 'too-long') {
        this.fail(`member '${m.name}' inflates to more than the ${m.size} bytes it declares (stopped at ${outcome.produced}); refusing a potential zip bomb`);
      }
      this.fail(`member '${m.name}' inflates to ${outcome.produced} bytes, the directory says ${m.size}; the archive is corrupt`);
    }
    if (crc32(outcome.data) !== m.crc32) this.fail(`member '${m.name}' fails its CRC-32 check; the archive is corrupt or truncated`);
    return outcome.data;
  }

  private fail(message: string): never {
    throw convertError(ErrorCode.BAD_ARCHIVE, this.file, message);
  }

  private async readCentralDirectory(): Promise<ZipMember[]> {
    const n = this.source.size;
    const tailStart = Math.max(0, n - TAIL_BYTES);
    const tail = await this.source.read(tailStart, n - tailStart);
    const tdv = view(tail);
    const eocdInTail = this.findEndRecord(tail, tdv);
    const eocd = tailStart + eocdInTail;
    let entries = tdv.getUint16(eocdInTail + 10, true);
    let cdSize = tdv.getUint32(eocdInTail + 12, true);
    let cdOffset = tdv.getUint32(eocdInTail + 16, true);
    if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      ({ entries, cdSize, cdOffset } = await this.readZip64End(tdv, eocdInTail));
    }
    if (cdOffset + cdSize > eocd || cdOffset > n) {
      this.fail('the central directory lies outside the file; the archive is truncated or corrupt');
    }
    if (cdSize > MAX_CENTRAL_DIRECTORY_BYTES) this.fail(`the central directory is ${cdSize} bytes, more than any Keras archive has; the archive is corrupt`);
    const cd = await this.source.read(cdOffset, cdSize);
    const dv = view(cd);
    const members: ZipMember[] = [];
    let p = 0;
    for (let i = 0; i < entries; i++) {
      if (p + 46 > cd.length || dv.getUint32(p, true) !== SIG_CENTRAL) {
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
      if (end > cd.length) this.fail(`central directory entry ${i} runs past the end of the file; the archive is truncated`);
      const name = new TextDecoder('utf-8').decode(cd.subarray(p + 46, p + 46 + nameLen));
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
      if (localHeaderOffset + 30 + compressedSize > n) {
        this.fail(`member '${name}' declares data past the end of the file; the archive is truncated`);
      }
      members.push({ name, method, crc32: crc, compressedSize, size, localHeaderOffset });
      p = end;
    }
    return members;
  }

  /** Where the end record starts in `tail` (the archive's last bytes). */
  private findEndRecord(tail: Uint8Array, dv: DataView): number {
    for (let p = tail.length - 22; p >= 0; p--) {
      if (dv.getUint32(p, true) === SIG_EOCD && p + 22 + dv.getUint16(p + 20, true) <= tail.length) return p;
    }
    return this.fail('no zip end-of-central-directory record; the archive is truncated or not a zip');
  }

  private async readZip64End(tdv: DataView, eocdInTail: number): Promise<{ entries: number; cdSize: number; cdOffset: number }> {
    const loc = eocdInTail - 20;
    if (loc < 0 || tdv.getUint32(loc, true) !== SIG_ZIP64_LOCATOR) {
      this.fail('the ZIP64 end locator is missing; the archive is truncated or corrupt');
    }
    const at = safeNumber(tdv.getBigUint64(loc + 8, true));
    if (at + 56 > this.source.size) this.fail('the ZIP64 end record is damaged; the archive is truncated or corrupt');
    const rec = view(await this.source.read(at, 56));
    if (rec.getUint32(0, true) !== SIG_ZIP64_EOCD) this.fail('the ZIP64 end record is damaged; the archive is truncated or corrupt');
    return {
      entries: safeNumber(rec.getBigUint64(32, true)),
      cdSize: safeNumber(rec.getBigUint64(40, true)),
      cdOffset: safeNumber(rec.getBigUint64(48, true)),
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

  /** Where the member's data starts, from its local header (read here: 30 bytes and its name). */
  private async localDataStart(m: ZipMember): Promise<number> {
    const n = this.source.size;
    const at = m.localHeaderOffset;
    if (at + LOCAL_HEADER_BYTES > n) this.fail(`member '${m.name}' has no valid local header; the archive is corrupt`);
    const header = readLocalHeader(await this.source.read(at, LOCAL_HEADER_BYTES), 0);
    if (header === null) this.fail(`member '${m.name}' has no valid local header; the archive is corrupt`);
    const start = at + header.dataStart;
    if (start + m.compressedSize > n) {
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

/** General-purpose flag bit 3: sizes follow the data, so the next header cannot be found. */
const FLAG_DATA_DESCRIPTOR = 0x08;

/**
 * Where `member`'s data starts in a zip whose first bytes are `head`, found by walking the local
 * headers from the start (Keras writes metadata.json and config.json, both small, before
 * model.weights.h5); null if it is not found within `head`. A placement hint for readers that
 * want the member aligned in memory: the central directory remains the authority.
 */
export function memberDataOffset(head: Uint8Array, member: string): number | null {
  const wanted = new TextEncoder().encode(member);
  for (let at = 0; ; ) {
    const header = readLocalHeader(head, at);
    if (header === null || header.dataStart > head.length) return null;
    const name = head.subarray(header.nameStart, header.nameStart + header.nameLength);
    if (name.length === wanted.length && name.every((b, i) => b === wanted[i])) return header.dataStart;
    // Without sizes in the header (or with a zip64 marker) the next header's place is unknown.
    if (header.flags & FLAG_DATA_DESCRIPTOR || header.compressedSize === 0xffffffff) return null;
    at = header.dataStart + header.compressedSize;
  }
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function safeNumber(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}
