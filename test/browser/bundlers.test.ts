/**
 * An app that imports '@tensorflow/tfjs' and 'keras2tfjs' bundles with esbuild, Vite and webpack 5
 * with zero configuration (each bundler's defaults for a browser build, nothing about keras2tfjs),
 * without a warning, and the bundle runs in Chromium: it converts Python's model (.keras by the
 * TypeScript reader, a creation-ordered .h5 by h5wasm loaded on demand), predicts what Python
 * predicted, and exports the model to a .keras Blob that converts again to the same model.
 */
import { build as esbuild } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../helpers/fixtures.js';
import { appFolder, type AppFolder } from './helpers/app_folder.js';
import { withCreationOrder } from './helpers/hdf5_copy.js';
import { folderRoutes, openPage, REPO, wasmRoutes } from './helpers/page.js';

/** The README's tolerance for converted models' outputs (float32 summation order). */
const PARITY_ATOL = 1e-5;
const APP_SOURCE = readFileSync(join(REPO, 'test', 'browser', 'apps', 'converter_app.js'), 'utf8');

interface AppResult {
  error?: string;
  backend: string;
  reason: string;
  blobType: string;
  results: Record<string, number>;
}

/** How each bundler builds the app folder with its defaults; returns the output folder and the page's script tag. */
const BUNDLERS: Record<string, (dir: string) => Promise<{ out: string; script: string; warnings: string[] }>> = {
  async esbuild(dir) {
    // The flags any browser build with lazy chunks gives: bundle, ES modules, code splitting.
    const r = await esbuild({ entryPoints: [join(dir, 'src', 'index.js')], bundle: true, format: 'esm', splitting: true, outdir: join(dir, 'dist'), absWorkingDir: dir, logLevel: 'silent' });
    return { out: join(dir, 'dist'), script: '<script type="module" src="/index.js"></script>', warnings: r.warnings.map((w) => w.text) };
  },
  async vite(dir) {
    const warnings: string[] = [];
    // `vite build` in the folder: its index.html names src/index.js; no vite.config.
    await viteBuild({ root: dir, configFile: false, logLevel: 'warn', customLogger: logger(warnings) });
    return { out: join(dir, 'dist'), script: '', warnings };
  },
  async webpack(dir) {
    // `webpack` run in the folder: entry ./src, output ./dist/main.js (the CLI's defaults, which
    // the API takes from the working directory: given here), production mode.
    const stats = await new Promise<webpack.Stats>((resolve, reject) =>
      webpack({ context: dir, mode: 'production', output: { path: join(dir, 'dist') } }, (err, s) => (err || !s ? reject(err ?? new Error('no stats')) : resolve(s))),
    );
    const info = stats.toJson({ all: false, errors: true, warnings: true });
    if (stats.hasErrors()) throw new Error(info.errors?.map((e) => e.message).join('\n'));
    return { out: join(dir, 'dist'), script: '<script src="/main.js"></script>', warnings: (info.warnings ?? []).map((w) => w.message) };
  },
};

/** Vite's warnings, kept (its chunk-size note on h5wasm's lazy chunk aside: see below). */
function logger(into: string[]) {
  const keep = (m: string) => into.push(m);
  return { info: () => {}, warn: keep, warnOnce: keep, error: keep, clearScreen: () => {}, hasErrorLogged: () => false, hasWarned: false };
}

let ordered: Uint8Array;
const measured: string[] = [];

beforeAll(async () => {
  ordered = await withCreationOrder(readFileSync(fixturePath('seed_lambda', 'model.h5')));
});

afterAll(() => console.log(['bundlers:', ...measured].join('\n')));

describe.each(Object.keys(BUNDLERS))('an app bundled by %s with zero configuration', (bundler) => {
  let app: AppFolder;
  afterAll(async () => app?.remove());

  it('builds, runs in Chromium and matches Python', async () => {
    app = await appFolder({
      'package.json': JSON.stringify({ name: 'app', private: true, type: 'module' }),
      'src/index.js': APP_SOURCE,
      'index.html': '<!doctype html><meta charset="utf-8"><script type="module" src="/src/index.js"></script>',
    });
    const { out, script, warnings } = await BUNDLERS[bundler](app.dir);
    // Vite notes that h5wasm's lazy chunk (the HDF5 library, ~4 MB, loaded only when needed) is
    // over its 500 kB advice; webpack says the same of its asset size. Nothing else may be said.
    const other = warnings.filter((w) => !/chunks are larger than 500 kB|exceed the recommended size limit|can impact web performance|webpack performance recommendations/i.test(w));
    expect(other).toEqual([]);
    measured.push(`${bundler}: ${warnings.length} size notes`);

    const { '/index.html': built, ...assets } = folderRoutes(out, '/');
    const html = bundler === 'vite' ? { ...built, type: 'text/html' } : { body: `<!doctype html><meta charset="utf-8">${script}`, type: 'text/html' };
    const opened = await openPage(
      {
        ...assets,
        '/': html,
        ...wasmRoutes(),
        '/model.keras': { file: fixturePath('seed_lambda', 'model.keras') },
        '/model_ordered.h5': { body: ordered },
        '/x.npy': { file: fixturePath('seed_lambda', 'x.npy') },
        '/y_infer.npy': { file: fixturePath('seed_lambda', 'y_infer.npy') },
      },
      'appResult',
    );
    try {
      const result = (await opened.page.evaluate(() => (globalThis as unknown as { appResult: AppResult }).appResult)) as AppResult;
      expect(result.error).toBeUndefined();
      // The app registers no webgpu; Chromium's software WebGL (SwiftShader) usually starts here,
      // else wasm does (its files at /wasm/). Either way the line says why not webgpu.
      expect(['webgl', 'wasm']).toContain(result.backend);
      measured.push(`${bundler}: ${result.reason}`);
      expect(result.reason).toMatch(new RegExp(`^backend: ${result.backend} \\(webgpu is not registered: import '@tensorflow/tfjs-backend-webgpu' to try it`));
      expect(result.blobType).toBe('application/zip');
      expect(Object.keys(result.results)).toEqual(['model.keras', 'model_ordered.h5', 'exported.keras']);
      for (const [file, diff] of Object.entries(result.results)) {
        expect(diff, `${bundler}: ${file}`).toBeLessThanOrEqual(PARITY_ATOL);
        measured.push(`${bundler} ${file}: max |Δ| ${diff.toExponential(2)}`);
      }
      expect(opened.errors.filter((e) => !e.includes('Initialization of backend webgl failed'))).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});
