/**
 * The browser's twin of src/io/file_source.ts. A page has no disk: the files it can open by path
 * are those of a folder it was given as files (src/browser/mounts.ts, a picked SavedModel or
 * unzipped .keras), each read by ranges as a BlobSource. Any other path fails with NOT_IN_BROWSER.
 */
import { ErrorCode, convertError } from '../errors.js';
import { BlobSource, openBlobSource } from '../io/blob_source.js';
import { readSmallSource, type ByteSource, type OpenOptions } from '../io/byte_source.js';
import { lookup } from './mounts.js';
import { needFileSystem } from './platform.js';

export { WHOLE_READ_MAX_BYTES, type OpenOptions } from '../io/byte_source.js';

/** Counted by Node's FileSource only (tests of Node's reads); here for the same exports. */
export const fileReadStats = { bytesRead: 0 };

const FIX = 'pass the file itself: a File or Blob, its bytes, a fetch Response or a URL';

/** The mounted File at `path`; null where the folder has nothing; NOT_A_FILE for a folder. */
function mountedFile(path: string): Blob | null {
  const found = lookup(path);
  if (found === null) return needFileSystem(`'${path}'`, FIX);
  if (found.kind === 'missing') return null;
  if (found.kind === 'dir') throw convertError(ErrorCode.NOT_A_FILE, path, 'is a directory, not a regular file');
  return found.blob;
}

export class FileSource extends BlobSource {
  static async open(path: string): Promise<FileSource> {
    const file = await FileSource.openIfExists(path);
    if (file === null) throw convertError(ErrorCode.FILE_NOT_FOUND, path, 'no such file or directory');
    return file;
  }

  static async openIfExists(path: string): Promise<FileSource | null> {
    const blob = mountedFile(path);
    return blob === null ? null : new FileSource(blob, path);
  }

  /** Fills `into` with the bytes from `offset` on; returns it. */
  async readInto(into: Uint8Array, offset: number): Promise<Uint8Array> {
    into.set(await this.read(offset, into.length));
    return into;
  }
}

export async function openFileSource(path: string, options: OpenOptions = {}): Promise<ByteSource> {
  const blob = mountedFile(path);
  if (blob === null) throw convertError(ErrorCode.FILE_NOT_FOUND, path, 'no such file or directory');
  return openBlobSource(blob, path, options);
}

export async function readSmallFile(path: string, maxBytes: number, what: string, shownAs: string = path): Promise<Uint8Array> {
  const bytes = await readSmallFileIfExists(path, maxBytes, what, shownAs);
  if (bytes === null) throw convertError(ErrorCode.FILE_NOT_FOUND, path, 'no such file or directory');
  return bytes;
}

export async function readSmallFileIfExists(path: string, maxBytes: number, what: string, shownAs: string = path): Promise<Uint8Array | null> {
  const file = await FileSource.openIfExists(path);
  return file === null ? null : readSmallSource(file, path, maxBytes, what, shownAs);
}
