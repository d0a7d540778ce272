/**
 * package.json "browser" replaces each Node-only module with a twin in src/browser when a bundler
 * builds for browsers. The twin must export every name its Node module exports (an import the
 * twin lacks would be `undefined` in the page, or a bundler error), and every module the package
 * reaches in a browser must be free of Node's built-in modules.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { browser: Record<string, string> };

/** ./dist/a/b.js → <repo>/src/a/b.ts */
const sourceOf = (distPath: string): string => join(repo, distPath.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));

describe('browser twins (package.json "browser")', () => {
  it.each(Object.entries(pkg.browser))('%s → %s exports the same names', async (node, browser) => {
    const nodeModule = (await import(pathToFileURL(sourceOf(node)).href)) as Record<string, unknown>;
    const twin = (await import(pathToFileURL(sourceOf(browser)).href)) as Record<string, unknown>;
    expect(Object.keys(twin).sort()).toEqual(Object.keys(nodeModule).sort());
    for (const name of Object.keys(nodeModule)) expect(typeof twin[name], name).toBe(typeof nodeModule[name]);
  });

  it('twins import nothing from Node', () => {
    for (const browser of Object.values(pkg.browser)) {
      const text = readFileSync(sourceOf(browser), 'utf8');
      expect(text.match(/from '(node:[^']+)'|import\('(node:[^']+)'\)/g), browser).toBeNull();
    }
  });
});
