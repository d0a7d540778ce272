/**
 * Models of any size: `keras2tfjs convert` on .keras files of 100 MB, 1.6 GB and 5 GB, against
 * `cp` of the same file, in alternating rounds of one run each (whole processes, wall time and
 * peak RSS from run_timed.py, both the same way). The 1.6 GB and 5 GB files are generated
 * with Keras' structure by bench/python/make_huge_model.py into bench/.cache/huge (never
 * committed; full bench only). Targets (issue 15): peak RSS <= the largest tensor + 256 MB,
 * wall time <= 2x the copy. Each output is checked against its input once
 * (check_converted_sample.py: values sampled in every weight, bit for bit).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorLog } from '../run.js';
import { runPythonScript, runTimed, type TimedRun } from './child.js';
import { CACHE_DIR, REPO_ROOT, projectPython } from './paths.js';
import { median, round4 } from './stats.js';

const HUGE_DIR = join(CACHE_DIR, 'huge');
const OUT_DIR = join(CACHE_DIR, 'scale-out');
/** The headroom over the largest tensor the issue allows. */
const RSS_HEADROOM_MB = 256;

/** The generated inputs: eight and twenty-five 200 MB Dense kernels. */
export const HUGE_FILES = [
  { file: join(HUGE_DIR, 'keras3_1.6gb.keras'), layers: 8, rounds: 3 },
  { file: join(HUGE_DIR, 'keras3_5gb.keras'), layers: 25, rounds: 2 },
];

export interface ScaleCase {
  file: string;
  bytes: number;
  /** Bytes of the largest weight (from the model.json written). */
  largest_tensor_bytes: number;
  rounds: number;
  cp_seconds: number;
  cp_runs: number[];
  convert_seconds: number;
  convert_runs: number[];
  /** Median of per-round convert / cp time ratios. */
  ratio_vs_cp: number;
  convert_peak_rss_mb: number;
  cp_peak_rss_mb: number;
  /** The largest tensor + 256 MB. */
  rss_bound_mb: number;
  /** Values of the output compared with the input's (check_converted_sample.py), all equal. */
  values_checked: number;
}

export interface ScaleSummary {
  cases: ScaleCase[];
  notes: string[];
}

function rel(path: string): string {
  return path.startsWith(REPO_ROOT + '/') ? path.slice(REPO_ROOT.length + 1) : path;
}

const KERAS2TFJS_BIN = join(REPO_ROOT, (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin.keras2tfjs);

/** Generates the huge models that are missing (minutes for 5 GB; ~100 MB of memory). */
export function ensureHugeModels(): void {
  for (const h of HUGE_FILES) {
    if (existsSync(h.file)) continue;
    process.stderr.write(`bench: generating ${rel(h.file)} (Keras structure, ${h.layers} kernels of 200 MB)\n`);
    runPythonScript(projectPython(), 'make_huge_model.py', ['--layers', String(h.layers), h.file]);
  }
}

/** Bytes of the largest weight listed in a written model.json. */
function largestTensorBytes(dir: string): number {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: Array<{ weights: Array<{ shape: number[] }> }> };
  return Math.max(...json.weightsManifest.flatMap((g) => g.weights.map((w) => w.shape.reduce((a, b) => a * b, 1) * 4)));
}

function checked(run: TimedRun, what: string): TimedRun {
  if (run.returncode !== 0) throw new Error(`${what} failed: ${run.error}`);
  return run;
}

/** One file: rounds of cp and convert, alternating which goes first. */
export function measureAgainstCopy(file: string, rounds: number): ScaleCase {
  mkdirSync(OUT_DIR, { recursive: true });
  const copy = join(OUT_DIR, 'copy.keras');
  const out = join(OUT_DIR, 'converted');
  // Read once first: every timed run then starts from the same warm page cache.
  checked(runTimed(['dd', `if=${file}`, 'of=/dev/null', 'bs=8M']), `reading ${rel(file)}`);
  const cpRuns: TimedRun[] = [];
  const convertRuns: TimedRun[] = [];
  let largest = 0;
  let checkedValues = 0;
  const cp = () => {
    rmSync(copy, { force: true });
    cpRuns.push(checked(runTimed(['cp', file, copy]), 'cp'));
    rmSync(copy, { force: true });
  };
  const convert = () => {
    rmSync(out, { recursive: true, force: true });
    convertRuns.push(checked(runTimed([process.execPath, KERAS2TFJS_BIN, 'convert', file, out]), `keras2tfjs convert ${rel(file)}`));
    largest = largestTensorBytes(out);
    if (checkedValues === 0) {
      // The output holds the input's values: sampled in every weight, compared bit for bit.
      const check = runPythonScript<{ ok: boolean; values_compared: number }>(projectPython(), 'check_converted_sample.py', [file, out]);
      checkedValues = check.values_compared;
    }
    rmSync(out, { recursive: true, force: true });
  };
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      cp();
      convert();
    } else {
      convert();
      cp();
    }
    process.stderr.write(`  ${rel(file)} round ${r + 1}: cp ${cpRuns[r].seconds.toFixed(2)} s, convert ${convertRuns[r].seconds.toFixed(2)} s (peak RSS ${convertRuns[r].peak_rss_mb.toFixed(0)} MB)\n`);
  }
  const ratios = cpRuns.map((c, i) => convertRuns[i].seconds / c.seconds);
  return {
    file: rel(file),
    bytes: statSync(file).size,
    largest_tensor_bytes: largest,
    rounds,
    cp_seconds: round4(median(cpRuns.map((r) => r.seconds))),
    cp_runs: cpRuns.map((r) => round4(r.seconds)),
    convert_seconds: round4(median(convertRuns.map((r) => r.seconds))),
    convert_runs: convertRuns.map((r) => round4(r.seconds)),
    ratio_vs_cp: round4(median(ratios)),
    convert_peak_rss_mb: round4(Math.max(...convertRuns.map((r) => r.peak_rss_mb))),
    cp_peak_rss_mb: round4(Math.max(...cpRuns.map((r) => r.peak_rss_mb))),
    rss_bound_mb: round4(largest / 2 ** 20 + RSS_HEADROOM_MB),
    values_checked: checkedValues,
  };
}

/** The scale cases: the 100 MB bench model (if present), then the generated 1.6 GB and 5 GB ones. */
export function runScaleBench(largeModel: string | null, logError: ErrorLog): ScaleSummary {
  const out: ScaleSummary = { cases: [], notes: [] };
  try {
    ensureHugeModels();
  } catch (e) {
    logError('scale/generate huge models', e);
  }
  const inputs = [...(largeModel && existsSync(largeModel) ? [{ file: largeModel, rounds: 5 }] : []), ...HUGE_FILES];
  for (const { file, rounds } of inputs) {
    if (!existsSync(file)) {
      out.notes.push(`${rel(file)} is missing: not measured`);
      continue;
    }
    process.stderr.write(`bench: ${rel(file)} against cp\n`);
    try {
      out.cases.push(measureAgainstCopy(file, rounds));
    } catch (e) {
      logError(`scale/${rel(file)}`, e);
    }
  }
  rmSync(OUT_DIR, { recursive: true, force: true });
  return out;
}
