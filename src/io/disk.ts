/**
 * The disk, for the readers that take paths (a model file or folder, a SavedModel's files): the
 * functions of node:fs and node:path they use, in one place, so that browser bundles can put
 * src/browser/disk.ts in its place (package.json "browser"). Node only.
 */
export { open, readdir, readFile, stat } from 'node:fs/promises';
export { join, relative, sep } from 'node:path';
