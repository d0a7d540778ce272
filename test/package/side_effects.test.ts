/**
 * package.json "sideEffects" lets bundlers drop the modules an app does not use. A module that
 * registers something when it loads (a layer or optimizer class with tfjs, the two-copies
 * watch) must be listed, or a bundler would drop it and tf.loadLayersModel would not know
 * ManualDropout. So: every module that calls `serialization.registerClass` or a plain function
 * at its top level (a call on a module's own object, like a protobuf schema being built, changes
 * nothing outside it), or that is imported for its effects alone (`import './x.js'`), matches a
 * pattern of the list.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { sideEffects: string[] };
const LIBRARY_EXCLUDED = /^src\/(cli|demo)\//;

/** webpack's and esbuild's reading of the patterns: `**` any folders, `*` within one name. */
function matcher(pattern: string): RegExp {
  const body = pattern
    .replace(/^\.\//, '')
    .split('**/')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('(?:.*/)?');
  return new RegExp(`^${body}$`);
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('package.json sideEffects', () => {
  const library = sources(join(repo, 'src'))
    .map((f) => relative(repo, f).split('\\').join('/'))
    .filter((f) => !LIBRARY_EXCLUDED.test(f));
  const listed = (file: string): boolean => {
    const dist = file.replace(/^src\//, 'dist/').replace(/\.c?ts$/, (ext) => (ext === '.cts' ? '.cjs' : '.js'));
    return pkg.sideEffects.map(matcher).some((re) => re.test(dist) || re.test(file));
  };

  it('lists every module that registers something when loaded', () => {
    const registering = library.filter((f) => /^(?:serialization\.registerClass|[A-Za-z_$][\w$]*)\([^]*?\);\s*$/m.test(readFileSync(join(repo, f), 'utf8').replace(/\/\*[^]*?\*\//g, '')));
    expect(registering.length).toBeGreaterThan(5);
    expect(registering.filter((f) => !listed(f))).toEqual([]);
  });

  it('lists every module imported for its effects alone', () => {
    const effectImports = new Set<string>();
    for (const f of library) {
      for (const m of readFileSync(join(repo, f), 'utf8').matchAll(/^import '(\.{1,2}\/[^']+)';/gm)) {
        effectImports.add(posix.normalize(posix.join(posix.dirname(f), m[1])).replace(/\.js$/, '.ts'));
      }
    }
    expect(effectImports.size).toBeGreaterThan(0);
    expect([...effectImports].filter((f) => !listed(f))).toEqual([]);
  });

  it('does not list the converter (an app that only uses ManualDropout does not carry it)', () => {
    expect(listed('src/convert/convert.ts')).toBe(false);
    expect(listed('src/formats/hdf5/open_hdf5.ts')).toBe(false);
  });
});

describe('the package root registers every compat layer', () => {
  it('src/layers/compat/index.ts imports each compat layer file that registers a class, and the root imports it', () => {
    const dir = join(repo, 'src', 'layers', 'compat');
    const registering = sources(dir)
      .filter((f) => /^serialization\.registerClass\(/m.test(readFileSync(f, 'utf8')))
      .map((f) => relative(dir, f).split('\\').join('/'));
    const all = readFileSync(join(dir, 'index.ts'), 'utf8');
    expect(registering.length).toBeGreaterThan(30);
    expect(registering.filter((f) => !all.includes(`import './${f.replace(/\.ts$/, '.js')}';`))).toEqual([]);
    expect(readFileSync(join(repo, 'src', 'index.ts'), 'utf8')).toContain("import './layers/compat/index.js';");
  });
});
