/**
 * The browser's twin of src/io/file_source.ts. A page has no disk: the files it can open by path
 * are those of a folder it was given as files (src/browser/mounts.ts, a picked SavedModel or
 * unzipped .keras), each read by ranges as a BlobSource. Any other path fails with NOT_IN_BROWSER.
 */
import { ErrorCode, convertError } from '../errors.js';
import { BlobSource } from '../io/blob_source.js';
import { lookup } from './mounts.js';
import { needFileSystem } from './platform.js';

/** Counted by Node's FileSource only (tests of Node's reads); here for the same exports. */
export const fileReadStats = { bytesRead: 0 };

const FIX = 'pass the file itself: a File or Blob, its bytes, a fetch Response or a URL';

export class FileSource extends BlobSource {
  static async open(path: string): Promise<FileSource> {
    const file = await FileSource.openIfExists(path);
    if (file === null) throw convertError(ErrorCode.FILE_NOT_FOUND, path, 'no such file or directory');
    return file;
  }

  /** The mounted File at `path`; null where the folder has nothing; NOT_A_FILE for a folder. */
  static async openIfExists(path: string): Promise<FileSource | null> {
    const found = lookup(path);
    if (found === null) return needFileSystem(`'${path}'`, FIX);
    if (found.kind === 'missing') return null;
    if (found.kind === 'dir') throw convertError(ErrorCode.NOT_A_FILE, path, 'is a directory, not a regular file');
    return new FileSource(found.blob, path);
  }
}
