import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The third-party corpus suite needs ../shared/corpus: its own command, `npm run test:corpus`.
    exclude: ['test/corpus/**', '**/node_modules/**'],
    // Parity and converter tests run real tfjs math on 2 cores: give them room.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One file per worker keeps tfjs' global backend state from leaking between files.
    pool: 'forks',
  },
});
