/**
 * A Blob as a `ByteSource`: a File a page was given (an <input>, a drop, a folder pick), a Blob
 * a program made, or Node's `fs.openAsBlob`. Browser-safe. A File is read where the readers ask
 * (`blob.slice(a, b).arrayBuffer()`), never whole unless it is small: a 500 MB model picked in a
 * page is not copied into memory to be converted. A Blob has no synchronous read.
 */
import { ErrorCode, convertError } from '../errors.js';
import { checkRange, MemorySource, placementPadding, WHOLE_READ_MAX_BYTES, type ByteSource, type OpenOptions } from './byte_source.js';

export class BlobSource implements ByteSource {
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

  async close(): Promise<void> {}
}

/**
 * `blob` as a source, as files are opened (file_source.ts): read whole into memory, placed as
 * `alignment` asks, when it is at most `wholeReadMax` bytes; otherwise read by ranges.
 */
export async function openBlobSource(blob: Blob, name: string, options: OpenOptions = {}): Promise<ByteSource> {
  const source = new BlobSource(blob, name);
  if (source.size > (options.wholeReadMax ?? WHOLE_READ_MAX_BYTES)) return source;
  const pad = await placementPadding(source, options.alignment);
  const whole = await source.read(0, source.size);
  if (pad === 0) return new MemorySource(whole, name, 'shared');
  const placed = new Uint8Array(new ArrayBuffer(pad + source.size), pad, source.size);
  placed.set(whole);
  return new MemorySource(placed, name, 'shared');
}
