/**
 * Bounds-checked little-endian reads of an HDF5 file's bytes, for the direct (pure TypeScript)
 * HDF5 reader. Every read of the direct reader goes through here, so a damaged offset or length
 * can never read outside the file: it ends the direct reading with `Hdf5Unsupported`, and the
 * file is then handed to the HDF5 library instead (which reports the damage its own way).
 */
import { MemorySource, type ByteSource } from '../../../io/byte_source.js';

/**
 * Thrown when the direct reader meets something it does not read (a feature or a damaged
 * structure). Never reaches a user: `withHdf5` catches it and falls back to h5wasm.
 */
export class Hdf5Unsupported extends Error {
  override readonly name = 'Hdf5Unsupported';
}

export function unsupported(what: string): never {
  throw new Hdf5Unsupported(what);
}

/** How many bytes HDF5 uses for addresses and for lengths (from the superblock: 2, 4 or 8). */
export interface Sizes {
  offsets: number;
  lengths: number;
}

/**
 * Thrown when the bytes a structure needs are not in memory yet and the source can only read
 * asynchronously (a Blob): the caller loads them (`FileBytes.load`) and reads the structure
 * again. Never reaches a user; if it escapes, it is an `Hdf5Unsupported` like any other.
 */
export class NeedBytes extends Hdf5Unsupported {
  constructor(
    readonly pos: number,
    readonly length: number,
  ) {
    super(`bytes [${pos}, ${pos + length}) not loaded`);
  }
}

/** The structure is read in pages of this size (HDF5 keeps a group's or dataset's metadata together). */
const PAGE_BYTES = 16 * 1024;
/** Pages kept at once while the structure is read (the least recently used go first). */
const MAX_PAGES = 4096;

/**
 * The file's bytes at absolute positions, for reading its structure. Addresses in the file are
 * relative to `base`. Bytes in memory are read in place; a source on disk is read a page at a
 * time as the structure is walked (the weights' bytes, most of a model file, are never read
 * here). Every read is bounds-checked (`Hdf5Unsupported` otherwise).
 */
export class FileBytes {
  readonly length: number;
  private readonly whole: Uint8Array | null;
  private readonly source: ByteSource | null;
  private readonly pages = new Map<number, Uint8Array>();

  constructor(
    input: ByteSource | Uint8Array,
    /** The superblock's base address (absolute): file addresses are relative to it. */
    public base = 0,
  ) {
    if (input instanceof Uint8Array) {
      this.whole = input;
      this.source = null;
    } else {
      this.whole = input instanceof MemorySource ? input.bytes : null;
      this.source = this.whole ? null : input;
    }
    this.length = this.whole?.length ?? this.source!.size;
  }

  /** Throws unless [at, at + n) lies inside the file. */
  check(at: number, n: number, what: string): void {
    if (!(Number.isSafeInteger(at) && Number.isSafeInteger(n) && at >= 0 && n >= 0 && at + n <= this.length)) {
      unsupported(`${what} (${n} bytes at ${at}) lies outside the ${this.length}-byte file`);
    }
  }

  /** The absolute position of a file address, checked to hold `n` bytes. */
  at(address: number, n: number, what: string): number {
    const pos = this.base + address;
    this.check(pos, n, what);
    return pos;
  }

  u8(pos: number): number {
    this.check(pos, 1, 'a byte');
    if (this.whole) return this.whole[pos];
    const [b, o] = this.range(pos, 1);
    return b[o];
  }

  u16(pos: number): number {
    this.check(pos, 2, 'a 2-byte field');
    // Bytes in memory are read without the page lookup (most files: the structure of small ones).
    const w = this.whole;
    if (w) return w[pos] | (w[pos + 1] << 8);
    const [b, o] = this.range(pos, 2);
    return b[o] | (b[o + 1] << 8);
  }

  u32(pos: number): number {
    this.check(pos, 4, 'a 4-byte field');
    const w = this.whole;
    if (w) return (w[pos] | (w[pos + 1] << 8) | (w[pos + 2] << 16)) + w[pos + 3] * 0x1000000;
    const [b, o] = this.range(pos, 4);
    return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
  }

  /**
   * An unsigned integer of 1, 2, 4 or 8 bytes. 8-byte values beyond 2^53 are only meaningful as
   * the "undefined address" (all ones), returned as `UNDEFINED`; other huge values are refused.
   */
  uint(pos: number, size: number): number {
    switch (size) {
      case 1:
        return this.u8(pos);
      case 2:
        return this.u16(pos);
      case 4:
        return this.u32(pos);
      case 8: {
        this.check(pos, 8, 'an 8-byte field');
        const low = this.u32(pos);
        const high = this.u32(pos + 4);
        if (low === 0xffffffff && high === 0xffffffff) return UNDEFINED;
        if (high > 0x1fffff) unsupported(`a value of ${BigInt(high) * 2n ** 32n + BigInt(low)} is beyond what a file address can be`);
        return high * 2 ** 32 + low;
      }
      default:
        return unsupported(`a ${size}-byte integer field`);
    }
  }

  /** An address (undefined addresses of 2- and 4-byte offsets are all ones too). */
  address(pos: number, sizes: Sizes): number {
    const v = this.uint(pos, sizes.offsets);
    return v === 2 ** (8 * sizes.offsets) - 1 ? UNDEFINED : v;
  }

  /** A length field (sizes.lengths bytes). */
  lengthAt(pos: number, sizes: Sizes): number {
    const v = this.uint(pos, sizes.lengths);
    if (v === UNDEFINED) unsupported('a length of all ones');
    return v;
  }

  /** True if the bytes at `pos` spell `signature` (e.g. 'TREE'). */
  hasSignature(pos: number, signature: string): boolean {
    if (pos < 0 || pos + signature.length > this.length) return false;
    const [b, o] = this.range(pos, signature.length);
    for (let i = 0; i < signature.length; i++) if (b[o + i] !== signature.charCodeAt(i)) return false;
    return true;
  }

  /** Bytes [pos, pos + n): a view where they are in one piece, else a copy. Never change them. */
  sub(pos: number, n: number): Uint8Array {
    this.check(pos, n, 'a byte range');
    const [b, o] = this.range(pos, n);
    return b.subarray(o, o + n);
  }

  /** Reads the pages holding [pos, pos + n) from a source that reads only asynchronously. */
  async load(pos: number, n: number): Promise<void> {
    const source = this.source;
    if (source === null) return;
    for (let index = Math.floor(pos / PAGE_BYTES); index * PAGE_BYTES < pos + n; index++) {
      if (this.pages.has(index)) continue;
      const start = index * PAGE_BYTES;
      this.keep(index, await source.read(start, Math.min(PAGE_BYTES, this.length - start)));
    }
  }

  /** Drops every page (once the structure is read, the pages are no longer needed). */
  release(): void {
    this.pages.clear();
  }

  /** An array holding [pos, pos + n) (already bounds-checked) and the index of `pos` in it. */
  private range(pos: number, n: number): [Uint8Array, number] {
    if (this.whole) return [this.whole, pos];
    if (n === 0) return [new Uint8Array(0), 0];
    const first = Math.floor(pos / PAGE_BYTES);
    const last = Math.floor((pos + Math.max(n, 1) - 1) / PAGE_BYTES);
    if (first === last) return [this.page(first), pos - first * PAGE_BYTES];
    const out = new Uint8Array(n);
    for (let index = first; index <= last; index++) {
      const page = this.page(index);
      const start = index * PAGE_BYTES;
      const from = Math.max(pos, start);
      const to = Math.min(pos + n, start + page.length);
      out.set(page.subarray(from - start, to - start), from - pos);
    }
    return [out, 0];
  }

  private page(index: number): Uint8Array {
    const cached = this.pages.get(index);
    if (cached) {
      // Most recently used last: Map keeps insertion order.
      this.pages.delete(index);
      this.pages.set(index, cached);
      return cached;
    }
    const start = index * PAGE_BYTES;
    const length = Math.min(PAGE_BYTES, this.length - start);
    const source = this.source!;
    if (!source.readSync) throw new NeedBytes(start, length);
    const page = source.readSync(start, length);
    this.keep(index, page);
    return page;
  }

  private keep(index: number, page: Uint8Array): void {
    this.pages.set(index, page);
    if (this.pages.size > MAX_PAGES) this.pages.delete(this.pages.keys().next().value as number);
  }
}

/** HDF5's "undefined address" (all ones), as a number no real address can be. */
export const UNDEFINED = -1;

/** Bytes scanned or decoded that count as one step of work. */
const BYTES_PER_STEP = 64;

/**
 * A count of work done against a fixed allowance: object headers, B-tree nodes, heap blocks,
 * and bytes scanned (names, attribute values, checksums). Real Keras files need a few thousand
 * steps; a damaged file that loops, fans out or makes the same bytes be read again and again
 * stops here.
 */
export class Budget {
  private used = 0;

  constructor(private readonly limit: number) {}

  spend(what: string, n = 1): void {
    this.used += n;
    if (this.used > this.limit) unsupported(`more than ${this.limit} steps reading ${what}`);
  }

  /** The work done so far, to undo a structure's reading that must be repeated. */
  mark(): number {
    return this.used;
  }

  reset(mark: number): void {
    this.used = mark;
  }

  /** Work proportional to `n` bytes scanned or decoded. */
  spendBytes(what: string, n: number): void {
    this.spend(what, Math.ceil(n / BYTES_PER_STEP));
  }
}
