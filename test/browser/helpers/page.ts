/**
 * A test page as an app would ship it: its TypeScript bundled by esbuild for the browser with no
 * configuration beyond the platform (keras2tfjs resolved by its package name, through its
 * package.json "exports" and "browser" map, from dist/), code-split so that what keras2tfjs loads
 * on demand (h5wasm, tfjs' wasm backend) lands in chunks of its own; served with the fixture
 * files and tfjs' .wasm files it asks for; opened in Chromium.
 */
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, serveFiles, type FileServer, type Route } from '../../helpers/browser.js';

export const REPO = resolve(import.meta.dirname, '..', '..', '..');

/** esbuild's browser bundle of `entry`, as routes ('/page.js' and its chunks). Fails on any warning. */
export async function bundleRoutes(entry: string, name = 'page'): Promise<Record<string, Route>> {
  const result = await build({
    entryPoints: { [name]: entry },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: '/bundle',
    write: false,
    // Not the repository's tsconfig: its `paths` point 'keras2tfjs' at the sources for
    // type-checking; the bundle must take the package as an app does.
    tsconfigRaw: {},
    logLevel: 'silent',
  });
  if (result.warnings.length > 0) throw new Error(`esbuild warned: ${result.warnings.map((w) => w.text).join('; ')}`);
  return Object.fromEntries(result.outputFiles.map((f) => [`/${basename(f.path)}`, { body: f.contents, type: 'text/javascript' }]));
}

/** tfjs' wasm backend's .wasm files, served at /wasm/ (chooseBackend({ wasmPaths: '/wasm/' })). */
export function wasmRoutes(): Record<string, Route> {
  const dist = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const routes: Record<string, Route> = {};
  for (const f of readdirSync(dist).filter((n) => n.endsWith('.wasm'))) routes[`/wasm/${f}`] = { file: join(dist, f) };
  return routes;
}

/** Content types the shared server does not know by extension (it serves the rest as bytes). */
const MORE_TYPES: Record<string, string> = { '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

/** Every file under `dir`, served at `prefix` + its path relative to `dir`. */
export function folderRoutes(dir: string, prefix: string): Record<string, Route> {
  const routes: Record<string, Route> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      const type = MORE_TYPES[e.name.slice(e.name.lastIndexOf('.'))];
      if (e.isDirectory()) walk(path);
      else routes[`${prefix}${relative(dir, path).split('\\').join('/')}`] = type ? { file: path, type } : { file: path };
    }
  };
  walk(dir);
  return routes;
}

export const HTML_SHELL = '<!doctype html><meta charset="utf-8"><title>keras2tfjs test</title><script type="module" src="/page.js"></script>';

export interface OpenPage {
  page: Page;
  server: FileServer;
  browser: Browser;
  /** Page errors and console errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/** Serves `routes` (with '/' the shell), opens it in a new Chromium, waits for `ready` on globalThis. */
export async function openPage(routes: Record<string, Route>, ready: string, options: { webgl?: boolean } = {}): Promise<OpenPage> {
  const server = await serveFiles({ '/': { body: HTML_SHELL, type: 'text/html' }, ...routes });
  const browser = await launchChromium({ webgl: options.webgl });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  await page.goto(`${server.url}/`);
  await page.waitForFunction((name) => name in globalThis, ready, { timeout: 120_000 });
  return {
    page,
    server,
    browser,
    errors,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
