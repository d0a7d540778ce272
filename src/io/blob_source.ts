/**
 * A Blob as a `ByteSource`: a File a page was given (an <input>, a drop, a folder pick), a Blob
 * a program made, or Node's `fs.openAsBlob`. Browser-safe. A File is read where the readers ask
 * (`blob.slice(a, b).arrayBuffer()`), never whole unless it is small: a 500 MB model picked in a
 * page is not copied into memory to be converted. A Blob has no synchronous read.
 */
import { ErrorCode, convertError } from '../errors.js';
import { checkRange, wholeIfSmall, type ByteSource, type IntoReadable, type OpenOptions } from './byte_source.js';

export class BlobSource implements IntoReadable {
  /** Each read is a new ArrayBuffer of its own. */
  readonly ownership = 'fresh' as const;
  readonly size: number;

  constructor(
    private readonly blob: Blob,
    readonly name: string,
  ) {
    this.size = blob.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await this.blob.slice(offset, offset + length).arrayBuffer());
    } catch (e) {
      // A picked File that changed or vanished on disk since (NotReadableError in browsers).
      throw convertError(ErrorCode.FILE_NOT_FOUND, this.name, `cannot be read (${e instanceof Error ? e.message : String(e)})`);
    }
    if (bytes.length !== length) throw convertError(ErrorCode.FILE_NOT_FOUND, this.name, 'cannot be read (the file ended early: it changed while being read)');
    return bytes;
  }

  /** A Blob gives a buffer of its own: this copies it into `into`. */
  async readInto(into: Uint8Array, offset: number): Promise<Uint8Array> {
    into.set(await this.read(offset, into.length));
    return into;
  }

  async close(): Promise<void> {}
}

/** `blob` as a source, as files are opened: read whole when small (aligned), by ranges otherwise. */
export function openBlobSource(blob: Blob, name: string, options: OpenOptions = {}): Promise<ByteSource> {
  return wholeIfSmall(new BlobSource(blob, name), options);
}
