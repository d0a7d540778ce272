import { defineConfig } from 'vitest/config';

/**
 * The browser suite (npm run test:browser): keras2tfjs bundled by esbuild, Vite and webpack as an
 * app would be, and run in headless Chromium (Debian's chromium-headless-shell, driven by
 * playwright-core). It reads the built package (dist/), so the script builds first.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    // Chromium, bundlers and tfjs on 2 cores: one file at a time, with room.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
