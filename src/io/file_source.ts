/**
 * Files on disk as `ByteSource`s (Node only): the one place the converter opens an input file.
 *
 * Only regular files are read: their size is known before reading, so every reader can check
 * what a file declares against what it holds. A device (/dev/zero), a pipe or a socket, also
 * when reached through a symlink inside a model folder, is refused at once with NOT_A_FILE:
 * reading one has no end (/dev/zero grows memory without limit) or waits forever (a FIFO with
 * no writer). Opening uses O_NONBLOCK so that even opening a FIFO cannot wait; the kind of file
 * is then checked on the open descriptor (fstat), so a path swapped after a check cannot slip
 * through.
 *
 * Reads are `pread`s of at most 1 GiB each: Node's fs binding takes a 32-bit length (a longer
 * one aborts the process), and positions beyond 4 GiB are plain numbers.
 */
import { constants, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ErrorCode, Keras2TfjsError, convertError } from '../errors.js';
import { takeBuffer } from './buffer_pool.js';
import { checkRange, MemorySource, type ByteSource } from './byte_source.js';

/** The longest single read: Node's fs binding takes a 32-bit length. */
const MAX_READ_BYTES = 1 << 30;

/** The reads one read of `length` bytes is made of: [start, length] of each, at most 1 GiB. */
function* steps(length: number): Iterable<[number, number]> {
  for (let at = 0; at < length; at += MAX_READ_BYTES) yield [at, Math.min(MAX_READ_BYTES, length - at)];
}

/** What kind of file a non-regular path is, for the message. */
function kindOf(stats: import('node:fs').Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Total bytes every FileSource of this process has read (tests check reads stay bounded). */
export const fileReadStats = { bytesRead: 0 };

/** A regular file read by ranges (pread); every read returns a buffer of its own. */
export class FileSource implements ByteSource {
  readonly ownership = 'fresh' as const;
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    readonly name: string,
    readonly size: number,
  ) {}

  /** Opens `path` if it is a regular file (symlinks followed); NOT_A_FILE / FILE_NOT_FOUND otherwise. */
  static async open(path: string): Promise<FileSource> {
    const file = await FileSource.openIfExists(path);
    if (file === null) throw convertError(ErrorCode.FILE_NOT_FOUND, path, 'no such file or directory');
    return file;
  }

  /** As `open`, but null when nothing is at `path`. */
  static async openIfExists(path: string): Promise<FileSource | null> {
    let handle: FileHandle;
    try {
      // O_NONBLOCK: opening a FIFO without a writer returns at once (it has no effect on files).
      handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      if (code === 'ENXIO') throw notAFile(path, 'a socket or a device with nothing behind it');
      throw convertError(ErrorCode.FILE_NOT_FOUND, path, `cannot be read (${code ?? (e as Error).message})`);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw notAFile(path, kindOf(stats));
      return new FileSource(handle, path, stats.size);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    return this.readInto(takeBuffer(length), offset);
  }

  /** Fills `into` with the bytes from `offset` on; returns it. */
  async readInto(into: Uint8Array, offset: number): Promise<Uint8Array> {
    checkRange(this, offset, into.length);
    for (const [at, n] of steps(into.length)) {
      this.expect(n, await this.handle.read(into, at, n, offset + at).then((r) => r.bytesRead, (e: unknown) => Promise.reject(this.unreadable(e))));
    }
    fileReadStats.bytesRead += into.length;
    return into;
  }

  readSync(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    const out = takeBuffer(length);
    for (const [at, n] of steps(length)) {
      let bytesRead: number;
      try {
        bytesRead = readSync(this.handle.fd, out, at, n, offset + at);
      } catch (e) {
        throw this.unreadable(e);
      }
      this.expect(n, bytesRead);
    }
    fileReadStats.bytesRead += length;
    return out;
  }

  /** A pread of a regular file is short only at its end: the file shrank while read. */
  private expect(wanted: number, got: number): void {
    if (got !== wanted) throw this.endedEarly();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }

  private endedEarly(): Keras2TfjsError {
    return convertError(ErrorCode.FILE_NOT_FOUND, this.name, 'cannot be read (the file ended early: it changed while being read)');
  }

  private unreadable(e: unknown): Keras2TfjsError {
    const err = e as NodeJS.ErrnoException;
    return convertError(ErrorCode.FILE_NOT_FOUND, this.name, `cannot be read (${err.code ?? err.message})`);
  }
}

function notAFile(path: string, kind: string): Keras2TfjsError {
  return convertError(
    ErrorCode.NOT_A_FILE, path,
    `is ${kind}, not a regular file; only files whose size is known are read: save the model to a file and pass that file`,
  );
}

/**
 * Files up to this size are read whole into memory, in one read: their weights are then views
 * of those bytes (no read per weight, the fastest way for a model of ~100 MB). Larger files are
 * read by ranges, weight by weight. At 128 MiB, a file read whole still keeps the process within
 * the bound streaming promises (the largest tensor + 256 MB), whatever its tensors.
 */
export const WHOLE_READ_MAX_BYTES = 128 * 1024 * 1024;

/** How much of a file's start `alignment` sees. */
const HEAD_BYTES = 64 * 1024;
const ALIGNMENT = 8;

export interface OpenOptions {
  /** Files up to this many bytes are read whole (default WHOLE_READ_MAX_BYTES). */
  wholeReadMax?: number;
  /**
   * For a file read whole: from its first 64 KiB, the offset of the bytes to place on an
   * 8-byte boundary in memory, or null. A typed array starts at a multiple of its element size,
   * so float32 weights are viewed in place only where they are aligned (a .keras zip puts
   * model.weights.h5 wherever it ends up, e.g. at byte 4151: read plainly, every weight would be
   * copied). A placement hint only: wrong or null, the weights are copied as before.
   */
  alignment?: (head: Uint8Array) => number | null;
}

/**
 * `path` as a source: read whole into memory when it is at most `wholeReadMax` bytes (then
 * reads are views of one buffer of our own, placed as `alignment` asks), otherwise opened for
 * reading by ranges.
 */
export async function openFileSource(path: string, options: OpenOptions = {}): Promise<ByteSource> {
  const file = await FileSource.open(path);
  if (file.size > (options.wholeReadMax ?? WHOLE_READ_MAX_BYTES)) return file;
  try {
    let pad = 0;
    if (options.alignment && file.size > HEAD_BYTES) {
      const at = options.alignment(file.readSync(0, HEAD_BYTES));
      pad = at === null ? 0 : (ALIGNMENT - (at % ALIGNMENT)) % ALIGNMENT;
    }
    const bytes = await file.readInto(new Uint8Array(new ArrayBuffer(pad + file.size), pad, file.size), 0);
    return new MemorySource(bytes, path, 'shared');
  } finally {
    await file.close();
  }
}

/**
 * A small file's whole content (a config.json, a keras_metadata.pb, a checkpoint index):
 * refused with RESOURCE_LIMIT beyond `maxBytes`, which no genuine file of its kind reaches.
 * `shownAs` names the file in messages (default: its path).
 */
export async function readSmallFile(path: string, maxBytes: number, what: string, shownAs: string = path): Promise<Uint8Array> {
  const bytes = await readSmallFileIfExists(path, maxBytes, what, shownAs);
  if (bytes === null) throw convertError(ErrorCode.FILE_NOT_FOUND, path, 'no such file or directory');
  return bytes;
}

/** As `readSmallFile`, but null when nothing is at `path`. */
export async function readSmallFileIfExists(path: string, maxBytes: number, what: string, shownAs: string = path): Promise<Uint8Array | null> {
  const file = await FileSource.openIfExists(path);
  if (file === null) return null;
  try {
    if (file.size > maxBytes) {
      throw new Keras2TfjsError(
        ErrorCode.RESOURCE_LIMIT,
        `${shownAs}: is ${file.size} bytes, more than the ${maxBytes} bytes a ${what} may have; this is not a genuine ${what}`,
        { file: path },
      );
    }
    return await file.read(0, file.size);
  } finally {
    await file.close();
  }
}
