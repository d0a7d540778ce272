/**
 * Where the third-party model corpus lives: `shared/corpus` beside the repository (as laid out
 * for development and for CI's fresh clone), or KERAS2TFJS_CORPUS. Read-only.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR =
  process.env.KERAS2TFJS_CORPUS ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'corpus');

/** Absolute path of one corpus entry. */
export function corpusPath(name: string): string {
  return join(CORPUS_DIR, name);
}
