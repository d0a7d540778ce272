import { defineConfig } from 'vitest/config';

/**
 * `npm run test:corpus`: the converter on the third-party model corpus (../shared/corpus beside
 * the clone, or KERAS2TFJS_CORPUS). Kept out of `npm test`, which needs nothing outside the repo.
 */
export default defineConfig({
  test: {
    include: ['test/corpus/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/corpus/require_corpus.ts'],
  },
});
