/**
 * Where the demo's bundled inputs live: the Python-exported fixtures shipped with the package
 * (src/demo and dist/demo both sit two levels below the package root).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy, type NpyArray } from '../formats/numpy/npy.js';

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

/** The book's IMDB model with its hand-written Lambda(dropout), trained in Python Keras 3. */
export const SEED_MODEL = join(FIXTURES_DIR, 'seed_lambda', 'model.keras');
/** The same model with the Python ManualDropout(0.5, seed=1337): its masks can be replayed exactly. */
export const MANUAL_DROPOUT_MODEL = join(FIXTURES_DIR, 'manual_dropout_tf', 'model.keras');

export function readFixtureNpy(caseName: string, file: string): NpyArray {
  const path = join(FIXTURES_DIR, caseName, file);
  return readNpy(readFileSync(path), path);
}

export function readFixtureJson<T>(caseName: string): T {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, caseName, 'case.json'), 'utf8')) as T;
}
