/**
 * `npm run coverage`: which Keras models keras2tfjs converts, measured on models real Keras
 * builds. Steps (each can be rerun alone; the Python cache makes the first one cheap after the
 * first run):
 *
 *   1. build_models.py   every keras.applications architecture and one model per keras.layers
 *                        class (plus activations and operation graphs), in Keras 3 and tf_keras,
 *                        saved as .keras / .h5 / SavedModel with inputs and Keras' predictions
 *   2. this file         converts each file, predicts in tfjs, compares, exports back (convert_case.ts)
 *   3. check_exports.py  Keras 3 loads every export and must predict what tfjs predicted
 *   4. report.ts         COVERAGE.md
 *
 * Options: --ci (the subset CI runs), --only <regex> (case ids), --cache <dir>
 * (default .cache/coverage), --python <path> (default .venv/bin/python, else python3),
 * --out <file> (default COVERAGE.md).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from '../src/backend.js';
import { convertCase, modelExists, type RowResult } from './convert_case.js';
import { writeReport, type CaseList, type Row } from './report.js';

// Compiled to coverage/.build/coverage/main.js: the repository is three folders up.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function option(name: string, fallback: string | null = null): string | null {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function python(): string {
  const chosen = option('--python');
  if (chosen) return chosen;
  const local = join(root, '.venv', 'bin', 'python');
  return existsSync(local) ? local : 'python3';
}

function run(cmd: string, args: string[]): void {
  const done = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
  if (done.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${done.status}`);
}

async function main(): Promise<void> {
  const ci = process.argv.includes('--ci');
  const only = option('--only');
  const cache = resolve(option('--cache', join(root, '.cache', 'coverage')) as string);
  const out = resolve(option('--out', join(root, 'COVERAGE.md')) as string);
  const py = python();
  const started = Date.now();

  run(py, [join(root, 'coverage', 'build_models.py'), cache, ...(ci ? ['--ci'] : []), ...(only ? ['--only', only] : [])]);
  const list = JSON.parse(await readFile(join(cache, 'cases.json'), 'utf8')) as CaseList;

  await useBackend('wasm');
  const exportsDir = join(cache, 'exports');
  await rm(exportsDir, { recursive: true, force: true });
  const rows: Row[] = [];
  for (const c of list.cases) {
    const formats = c.meta.formats ?? [];
    if (formats.length === 0) {
      rows.push({ case: c, format: null });
      continue;
    }
    for (const format of formats) {
      const dir = join(cache, c.dir);
      if (!modelExists(dir, format)) continue;
      const result: RowResult = await convertCase(dir, format, c.meta.inputs ?? 1, c.meta.outputs ?? 1, join(exportsDir, c.framework, c.id, format));
      const shown = result.status === 'pass' ? `max |Δ| ${result.maxAbs?.toExponential(1)}` : `${result.code ?? ''} ${(result.message ?? '').slice(0, 140)}`;
      console.log(`${result.status.padEnd(8)} ${c.framework.padEnd(8)} ${format.padEnd(10)} ${c.id}  ${shown}${result.exportError ? `  [export: ${result.exportError.slice(0, 100)}]` : ''}`);
      rows.push({ case: c, format, result });
    }
  }
  await mkdir(dirname(out), { recursive: true });
  const resultsFile = join(cache, 'results.json');
  await writeFile(resultsFile, JSON.stringify(rows, null, 1));
  run(py, [join(root, 'coverage', 'check_exports.py'), cache, resultsFile]);
  const checked = JSON.parse(await readFile(resultsFile, 'utf8')) as Row[];
  await writeReport(out, list, checked, { ci, seconds: Math.round((Date.now() - started) / 1000) });
  console.log(`wrote ${out}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
