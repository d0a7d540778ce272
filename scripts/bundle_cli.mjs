/**
 * Bundles the `keras2tfjs` command into dist/cli/keras2tfjs.js (package.json "bin") and one chunk
 * per lazily loaded command beside it.
 *
 * Why: a conversion takes ~25 ms, but starting the unbundled command took ~300 ms. Two costs
 * dominate: Node's ES-module loader runs a lexer over every CommonJS package it imports to find
 * its named exports (tfjs-core and tfjs-layers are ~2 MB of CommonJS: ~130 ms, where `require`
 * takes ~55 ms), and loading our ~100 modules one by one (~70 ms). So the bundle holds our code,
 * and reaches every npm package through `require` (packages stay external and shared: the app's
 * tfjs is the same instance). The library itself (dist/index.js) stays unbundled ES modules.
 *
 * The bundle and its chunks sit in dist/cli like the tsc output, so paths taken relative to import.meta.url
 * (package.json, fixtures/) resolve the same. No `keepNames`: the HDF5 worker runs a function's
 * own source text, which must not reference bundler helpers.
 */
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The CommonJS packages we import, reached with require() in the bundle. Any other package
 * (h5wasm is ES modules only; @resvg/resvg-js is optional) stays an ordinary external import.
 */
const REQUIRED_PACKAGES = new Set([
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node', // optional: a missing package rejects the dynamic import, as before
  'cli-progress',
  'fflate',
  'protobufjs',
]);

const buildRequire = createRequire(import.meta.url);
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Optional packages: absent at build time, their dynamic import() gets a default export only. */
const OPTIONAL_PACKAGES = new Set(['@tensorflow/tfjs-node']);

/**
 * The export names of a package as require() gives them here. A required package that does not
 * load stops the build: its chunk would lack the names the code calls (e.g. setWasmPaths).
 */
function exportNames(pkg) {
  try {
    return Object.keys(buildRequire(pkg)).filter((k) => IDENTIFIER.test(k) && k !== 'default');
  } catch (e) {
    if (OPTIONAL_PACKAGES.has(pkg)) return [];
    throw new Error(`bundle_cli: ${pkg} does not load here (${e.message}); run npm ci first`);
  }
}

const requirePackages = {
  name: 'require-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.namespace.startsWith('required-package')) return undefined;
      if (!REQUIRED_PACKAGES.has(args.path)) return { path: args.path, external: true };
      // A dynamic import() must resolve to a namespace with named exports (a chunk of its own);
      // static imports read properties of module.exports.
      return { path: args.path, namespace: args.kind === 'dynamic-import' ? 'required-package-esm' : 'required-package' };
    });
    b.onLoad({ filter: /.*/, namespace: 'required-package' }, (args) => ({
      contents: `module.exports = __keras2tfjsRequire(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
    b.onLoad({ filter: /.*/, namespace: 'required-package-esm' }, (args) => {
      const names = exportNames(args.path);
      return {
        contents: [
          `const m = __keras2tfjsRequire(${JSON.stringify(args.path)});`,
          'export default m;',
          ...(names.length > 0 ? [`export const { ${names.join(', ')} } = m;`] : []),
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

const OUT_DIR = join(ROOT, 'dist', 'cli');
// Chunk names carry content hashes: remove the previous build's, or they would pile up (and ship).
if (existsSync(OUT_DIR)) {
  for (const f of readdirSync(OUT_DIR)) if (/^keras2tfjs(-.*)?\.js$/.test(f)) rmSync(join(OUT_DIR, f));
}

await build({
  entryPoints: { keras2tfjs: join(ROOT, 'src', 'cli', 'main.ts') },
  outdir: OUT_DIR,
  // Each command's modules stay a separate chunk loaded when it runs (run.ts imports them
  // lazily): `convert` must not load the demo's training and HDF5-writing stack.
  splitting: true,
  chunkNames: 'keras2tfjs-[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [requirePackages],
  banner: {
    js: [
      "import { createRequire as __keras2tfjsCreateRequire } from 'node:module';",
      'const __keras2tfjsRequire = __keras2tfjsCreateRequire(import.meta.url);',
    ].join('\n'),
  },
  logLevel: 'warning',
});
