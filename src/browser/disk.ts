/**
 * The browser's twin of src/io/disk.ts. A page never reaches these with a path: the converter's
 * entry points refuse a path string first (NOT_IN_BROWSER); they fail the same way if reached.
 * The path helpers work on '/'-separated names (a picked folder's files are named that way).
 */
import type * as disk from '../io/disk.js';
import { needFileSystem } from './platform.js';

const FIX = 'pass the bytes, a File or Blob, a Response or a URL';

export const open = ((path: string) => needFileSystem(`'${path}'`, FIX)) as unknown as typeof disk.open;
export const readdir = ((path: string) => needFileSystem(`'${path}'`, FIX)) as unknown as typeof disk.readdir;
export const readFile = ((path: string) => needFileSystem(`'${path}'`, FIX)) as unknown as typeof disk.readFile;
export const stat = ((path: string) => needFileSystem(`'${path}'`, FIX)) as unknown as typeof disk.stat;

export const sep = '/';

export function join(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/').replace(/\/+/g, '/');
}

/** `to` relative to `from`, for names below it (the only use: a file inside the model folder). */
export function relative(from: string, to: string): string {
  const base = from.replace(/\/+$/, '');
  return to === base ? '' : to.startsWith(`${base}/`) ? to.slice(base.length + 1) : to;
}
