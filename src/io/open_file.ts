/**
 * A model's files opened by path, over FileSource (file_source.ts: pread in Node; in a browser
 * its twin opens the Files of a folder the page was given): a model file read whole when small
 * (placed so its weights are aligned) or by ranges, and the small files of a model (a config, a
 * checkpoint index) read whole within a bound.
 */
import { ErrorCode, convertError } from '../errors.js';
import { readSmallSource, wholeIfSmall, type ByteSource, type OpenOptions } from './byte_source.js';
import { FileSource } from './file_source.js';

/** `path` as a source: read whole when small, by ranges otherwise (see `wholeIfSmall`). */
export async function openFileSource(path: string, options: OpenOptions = {}): Promise<ByteSource> {
  return wholeIfSmall(await FileSource.open(path), options);
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
  return file === null ? null : readSmallSource(file, path, maxBytes, what, shownAs);
}
