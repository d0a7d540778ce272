/**
 * Bundles keras2tfjs for pages without a bundler (`<script type="module">` with an import map):
 * dist/bundle/keras2tfjs.js, package.json "exports" "./browser.js".
 *
 * Built from dist/ as a bundler builds it for browsers (package.json "browser" puts the browser
 * twins in place of the Node-only modules). What the page already has stays outside, so that it
 * keeps one of each:
 * - tfjs: every import of @tensorflow/tfjs-core, -layers and -backend-cpu becomes an import of
 *   '@tensorflow/tfjs', whose ES module (tf.fesm.js) re-exports all three;
 * - h5wasm: its ES module build (dist/esm) loads in browsers as it is, on demand.
 * fflate, protobufjs and pickleparser are inside; tfjs' wasm backend is a chunk beside it,
 * loaded only when chooseBackend tries wasm (its npm files import Node's fs, which a page
 * cannot map).
 */
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'dist', 'bundle');
/** Imported as the page's '@tensorflow/tfjs' (exact names only: deep imports are bundled). */
const TFJS_PARTS = new Set(['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu']);

const pageOwnsTfjs = {
  name: 'page-owns-tfjs',
  setup(b) {
    b.onResolve({ filter: /^@tensorflow\/tfjs-(core|layers|backend-cpu)$/ }, (args) =>
      TFJS_PARTS.has(args.path) ? { path: '@tensorflow/tfjs', external: true } : undefined,
    );
    b.onResolve({ filter: /^h5wasm$/ }, () => ({ path: 'h5wasm', external: true }));
  },
};

if (existsSync(OUT_DIR)) rmSync(OUT_DIR, { recursive: true });

await build({
  entryPoints: { keras2tfjs: join(ROOT, 'dist', 'index.js') },
  outdir: OUT_DIR,
  chunkNames: 'keras2tfjs-[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'eof',
  plugins: [pageOwnsTfjs],
  logLevel: 'warning',
});
