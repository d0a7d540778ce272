/**
 * The browser's answer to src/platform.ts: no file system. A path string given to keras2tfjs
 * fails at once with NOT_IN_BROWSER, saying what to pass instead.
 */
import { ErrorCode, Keras2TfjsError, oneLine } from '../errors.js';

/** A page reads what it is given (bytes, Files, Responses, URLs); it has no paths. */
export const HAS_FILE_SYSTEM = false;

/** Throws NOT_IN_BROWSER naming `subject` (what was asked) and `fix` (what to pass instead). */
export function needFileSystem(subject: string, fix: string): never {
  throw new Keras2TfjsError(ErrorCode.NOT_IN_BROWSER, oneLine(`${subject}: a browser has no file system to read or write paths on; ${fix}`));
}

/** A `file:` URL names a path on a disk a page cannot read. */
export function pathOfFileUrl(url: URL): string {
  return needFileSystem(`'${url.href}'`, 'pass the file itself: a File or Blob, its bytes, a fetch Response or an http(s) URL');
}
