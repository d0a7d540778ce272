/**
 * The corpus suite stops before any test when the corpus is missing: one line saying where it
 * looked and how to point at it (a suite that "passes" with nothing to read would prove nothing).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR } from '../helpers/corpus.js';

export default function requireCorpus(): void {
  if (!existsSync(join(CORPUS_DIR, 'CORPUS.tsv'))) {
    throw new Error(
      `the third-party model corpus is not at ${CORPUS_DIR} (no CORPUS.tsv): put it at ../shared/corpus beside the clone, ` +
        'or set KERAS2TFJS_CORPUS=/path/to/corpus. `npm test` does not need it.',
    );
  }
}
