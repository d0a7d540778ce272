/**
 * keras2tfjs benchmarks, side by side in ONE run: ManualDropout vs tf.layers.dropout, the mask
 * streams, keras2tfjs' converter vs the official tensorflowjs_converter, TypeScript training vs
 * Python Keras. Writes bench/results/summary.json and the results table in BENCHMARKS.md.
 *
 *   node bench/.build/bench/run.js            full run (creates what it needs: the official
 *                                             converter's venv, the ~100 MB model, tfjs-node)
 *   node bench/.build/bench/run.js --quick    under 5 minutes; uses only what already exists
 *                                             for the venv and tfjs-node
 *
 * Every measurement runs in its own process (see lib/section.ts); a failed part is recorded in
 * the summary's `errors` and the run goes on; the exit code is 1 if any part failed.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { LARGE_FILES, runConvertBench } from './lib/convert_bench.js';
import { runDropoutBench, runMaskStreamBench } from './lib/dropout_bench.js';
import { collectVersions, machineInfo } from './lib/machine.js';
import { OFFICIAL_PYTHON } from './lib/official.js';
import { CACHE_DIR, SUMMARY_JSON } from './lib/paths.js';
import { ensureTfjsNode } from './lib/tfjs_node_setup.js';
import { evaluateTargets, writeBenchmarksMd, writeSummary, type Summary } from './lib/report.js';
import { runScaleBench } from './lib/scale_bench.js';
import { runTrainBench } from './lib/train_bench.js';

export interface RunOptions {
  quick: boolean;
  /** Parts to run (default: all). */
  only: Set<string> | null;
}

export type ErrorLog = (part: string, error: unknown) => void;

function parseArgs(argv: string[]): RunOptions {
  const opts: RunOptions = { quick: false, only: null };
  for (const arg of argv) {
    if (arg === '--quick') opts.quick = true;
    else if (arg.startsWith('--only=')) opts.only = new Set(arg.slice('--only='.length).split(','));
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write('usage: npm run bench [-- --quick] [-- --only=dropout,mask,convert,scale,train]\n');
      process.exit(0);
    } else throw new Error(`bench: unknown argument '${arg}' (try --help)`);
  }
  return opts;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  mkdirSync(CACHE_DIR, { recursive: true });
  const errors: Summary['errors'] = [];
  const logError: ErrorLog = (part, error) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`bench: ${part} failed: ${message}\n`);
    errors.push({ part, error: message });
  };
  const wants = (part: string) => opts.only === null || opts.only.has(part);

  process.stderr.write(`keras2tfjs bench (${opts.quick ? 'quick' : 'full'})\n`);
  const tfjsNode = ensureTfjsNode(opts.quick, logError);

  const dropout = wants('dropout') ? runDropoutBench(opts.quick, tfjsNode.available, logError) : null;
  const mask = wants('mask') ? runMaskStreamBench(opts.quick, tfjsNode.available, logError) : null;
  const convert = wants('convert') ? runConvertBench(opts.quick, logError) : null;
  // Gigabyte models: generated and converted in the full bench only (minutes).
  const scale = wants('scale') && !opts.quick ? runScaleBench(LARGE_FILES.keras3Keras, logError) : null;
  const train = wants('train') ? runTrainBench(opts.quick, tfjsNode.available, logError) : null;
  const summary: Summary = {
    mode: opts.quick ? 'quick' : 'full',
    generated_at: new Date().toISOString(),
    duration_s: 0,
    machine: machineInfo(),
    // After the parts ran: the full run may have just created the official converter's venv.
    versions: collectVersions(OFFICIAL_PYTHON, tfjsNode.version),
    dropout_overhead: dropout,
    mask_stream: mask,
    convert,
    scale,
    train,
    tfjs_node: tfjsNode,
    targets: [],
    errors,
  };
  if (opts.only !== null) keepEarlierParts(summary, opts.only);
  summary.targets = evaluateTargets(summary);
  summary.duration_s = Math.round((performance.now() - started) / 100) / 10;
  writeSummary(summary);
  writeBenchmarksMd(summary);
  process.stderr.write(`bench: done in ${summary.duration_s} s; bench/results/summary.json and BENCHMARKS.md written\n`);
  if (errors.length > 0) process.exitCode = 1;
}

/**
 * With --only, the parts not run keep their results from the previous summary.json (and say
 * when they were measured), so a partial run does not erase the rest of the table.
 */
function keepEarlierParts(summary: Summary, only: Set<string>): void {
  if (!existsSync(SUMMARY_JSON)) return;
  const previous = JSON.parse(readFileSync(SUMMARY_JSON, 'utf8')) as Summary;
  const parts = { dropout: 'dropout_overhead', mask: 'mask_stream', convert: 'convert', scale: 'scale', train: 'train' } as const;
  const kept: string[] = [];
  for (const [part, key] of Object.entries(parts)) {
    if (only.has(part) || previous[key] == null) continue;
    (summary as unknown as Record<string, unknown>)[key] = previous[key];
    kept.push(part);
  }
  const from = previous.kept_from ?? { parts: [], generated_at: previous.generated_at };
  summary.kept_from = kept.length > 0 ? { parts: kept, generated_at: from.generated_at ?? previous.generated_at } : undefined;
  summary.errors.push(...previous.errors.filter((e) => kept.includes(e.part.split('/')[0])));
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
