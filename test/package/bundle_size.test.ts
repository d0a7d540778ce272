/**
 * What keras2tfjs adds to a browser app, minified and gzipped, as esbuild bundles it (code
 * splitting on, so that what loads on demand — h5wasm, tfjs' wasm backend — is in chunks of its
 * own and not counted: only the entry and the chunks it imports statically load with the page).
 * The apps (test/package/size_apps) import keras2tfjs by its package name, from dist/.
 *
 * Budgets (issue 12): the package root adds ≤ 100 KB to an app that uses only ManualDropout; the
 * converter (convert, chooseBackend) adds ≤ 300 KB.
 */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..');
const KB = 1000;
const ROOT_BUDGET = 100 * KB;
const CONVERTER_BUDGET = 300 * KB;

interface Size {
  /** Bytes loaded with the page: the entry and what it imports statically, each gzipped. */
  initial: number;
  /** Bytes of the chunks loaded on demand. */
  onDemand: number;
}

async function sizeOf(app: string): Promise<Size> {
  const result = await build({
    entryPoints: [join(repo, 'test', 'package', 'size_apps', `${app}.js`)],
    bundle: true,
    minify: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: join(repo, 'size-out'),
    write: false,
    metafile: true,
    logLevel: 'silent',
    // The package by its name, as an app has it (not the repository's type-checking paths).
    tsconfigRaw: {},
  });
  const gz = new Map(result.outputFiles.map((f) => [relative(repo, f.path), gzipSync(f.contents, { level: 9 }).length]));
  const outputs = result.metafile.outputs;
  const entry = Object.keys(outputs).find((o) => outputs[o].entryPoint) as string;
  /** Outputs reached from `starts` through imports of the given kinds. */
  const reach = (starts: string[], kinds: string[]): Set<string> => {
    const seen = new Set<string>();
    for (const queue = [...starts]; queue.length > 0; ) {
      const o = queue.pop() as string;
      if (seen.has(o)) continue;
      seen.add(o);
      queue.push(...outputs[o].imports.filter((i) => kinds.includes(i.kind)).map((i) => i.path));
    }
    return seen;
  };
  const initial = reach([entry], ['import-statement']);
  // esbuild also writes a chunk for a dynamic import() that tree shaking removed: nothing loads it.
  const loadable = reach([entry], ['import-statement', 'dynamic-import']);
  const sum = (files: Iterable<string>) => [...files].reduce((n, f) => n + (gz.get(f) ?? 0), 0);
  return { initial: sum(initial), onDemand: sum([...loadable].filter((o) => !initial.has(o))) };
}

let sizes: Record<'tfjs_only' | 'manual_dropout' | 'converter', Size>;

beforeAll(async () => {
  sizes = {
    tfjs_only: await sizeOf('tfjs_only'),
    manual_dropout: await sizeOf('manual_dropout'),
    converter: await sizeOf('converter'),
  };
  const kb = (n: number) => `${(n / KB).toFixed(1)} KB`;
  console.log(
    [
      'min+gzip, esbuild:',
      `  tfjs app: ${kb(sizes.tfjs_only.initial)}`,
      `  + keras2tfjs for ManualDropout: +${kb(sizes.manual_dropout.initial - sizes.tfjs_only.initial)} (budget ${kb(ROOT_BUDGET)})`,
      `  + the converter and chooseBackend: +${kb(sizes.converter.initial - sizes.tfjs_only.initial)} (budget ${kb(CONVERTER_BUDGET)}); on demand: ${kb(sizes.converter.onDemand)} (h5wasm, tfjs' wasm backend)`,
    ].join('\n'),
  );
});

describe('bundle size (min+gzip, esbuild)', () => {
  it(`the package root adds at most ${ROOT_BUDGET / KB} KB to an app that uses only ManualDropout`, () => {
    const added = sizes.manual_dropout.initial - sizes.tfjs_only.initial;
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThanOrEqual(ROOT_BUDGET);
    // The converter's HDF5 library and the wasm backend are not in that app at all.
    expect(sizes.manual_dropout.onDemand).toBe(0);
  });

  it(`the converter adds at most ${CONVERTER_BUDGET / KB} KB; h5wasm and the wasm backend load on demand`, () => {
    expect(sizes.converter.initial - sizes.tfjs_only.initial).toBeLessThanOrEqual(CONVERTER_BUDGET);
    // h5wasm alone is ~1 MB gzipped: it must be in a chunk of its own.
    expect(sizes.converter.onDemand).toBeGreaterThan(1000 * KB);
  });
});
