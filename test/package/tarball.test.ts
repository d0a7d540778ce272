/**
 * What `npm publish` would ship (npm pack --dry-run): no source maps (the sources are not
 * shipped), no sources or tests, every JavaScript file reachable from the package's entry points
 * (exports and bin) by its imports, every declaration file beside its JavaScript, and only the
 * fixtures the bundled demo reads.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  exports: Record<string, string | Record<string, Record<string, string>>>;
  bin: Record<string, string>;
};

let files: string[];
beforeAll(async () => {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo });
  files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path).sort();
});

/** Relative specifiers a module imports, statically, dynamically or with require. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(repo, file), 'utf8');
  const found = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]);
  return found.map((spec) => posix.normalize(posix.join(posix.dirname(file), spec)));
}

function entryPoints(): string[] {
  const out = Object.values(pkg.bin);
  for (const target of Object.values(pkg.exports)) {
    if (typeof target === 'string') continue;
    for (const condition of Object.values(target)) if (condition.default) out.push(condition.default);
  }
  return out.map((p) => posix.normalize(p));
}

describe('the published package', () => {
  it('ships its license', () => {
    expect(files).toContain('LICENSE');
    expect(readFileSync(join(repo, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
  });

  it('require() gives the same module as import (one ManualDropout, one registration)', async () => {
    const program = [
      "const viaRequire = require('keras2tfjs');",
      "import('keras2tfjs').then((viaImport) => {",
      "  if (viaImport.ManualDropout !== viaRequire.ManualDropout) throw new Error('two copies');",
      "  console.log(typeof viaRequire.convert, viaRequire.ManualDropout.className);",
      '});',
    ].join('\n');
    // Resolved by name from inside the repository, as an installed package is (package.json "exports").
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', program], { cwd: repo });
    expect(stdout.trim()).toBe('function ManualDropout');
  });

  it('ships no source maps, sources or tests', () => {
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => /^(src|test|bench|scripts|python)\//.test(f))).toEqual([]);
  });

  it('ships only JavaScript its entry points reach', () => {
    const shipped = new Set(files);
    const reached = new Set<string>();
    const queue = entryPoints();
    for (const entry of queue) expect(shipped.has(entry), entry).toBe(true);
    while (queue.length > 0) {
      const file = queue.pop() as string;
      if (reached.has(file) || !shipped.has(file)) continue;
      reached.add(file);
      for (const target of importsOf(file)) {
        expect(shipped.has(target), `${file} imports ${target}, which is not shipped`).toBe(true);
        queue.push(target);
      }
    }
    // A module of types only compiles to an empty `export {}`: its .d.ts is what other
    // declarations import, the JavaScript beside it is what tsc always emits.
    const typesOnly = (f: string) => readFileSync(join(repo, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').trim() === 'export {};';
    const code = files.filter((f) => /\.(c|m)?js$/.test(f));
    expect(code.filter((f) => !reached.has(f) && !typesOnly(f))).toEqual([]);
  });

  it('ships each declaration file beside its JavaScript', () => {
    const shipped = new Set(files);
    for (const d of files.filter((f) => /\.d\.c?ts$/.test(f))) {
      expect(shipped.has(d.replace(/\.d\.ts$/, '.js').replace(/\.d\.cts$/, '.cjs')), d).toBe(true);
    }
  });

  it('ships the fixtures the demo reads, and no others', () => {
    const fixtures = files.filter((f) => f.startsWith('fixtures/') && !f.endsWith('README.md'));
    expect(fixtures.filter((f) => f.endsWith('.h5'))).toEqual([]);
    const demo = ['src/demo/run_demo.ts', 'src/demo/parity.ts', 'src/demo/bundled.ts', 'src/data/imdb.ts'].map((f) => readFileSync(join(repo, f), 'utf8')).join('\n');
    const calls = JSON.parse(readFileSync(join(repo, 'fixtures/manual_dropout_tf/case.json'), 'utf8')) as { training_calls: Array<{ mask: string; y_train: string }> };
    const named = new Set(calls.training_calls.flatMap((c) => [c.mask, c.y_train]));
    for (const f of fixtures) {
      const base = posix.basename(f);
      const split = /^(train|val)_(sequences|offsets|labels)\.npy$/.exec(base);
      const read = demo.includes(`'${base}'`) || named.has(base) || base === 'case.json' || (split !== null && demo.includes('_sequences.npy'));
      expect(read, `${f} is shipped but the demo does not read it`).toBe(true);
    }
    expect(dirname(fixtures[0])).toMatch(/^fixtures\//);
  });
});
