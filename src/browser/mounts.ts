/**
 * Folders a page was given as files (picked with <input webkitdirectory>, dropped), served as a
 * read-only disk under a private root while they are read: src/browser/disk.ts answers the
 * readers' stat / readdir / readFile / open from here, reading each File only where asked.
 */

/** root → its files by '/'-separated path inside it. */
const mounts = new Map<string, Map<string, Blob>>();
let next = 0;

/** What `path` is in a mounted folder; null if it lies in none. */
export type Entry = { kind: 'file'; blob: Blob } | { kind: 'dir'; names: string[] } | { kind: 'missing' };

/** Serves `files` under a new root until the returned function is called. */
export function mount(name: string, files: Map<string, Blob>): { root: string; unmount(): void } {
  const root = `/.keras2tfjs-picked-${++next}/${name}`;
  mounts.set(root, files);
  return { root, unmount: () => mounts.delete(root) };
}

export function lookup(path: string): Entry | null {
  for (const [root, files] of mounts) {
    if (path !== root && !path.startsWith(`${root}/`)) continue;
    const inside = path.slice(root.length + 1).replace(/\/+$/, '');
    const blob = files.get(inside);
    if (blob) return { kind: 'file', blob };
    const prefix = inside === '' ? '' : `${inside}/`;
    const names = new Set([...files.keys()].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).split('/')[0]));
    return names.size > 0 ? { kind: 'dir', names: [...names].sort() } : { kind: 'missing' };
  }
  return null;
}
