/**
 * The disk, for the code that looks at paths (a model folder's entries, a SavedModel's layout, a
 * parity fixture): the functions of node:fs and node:path it uses, in one place, so that browser
 * bundles can put src/browser/disk.ts in its place (package.json "browser"). Files themselves are
 * opened by file_source.ts. Node only.
 */
export { readdir, readFile, stat } from 'node:fs/promises';
export { join, relative, sep } from 'node:path';
