/** Paths inside an HDF5 file: absolute ('/a/b') or relative to the root, '/'-separated. */

export function joinPath(a: string, b: string): string {
  if (a === '/' || a === '') return `/${b}`;
  return `${a}/${b}`;
}

export function splitPath(path: string): string[] {
  return path.split('/').filter((p) => p !== '');
}
