/**
 * Headless Chromium for browser runs (the bench's webgl/wasm training, browser tests): launch it,
 * serve files to it from 127.0.0.1, and bundle TypeScript for it. Nothing is downloaded: the
 * browser is the system's (Debian: `apt-get install chromium-headless-shell`), driven by
 * playwright-core (a devDependency; its own browser downloads are never used).
 *
 *   const server = await serveFiles({ '/': { body: html, type: 'text/html' }, '/model.keras': { file } });
 *   const browser = await launchChromium({ webgl: true });
 *   const page = await browser.newPage(); await page.goto(server.url + '/');
 *   ... await browser.close(); await server.close();
 */
import { build, type Plugin } from 'esbuild';
import { builtinModules } from 'node:module';

// Launching Chromium and serving files are shared with the README check (plain JavaScript).
export { chromiumPath, launchChromium, type LaunchOptions } from '../../scripts/browser/chromium.mjs';
export { CROSS_ORIGIN_ISOLATED, serveFiles, serveFolder, type FileServer, type Route } from '../../scripts/browser/serve.mjs';

/**
 * Node built-ins in a browser bundle: modules that also serve Node (paths, files) import them at
 * the top, but a page only takes their byte paths. Each export of the real module is `undefined`
 * (code that checks for a Node API sees it absent, e.g. zlib.crc32 → the JavaScript CRC), except
 * the few functions modules call while loading (CALLED_AT_LOAD): they return an inert stand-in,
 * or what a browser would answer.
 */
const CALLED_AT_LOAD: Record<string, string> = {
  createRequire: 'standIn', fileURLToPath: 'standIn', pathToFileURL: 'standIn', dirname: 'standIn',
  join: 'standIn', resolve: 'standIn', promisify: 'standIn',
  endianness: '() => "LE"', // every browser platform is little-endian
};

const nodeBuiltinsAsStandIns: Plugin = {
  name: 'node-builtins-as-stand-ins',
  setup(b) {
    const builtins = new RegExp(`^(node:.*|${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})$`);
    b.onResolve({ filter: builtins }, (args) => ({ path: args.path, namespace: 'node-stand-in' }));
    b.onLoad({ filter: /.*/, namespace: 'node-stand-in' }, async (args) => {
      // Every name the real module exports, so that named imports resolve.
      const real = (await import(args.path.startsWith('node:') ? args.path : `node:${args.path}`)) as Record<string, unknown>;
      const names = Object.keys(real).filter((k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k));
      return {
        contents:
          'const standIn = new Proxy(function () {}, { get: (_, key) => key === Symbol.toPrimitive ? () => "" : standIn, apply: () => standIn, construct: () => standIn });\n' +
          `export default {};\n` +
          names.map((n) => `export const ${n} = ${CALLED_AT_LOAD[n] ?? 'undefined'};`).join('\n'),
        loader: 'js',
      };
    });
  },
};

/** Bundles `entry` (TypeScript or JavaScript) for the browser into one ES module, as text. */
export async function bundleForBrowser(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [nodeBuiltinsAsStandIns],
  });
  return result.outputFiles[0].text;
}
