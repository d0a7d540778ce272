#!/usr/bin/env node
/**
 * Every code block of README.md, run as a reader would, top to bottom, in one working folder
 * (`npm run test:readme`; .ci/run runs it). A block passes only if it runs verbatim:
 *
 * - ```sh: bash (errexit, pipefail) in the folder, where `npx keras2tfjs` is this checkout's
 *   built package and `python` the repository's venv; HOME is a private folder holding a small
 *   file in the format of Keras' ~/.keras/datasets/imdb.npz (fixtures/imdb_npz);
 * - ```ts: type-checked against the built package (strict), then run as an ES module by Node;
 * - ```python: run by the repository's venv (.venv/bin/python);
 * - ```text: output shown to the reader, not run.
 *
 * The folder is an app with keras2tfjs installed (node_modules linked to this checkout's) and
 * nothing else: a block that needs a file must make it, or run after the block that does.
 * A block may instead say, in an HTML comment right above it, how it is proved elsewhere:
 *   <!-- readme-check: ci -->            every line of the block is a line of .ci/run
 *   <!-- readme-check: proved-by CMD --> CMD is a line of .ci/run (e.g. npm run test:package)
 * Any other language, or a directive not listed here, fails the check.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const README = process.argv[2] ?? join(ROOT, 'README.md');
/** A command line without its trailing `# comment`, as the README and .ci/run both write them. */
const command = (line) => line.replace(/\s+#.*$/, '').trim();
const CI_LINES = new Set(readFileSync(join(ROOT, '.ci', 'run'), 'utf8').split('\n').map(command));
const PYTHON = join(ROOT, '.venv', 'bin', 'python');
const RUN = new Set(['sh', 'ts', 'python']);
const SHOWN = new Set(['text']);
/** One block's time budget: the slowest block is the demo on a small IMDB file (~1 min on cpu). */
const BLOCK_TIMEOUT_MS = 10 * 60_000;

/** The fenced blocks of a markdown text, with the directive comment right above each. */
export function readmeBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]);
    let above = start - 1;
    while (above >= 0 && lines[above].trim() === '') above--;
    const directive = /^<!--\s*readme-check:\s*(.*?)\s*-->$/.exec(lines[above] ?? '')?.[1] ?? null;
    blocks.push({ lang: open[1], code: body.join('\n'), line: start + 1, directive });
  }
  return blocks;
}

function makeApp() {
  const app = mkdtempSync(join(tmpdir(), 'k2t-readme-'));
  const modules = join(app, 'node_modules');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry.startsWith('.')) continue;
    symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry));
  }
  symlinkSync(ROOT, join(modules, 'keras2tfjs'));
  symlinkSync(join(ROOT, 'dist', 'cli', 'keras2tfjs.js'), join(modules, '.bin', 'keras2tfjs'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'readme-app', private: true, type: 'module' }));
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: ['node'], noEmit: true } }),
  );
  const home = join(app, '.home');
  mkdirSync(join(home, '.keras', 'datasets'), { recursive: true });
  copyFileSync(join(ROOT, 'fixtures', 'imdb_npz', 'imdb_small.npz'), join(home, '.keras', 'datasets', 'imdb.npz'));
  return { app, home };
}

function run(command, args, cwd, env) {
  const started = performance.now();
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: BLOCK_TIMEOUT_MS, maxBuffer: 64 << 20 });
  const seconds = (performance.now() - started) / 1000;
  const ok = r.status === 0;
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
  return { ok, seconds, output };
}

function checkBlock(block, index, app, env) {
  if (block.directive !== null) {
    if (block.directive === 'ci') {
      const missing = block.code.split('\n').map(command).filter((l) => l && !l.startsWith('#') && !CI_LINES.has(l));
      return { ok: missing.length === 0, seconds: 0, output: missing.map((l) => `not a line of .ci/run: ${l}`).join('\n'), how: 'run by .ci/run' };
    }
    const proved = /^proved-by (.+)$/.exec(block.directive);
    if (proved) {
      const ok = CI_LINES.has(proved[1]);
      return { ok, seconds: 0, output: ok ? '' : `not a line of .ci/run: ${proved[1]}`, how: `proved by ${proved[1]}` };
    }
    return { ok: false, seconds: 0, output: `unknown directive '${block.directive}'`, how: 'directive' };
  }
  if (SHOWN.has(block.lang)) return { ok: true, seconds: 0, output: '', how: 'shown, not run' };
  if (!RUN.has(block.lang)) return { ok: false, seconds: 0, output: `a \`\`\`${block.lang || '(no language)'} block: give it sh, ts, python or text, or a readme-check directive`, how: 'unknown' };
  if (block.lang === 'sh') return { ...run('bash', ['-e', '-o', 'pipefail', '-c', block.code], app, env), how: 'bash' };
  if (block.lang === 'python') {
    const file = join(app, `readme_block_${index}.py`);
    writeFileSync(file, block.code);
    return { ...run(PYTHON, [file], app, env), how: 'python' };
  }
  const file = join(app, `readme_block_${index}.ts`);
  writeFileSync(file, `${block.code}\nexport {};\n`);
  const tsc = run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app, env);
  rmSync(file);
  if (!tsc.ok) return { ...tsc, how: 'tsc' };
  const js = ts.transpileModule(block.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const mjs = join(app, `readme_block_${index}.mjs`);
  writeFileSync(mjs, js);
  const result = run(process.execPath, [mjs], app, env);
  return { ...result, seconds: result.seconds + tsc.seconds, how: 'tsc + node' };
}

function main() {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
    console.error('check_readme: dist/ is missing; run npm run build first');
    process.exit(2);
  }
  const blocks = readmeBlocks(readFileSync(README, 'utf8'));
  const { app, home } = makeApp();
  const env = { ...process.env, HOME: home, PATH: `${join(app, 'node_modules', '.bin')}:${dirname(PYTHON)}:${process.env.PATH}`, CI: 'true' };
  let failed = 0;
  try {
    blocks.forEach((block, i) => {
      const r = checkBlock(block, i, app, env);
      console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${basename(README)}:${block.line} ${block.lang || '-'} (${r.how}${r.seconds ? `, ${r.seconds.toFixed(1)} s` : ''})`);
      if (!r.ok) {
        failed++;
        console.log(r.output.trim().split('\n').slice(-30).map((l) => `     | ${l}`).join('\n'));
      }
    });
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
  console.log(`${blocks.length} blocks, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
