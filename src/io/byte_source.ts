/**
 * What every format reader reads: a random-access, read-only run of bytes whose size is known
 * before the first byte is read. Readers ask for ranges, so a model of any size is read piece
 * by piece: its structure first, then each weight where it lies, never the whole file at once.
 *
 * Two implementations: `MemorySource` (here: bytes already in memory, e.g. what `convert` was
 * given) and `FileSource` (file_source.ts, Node only: a regular file read with pread). A browser
 * can add one over a Blob (`blob.slice(a, b).arrayBuffer()`), which has only the async `read`.
 * This module stays free of Node: the format readers in src/formats import it.
 */

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
