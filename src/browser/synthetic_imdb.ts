/**
 * The browser's twin of src/data/synthetic_imdb.ts: the bundled set is files inside the package,
 * which a page does not have. Fetch its .npy files and read them with `readNpy` instead.
 */
import type { ImdbData } from '../data/imdb.js';
import { needFileSystem } from './platform.js';

/** Where the set lies inside the package (a page serves it from wherever it copied it). */
export const SYNTHETIC_IMDB_DIR = 'fixtures/imdb_synthetic';

export function loadSyntheticImdb(dir = SYNTHETIC_IMDB_DIR): ImdbData {
  return needFileSystem(`loadSyntheticImdb('${dir}')`, 'fetch its .npy files and read them with readNpy');
}
