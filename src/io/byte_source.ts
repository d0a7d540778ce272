/**
 * What every format reader reads: a random-access, read-only run of bytes whose size is known
 * before the first byte is read. Readers ask for ranges, so a model of any size is read piece
 * by piece: its structure first, then each weight where it lies, never the whole file at once.
 *
 * Two implementations: `MemorySource` (here: bytes already in memory, e.g. what `convert` was
 * given) and `FileSource` (file_source.ts, Node only: a regular file read with pread). `BlobSource`
 * (blob_source.ts) reads a Blob or a page's File by `blob.slice(a, b).arrayBuffer()`, async only.
 * This module stays free of Node: the format readers in src/formats import it.
 */
import { ErrorCode, Keras2TfjsError } from '../errors.js';

/**
 * Who may keep, and give away, what `read` returns:
 * - 'fresh':    every read is a new buffer of its own (a file read with pread): keep it, move it.
 * - 'shared':   reads are views of one buffer the source owns and nobody changes (a file we read
 *               whole): keep them, but never detach their buffer.
 * - 'borrowed': reads are views of the caller's memory: copy what you keep.
 */
export type ReadOwnership = 'fresh' | 'shared' | 'borrowed';

export interface ByteSource {
  /** The name messages give it (a path, or '<memory>'). */
  readonly name: string;
  /** Its length in bytes, known before reading (a pipe or a device is never a ByteSource). */
  readonly size: number;
  readonly ownership: ReadOwnership;
  /**
   * Bytes [offset, offset + length), all of them, or a rejection (a range outside the source,
   * an I/O error). Do not change what is returned (it may be a view, see `ownership`).
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** The same, synchronously, where the source can (memory, files); a Blob cannot. */
  readSync?(offset: number, length: number): Uint8Array;
  /** Releases what the source holds open (a file descriptor); reading after it fails. */
  close(): Promise<void>;
}

/** Throws unless [offset, offset + length) is a whole range inside a source of `size` bytes. */
export function checkRange(source: { name: string; size: number }, offset: number, length: number): void {
  if (!(Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 && offset + length <= source.size)) {
    throw new RangeError(`${source.name}: bytes [${offset}, ${offset + length}) lie outside its ${source.size} bytes`);
  }
}

/** Bytes already in memory, read by views (no copies). */
export class MemorySource implements ByteSource {
  readonly size: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly name = '<memory>',
    readonly ownership: ReadOwnership = 'borrowed',
  ) {
    this.size = bytes.length;
  }

  readSync(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    return this.bytes.subarray(offset, offset + length);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    return this.readSync(offset, length);
  }

  async close(): Promise<void> {}
}

/**
 * A window [start, start + size) of another source, as a source of its own (a stored zip
 * member inside its archive). Closing it leaves the parent open.
 */
export class WindowSource implements ByteSource {
  readonly ownership: ReadOwnership;

  constructor(
    private readonly parent: ByteSource,
    private readonly start: number,
    readonly size: number,
    readonly name: string,
  ) {
    checkRange(parent, start, size);
    this.ownership = parent.ownership;
    if (parent.readSync) this.readSync = (offset, length) => (checkRange(this, offset, length), parent.readSync!(start + offset, length));
  }

  readSync?: (offset: number, length: number) => Uint8Array;

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    return this.parent.read(this.start + offset, length);
  }

  async close(): Promise<void> {}
}

/** A copy of `bytes` if the source lent them (so they can be kept), else `bytes` themselves. */
export function keepable(bytes: Uint8Array, ownership: ReadOwnership): Uint8Array {
  return ownership === 'borrowed' ? bytes.slice() : bytes;
}

/** The whole source in one buffer (only for sources known to be small enough). */
export function readAll(source: ByteSource): Promise<Uint8Array> {
  return source.read(0, source.size);
}

/**
 * Files and Blobs up to this size are read whole into memory, in one read: their weights are
 * then views of those bytes (no read per weight, the fastest way for a model of ~100 MB). Larger
 * ones are read by ranges, weight by weight. At 128 MiB, an input read whole still keeps the
 * process within the bound streaming promises (the largest tensor + 256 MB), whatever its tensors.
 */
export const WHOLE_READ_MAX_BYTES = 128 * 1024 * 1024;

/** How much of an input's start `alignment` sees. */
const HEAD_BYTES = 64 * 1024;
const ALIGNMENT = 8;

export interface OpenOptions {
  /** Inputs up to this many bytes are read whole (default WHOLE_READ_MAX_BYTES). */
  wholeReadMax?: number;
  /**
   * For an input read whole: from its first 64 KiB, the offset of the bytes to place on an
   * 8-byte boundary in memory, or null. A typed array starts at a multiple of its element size,
   * so float32 weights are viewed in place only where they are aligned (a .keras zip puts
   * model.weights.h5 wherever it ends up, e.g. at byte 4151: read plainly, every weight would be
   * copied). A placement hint only: wrong or null, the weights are copied as before.
   */
  alignment?: (head: Uint8Array) => number | null;
}

/** Bytes to put before `source`'s first byte in memory so that what `alignment` names is aligned. */
export async function placementPadding(source: ByteSource, alignment: OpenOptions['alignment']): Promise<number> {
  if (!alignment || source.size <= HEAD_BYTES) return 0;
  const at = alignment(await source.read(0, HEAD_BYTES));
  return at === null ? 0 : (ALIGNMENT - (at % ALIGNMENT)) % ALIGNMENT;
}

/** A source that reads straight into a buffer it is given (a file: no copy). */
export interface IntoReadable extends ByteSource {
  /** Fills `into` with the bytes from `offset` on; returns it. */
  readInto(into: Uint8Array, offset: number): Promise<Uint8Array>;
}

/**
 * `source` read whole into memory when it is at most `wholeReadMax` bytes (then reads are views
 * of one buffer of our own, placed as `alignment` asks; `source` is closed), otherwise `source`
 * itself, read by ranges.
 */
export async function wholeIfSmall(source: IntoReadable, options: OpenOptions = {}): Promise<ByteSource> {
  if (source.size > (options.wholeReadMax ?? WHOLE_READ_MAX_BYTES)) return source;
  try {
    const pad = await placementPadding(source, options.alignment);
    const bytes = await source.readInto(new Uint8Array(new ArrayBuffer(pad + source.size), pad, source.size), 0);
    return new MemorySource(bytes, source.name, 'shared');
  } finally {
    await source.close();
  }
}

/**
 * A small input's whole content (a config.json, a keras_metadata.pb, a checkpoint index),
 * `source` closed after: refused with RESOURCE_LIMIT beyond `maxBytes`, which no genuine file of
 * its kind reaches. `path` is the error's file, `shownAs` names it in the message.
 */
export async function readSmallSource(source: ByteSource, path: string, maxBytes: number, what: string, shownAs: string): Promise<Uint8Array> {
  try {
    if (source.size > maxBytes) {
      throw new Keras2TfjsError(
        ErrorCode.RESOURCE_LIMIT,
        `${shownAs}: is ${source.size} bytes, more than the ${maxBytes} bytes a ${what} may have; this is not a genuine ${what}`,
        { file: path },
      );
    }
    return await source.read(0, source.size);
  } finally {
    await source.close();
  }
}
