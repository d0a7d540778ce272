/**
 * The browser's twin of src/io/disk.ts. A page has no disk: paths it can read are those of a
 * folder it was given as files (src/browser/mounts.ts), each File read only where asked. Any
 * other path fails with NOT_IN_BROWSER (the converter's entry points refuse a path string before
 * it gets here). The path helpers work on '/'-separated names.
 */
import type * as disk from '../io/disk.js';
import { lookup, type Entry } from './mounts.js';
import { needFileSystem } from './platform.js';

const FIX = 'pass the file itself: a File or Blob, its bytes, a fetch Response or a URL';

/** The mounted entry at `path`; ENOENT as Node's fs says it, or NOT_IN_BROWSER outside any mount. */
function entry(path: string): Exclude<Entry, { kind: 'missing' }> {
  const found = lookup(path);
  if (found === null) return needFileSystem(`'${path}'`, FIX);
  if (found.kind === 'missing') throw Object.assign(new Error(`ENOENT: no such file or directory, '${path}'`), { code: 'ENOENT' });
  return found;
}

function file(path: string): Blob {
  const e = entry(path);
  if (e.kind !== 'file') throw Object.assign(new Error(`EISDIR: illegal operation on a directory, '${path}'`), { code: 'EISDIR' });
  return e.blob;
}

function statsOf(e: Exclude<Entry, { kind: 'missing' }>) {
  return { isDirectory: () => e.kind === 'dir', isFile: () => e.kind === 'file', size: e.kind === 'file' ? e.blob.size : 0 };
}

async function bytesOf(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

export const stat = (async (path: string) => statsOf(entry(path))) as unknown as typeof disk.stat;

export const readdir = (async (path: string) => {
  const e = entry(path);
  if (e.kind !== 'dir') throw Object.assign(new Error(`ENOTDIR: not a directory, '${path}'`), { code: 'ENOTDIR' });
  return e.names;
}) as unknown as typeof disk.readdir;

export const readFile = (async (path: string, encoding?: string) => {
  const bytes = await bytesOf(file(path));
  return encoding ? new TextDecoder().decode(bytes) : bytes;
}) as unknown as typeof disk.readFile;

export const sep = '/';

export function join(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/').replace(/\/+/g, '/');
}

/** `to` relative to `from`, for names below it (the only use: a file inside the model folder). */
export function relative(from: string, to: string): string {
  const base = from.replace(/\/+$/, '');
  return to === base ? '' : to.startsWith(`${base}/`) ? to.slice(base.length + 1) : to;
}
