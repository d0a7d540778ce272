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
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { builtinModules } from 'node:module';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';

/** Where Chromium is looked for: $CHROMIUM_PATH, then Debian's headless shell and full browser. */
const CANDIDATES = ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function chromiumPath(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export interface LaunchOptions {
  /**
   * WebGL through SwiftShader, Chromium's CPU implementation of the GPU APIs (there is no GPU
   * here): `--use-angle=swiftshader --enable-unsafe-swiftshader`. Without it, WebGL is off.
   */
  webgl?: boolean;
}

/**
 * Launches headless Chromium with nothing that reaches the network (no component updates, sync,
 * background requests), no sandbox (root in a container), and WebGL on SwiftShader if asked.
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  if (executablePath === null) {
    throw new Error('no Chromium found: apt-get install -y chromium-headless-shell (or set CHROMIUM_PATH)');
  }
  const args = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
    ...(options.webgl ? ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'] : ['--disable-gpu']),
  ];
  return chromium.launch({ executablePath, args, headless: true });
}

/** One served path: a file on disk or bytes/text in memory, with its content type. */
export type Route = { file: string; type?: string } | { body: string | Uint8Array; type?: string };

export interface FileServer {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.json': 'application/json' };

/**
 * Cross-origin isolation (COOP + COEP): the page gets SharedArrayBuffer, so tfjs' wasm backend
 * loads its multi-threaded build.
 */
export const CROSS_ORIGIN_ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/**
 * Serves exactly `routes` (path → content) on 127.0.0.1 at a free port, with `headers` on every
 * response; anything else is 404.
 */
export async function serveFiles(routes: Record<string, Route>, headers: Record<string, string> = {}): Promise<FileServer> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const route = routes[path];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    const ext = path.slice(path.lastIndexOf('.'));
    const send = (body: string | Uint8Array) =>
      res.writeHead(200, { ...headers, 'content-type': route.type ?? TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
    if ('body' in route) send(route.body);
    else readFile(route.file).then(send, () => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

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
