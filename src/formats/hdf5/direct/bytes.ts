/**
 * Bounds-checked little-endian reads of an HDF5 file's bytes, for the direct (pure TypeScript)
 * HDF5 reader. Every read of the direct reader goes through here, so a damaged offset or length
 * can never read outside the file: it ends the direct reading with `Hdf5Unsupported`, and the
 * file is then handed to the HDF5 library instead (which reports the damage its own way).
 */

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

/** The whole file, read at absolute positions. Addresses in the file are relative to `base`. */
export class FileBytes {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    /** The superblock's base address (absolute): file addresses are relative to it. */
    public base = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Throws unless [at, at + n) lies inside the file. */
  check(at: number, n: number, what: string): void {
    if (!(Number.isSafeInteger(at) && Number.isSafeInteger(n) && at >= 0 && n >= 0 && at + n <= this.bytes.length)) {
      unsupported(`${what} (${n} bytes at ${at}) lies outside the ${this.bytes.length}-byte file`);
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
    return this.view.getUint8(pos);
  }

  u16(pos: number): number {
    this.check(pos, 2, 'a 2-byte field');
    return this.view.getUint16(pos, true);
  }

  u32(pos: number): number {
    this.check(pos, 4, 'a 4-byte field');
    return this.view.getUint32(pos, true);
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
        const v = this.view.getBigUint64(pos, true);
        if (v === 0xffff_ffff_ffff_ffffn) return UNDEFINED;
        if (v > BigInt(Number.MAX_SAFE_INTEGER)) unsupported(`a value of ${v} is beyond what a file address can be`);
        return Number(v);
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

  /** True if the 4 bytes at `pos` spell `signature` (e.g. 'TREE'). */
  hasSignature(pos: number, signature: string): boolean {
    if (pos < 0 || pos + signature.length > this.bytes.length) return false;
    for (let i = 0; i < signature.length; i++) if (this.bytes[pos + i] !== signature.charCodeAt(i)) return false;
    return true;
  }

  /** Bytes [pos, pos + n) without copying. */
  sub(pos: number, n: number): Uint8Array {
    this.check(pos, n, 'a byte range');
    return this.bytes.subarray(pos, pos + n);
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

  /** Work proportional to `n` bytes scanned or decoded. */
  spendBytes(what: string, n: number): void {
    this.spend(what, Math.ceil(n / BYTES_PER_STEP));
  }
}
