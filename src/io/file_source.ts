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
import { checkRange, type ByteSource } from './byte_source.js';

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
