/**
 * Conversion, side by side: the official tensorflowjs_converter and keras2tfjs on the same
 * files — the seed model's .h5 (fixtures) and a generated ~100 MB model — plus where the
 * official tool fails on Keras 3 files (it exits with an error, or it writes a model.json that
 * tfjs-layers cannot load).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConvertSectionResult } from '../sections/convert.js';
import type { LoadCheckResult } from '../sections/load_check.js';
import type { ErrorLog } from '../run.js';
import { runPythonScript, runSectionProcess, runTimed, type TimedRun } from './child.js';
import { OFFICIAL_CONVERTER, ensureOfficialConverter, runOfficial, type OfficialInputFormat } from './official.js';
import { CACHE_DIR, REPO_ROOT, projectPython } from './paths.js';
import { median, round4 } from './stats.js';

const LARGE_DIR = join(CACHE_DIR, 'large');
const OUT_DIR = join(CACHE_DIR, 'convert-out');
export const LARGE_FILES = {
  keras3Keras: join(LARGE_DIR, 'large_keras3.keras'),
  keras3H5: join(LARGE_DIR, 'large_keras3.h5'),
  tfkerasH5: join(LARGE_DIR, 'large_tfkeras.h5'),
};
const SEED_DIR = join(REPO_ROOT, 'fixtures', 'seed_lambda');
/** The seed model saved by tf_keras (Keras 2): the official converter's own kind of input (1,000 inputs). */
const SEED_TFKERAS_H5 = join(REPO_ROOT, 'fixtures', 'seed_lambda_tfkeras', 'model.h5');

export interface OfficialAttempt {
  input: string;
  input_format: OfficialInputFormat;
  seconds: number;
  peak_rss_mb: number;
  /** The converter exited 0. */
  converted: boolean;
  /** tfjs-layers loads what it wrote. */
  loads_in_tfjs: boolean | null;
  /** The converter's error, or tfjs' error when loading its output. */
  error: string | null;
}

export interface ConvertSummary {
  /** Median over alternating rounds of official / keras2tfjs whole-process wall time on the seed .h5. */
  seed_model_speedup_vs_official: number | null;
  large_model_seconds: number | null;
  large_model_read_floor_seconds: number | null;
  peak_rss_mb: number | null;
  seed_model: {
    file: string | null;
    /** Whole process (start-up included), median. */
    official_seconds: number | null;
    official_runs: number[];
    /** Whole process (start-up included), median. */
    keras2tfjs_seconds: number | null;
    keras2tfjs_runs: number[];
    /** convertToDirectory inside a warm process (no start-up), median. */
    keras2tfjs_in_process: ConvertSectionResult | null;
  };
  /** Same comparison on the tf_keras seed .h5, which the official converter handles fully. */
  seed_model_tfkeras_h5: {
    file: string;
    official_seconds: number | null;
    official_loads_in_tfjs: boolean | null;
    official_error: string | null;
    keras2tfjs_seconds: number | null;
    speedup_vs_official: number | null;
  } | null;
  large_model: {
    file: string;
    bytes: number;
    in_process: ConvertSectionResult;
    whole_process: { seconds: number; peak_rss_mb: number } | null;
    /** keras2tfjs on the official converter's large input (Keras 2 .h5), whole process. */
    same_h5_as_official: { file: string; seconds: number; peak_rss_mb: number } | null;
  } | null;
  /** The last official run on the seed model (its output checked in tfjs). */
  official_seed_attempt: OfficialAttempt | null;
  official_large_tfkeras_h5: OfficialAttempt | null;
  /** Keras 3 inputs given to the official converter, and what happened. */
  official_on_keras3: OfficialAttempt[];
  notes: string[];
}

function rel(path: string): string {
  return path.startsWith(REPO_ROOT + '/') ? path.slice(REPO_ROOT.length + 1) : path;
}

/** The ~100 MB model in its three files, generated with Python Keras when missing. */
export function ensureLargeModels(): void {
  if (!existsSync(LARGE_FILES.keras3Keras) || !existsSync(LARGE_FILES.keras3H5)) {
    process.stderr.write('bench: generating the ~100 MB model with Keras 3\n');
    runPythonScript(projectPython(), 'make_large_model.py', ['--flavor', 'keras3', LARGE_DIR]);
  }
  if (!existsSync(LARGE_FILES.tfkerasH5)) {
    process.stderr.write('bench: generating the ~100 MB model with tf_keras (Keras 2)\n');
    runPythonScript(projectPython(), 'make_large_model.py', ['--flavor', 'tfkeras', LARGE_DIR]);
  }
}

/** The seed model's HDF5 file among the fixtures, if that fixture exists yet. */
export function seedModelH5(): string | null {
  if (!existsSync(SEED_DIR)) return null;
  const h5 = readdirSync(SEED_DIR).filter((f) => f.endsWith('.h5')).sort();
  return h5.length > 0 ? join(SEED_DIR, h5[0]) : null;
}

function officialAttempt(input: string, format: OfficialInputFormat, name: string): OfficialAttempt {
  const outDir = join(OUT_DIR, `official-${name}`);
  const run: TimedRun = runOfficial(input, outDir, format);
  const attempt: OfficialAttempt = {
    input: rel(input),
    input_format: format,
    seconds: round4(run.seconds),
    peak_rss_mb: round4(run.peak_rss_mb),
    converted: run.returncode === 0,
    loads_in_tfjs: null,
    error: run.error ?? null,
  };
  if (attempt.converted) {
    const check = runSectionProcess<LoadCheckResult>('load_check', ['--dir', outDir]);
    attempt.loads_in_tfjs = check.loads;
    if (!check.loads) attempt.error = `converted, but tfjs-layers cannot load it: ${check.error}`;
  }
  process.stderr.write(
    `  official ${format} ${rel(input)}: ${attempt.seconds} s, ${attempt.converted ? 'converted' : 'FAILED'}` +
      `${attempt.loads_in_tfjs === false ? ', does not load in tfjs' : ''}${attempt.error ? ` (${attempt.error})` : ''}\n`,
  );
  return attempt;
}

export function runConvertBench(quick: boolean, logError: ErrorLog): ConvertSummary {
  const out: ConvertSummary = {
    seed_model_speedup_vs_official: null,
    large_model_seconds: null,
    large_model_read_floor_seconds: null,
    peak_rss_mb: null,
    seed_model: { file: null, official_seconds: null, official_runs: [], keras2tfjs_seconds: null, keras2tfjs_runs: [], keras2tfjs_in_process: null },
    seed_model_tfkeras_h5: null,
    large_model: null,
    official_seed_attempt: null,
    official_large_tfkeras_h5: null,
    official_on_keras3: [],
    notes: [],
  };
  mkdirSync(OUT_DIR, { recursive: true });
  try {
    ensureLargeModels();
  } catch (e) {
    logError('convert/generate large model', e);
  }

  let official = existsSync(OFFICIAL_CONVERTER);
  if (!official && !quick) {
    process.stderr.write('bench: creating the official converter venv (bench/python/setup_official_converter.sh)\n');
    try {
      ensureOfficialConverter();
      official = true;
    } catch (e) {
      logError('convert/official venv', e);
    }
  }
  if (!official) out.notes.push('official converter venv missing: --quick does not create it (the full bench does)');

  const seed = seedModelH5();
  out.seed_model.file = seed === null ? null : rel(seed);
  if (seed === null) out.notes.push('fixtures/seed_lambda/*.h5 does not exist yet: no seed-model comparison');

  if (official) {
    process.stderr.write('bench: official tensorflowjs_converter\n');
    try {
      if (existsSync(LARGE_FILES.tfkerasH5)) out.official_large_tfkeras_h5 = officialAttempt(LARGE_FILES.tfkerasH5, 'keras', 'large-tfkeras-h5');
      // Keras 3 files: the .keras zip (as a Keras file, and with the converter's own
      // keras_keras reader) and a Keras 3 legacy .h5.
      const keras3: Array<[string, OfficialInputFormat, string]> = [
        [LARGE_FILES.keras3Keras, 'keras', 'keras3-keras-as-keras'],
        [LARGE_FILES.keras3Keras, 'keras_keras', 'keras3-keras-as-keras_keras'],
        [LARGE_FILES.keras3H5, 'keras', 'keras3-h5'],
      ];
      for (const [input, format, name] of keras3) {
        if (existsSync(input)) out.official_on_keras3.push(officialAttempt(input, format, name));
      }
    } catch (e) {
      logError('convert/official', e);
    }
  }
  process.stderr.write('bench: keras2tfjs converter (seed models: alternating with the official one)\n');
  try {
    runKeras2tfjs(quick, seed, official, out);
  } catch (e) {
    logError('convert/keras2tfjs', e);
  }
  return out;
}

/** The command users run (package.json "bin", built by `npm run build`), like `tensorflowjs_converter` on the other side. */
const KERAS2TFJS_BIN = join(REPO_ROOT, (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin.keras2tfjs);
/** The seed model's dropout Lambda (a function named 'dropout') → ManualDropout; unused on the large model. */
const SEED_LAMBDA = 'dropout=ManualDropout:{"rate":0.5}';

/** A fresh `keras2tfjs convert` process converting one file once: wall time and peak RSS from outside. */
function keras2tfjsProcess(input: string, name: string): TimedRun {
  const out = join(OUT_DIR, `keras2tfjs-${name}`);
  rmSync(out, { recursive: true, force: true });
  const run = runTimed([process.execPath, KERAS2TFJS_BIN, 'convert', input, out, '--lambda', SEED_LAMBDA]);
  if (run.returncode !== 0) throw new Error(`keras2tfjs on ${rel(input)} failed: ${run.error}`);
  return run;
}

interface PairedComparison {
  official_runs: number[];
  keras2tfjs_runs: number[];
  /** Median of per-round (official / keras2tfjs) ratios; null without the official converter. */
  speedup: number | null;
  lastOfficial: OfficialAttempt | null;
}

/**
 * Official converter and keras2tfjs on the same file, alternating one run each per round, so
 * outside load that comes and goes hits both; the speedup is the median of per-round ratios.
 */
function compareOnFile(input: string, name: string, rounds: number, official: boolean): PairedComparison {
  const result: PairedComparison = { official_runs: [], keras2tfjs_runs: [], speedup: null, lastOfficial: null };
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const ours = keras2tfjsProcess(input, name).seconds;
    result.keras2tfjs_runs.push(round4(ours));
    if (official) {
      result.lastOfficial = officialAttempt(input, 'keras', name);
      result.official_runs.push(result.lastOfficial.seconds);
      ratios.push(result.lastOfficial.seconds / ours);
    }
  }
  if (ratios.length > 0) result.speedup = round4(median(ratios));
  process.stderr.write(
    `  ${rel(input)}: keras2tfjs ${median(result.keras2tfjs_runs).toFixed(3)} s` +
      (result.speedup === null ? '' : `, official ${median(result.official_runs).toFixed(3)} s, speedup ${result.speedup}x`) +
      ` (whole processes, ${rounds} alternating rounds)\n`,
  );
  return result;
}

function runKeras2tfjs(quick: boolean, seed: string | null, official: boolean, out: ConvertSummary): void {
  const rounds = quick ? 2 : 5;
  if (seed !== null) {
    const c = compareOnFile(seed, 'seed', rounds, official);
    out.official_seed_attempt = c.lastOfficial;
    out.seed_model.official_runs = c.official_runs;
    out.seed_model.official_seconds = c.official_runs.length > 0 ? round4(median(c.official_runs)) : null;
    out.seed_model.keras2tfjs_runs = c.keras2tfjs_runs;
    out.seed_model.keras2tfjs_seconds = round4(median(c.keras2tfjs_runs));
    out.seed_model_speedup_vs_official = c.speedup;
    out.seed_model.keras2tfjs_in_process = runSectionProcess<ConvertSectionResult>('convert', [
      '--input', seed, '--out', join(OUT_DIR, 'keras2tfjs-seed'), '--reps', quick ? '5' : '15',
    ]);
  }
  if (existsSync(SEED_TFKERAS_H5)) {
    const c = compareOnFile(SEED_TFKERAS_H5, 'seed-tfkeras', rounds, official);
    out.seed_model_tfkeras_h5 = {
      file: rel(SEED_TFKERAS_H5),
      official_seconds: c.official_runs.length > 0 ? round4(median(c.official_runs)) : null,
      official_loads_in_tfjs: c.lastOfficial?.loads_in_tfjs ?? null,
      official_error: c.lastOfficial?.error ?? null,
      keras2tfjs_seconds: round4(median(c.keras2tfjs_runs)),
      speedup_vs_official: c.speedup,
    };
  }
  if (!existsSync(LARGE_FILES.keras3Keras)) return;
  const large = runSectionProcess<ConvertSectionResult>('convert', [
    '--input', LARGE_FILES.keras3Keras, '--out', join(OUT_DIR, 'keras2tfjs-large'), '--reps', quick ? '2' : '5',
  ]);
  out.large_model = { file: rel(LARGE_FILES.keras3Keras), bytes: statSync(LARGE_FILES.keras3Keras).size, in_process: large, whole_process: null, same_h5_as_official: null };
  out.large_model_seconds = large.convert_to_directory_seconds;
  out.large_model_read_floor_seconds = large.read_floor_seconds;
  const whole = keras2tfjsProcess(LARGE_FILES.keras3Keras, 'large');
  out.large_model.whole_process = { seconds: round4(whole.seconds), peak_rss_mb: round4(whole.peak_rss_mb) };
  out.peak_rss_mb = round4(whole.peak_rss_mb);
  if (!quick && existsSync(LARGE_FILES.tfkerasH5)) {
    // The very file the official converter handles (Keras 2 .h5), whole process both sides.
    const h5 = keras2tfjsProcess(LARGE_FILES.tfkerasH5, 'large-tfkeras-h5');
    out.large_model.same_h5_as_official = { file: rel(LARGE_FILES.tfkerasH5), seconds: round4(h5.seconds), peak_rss_mb: round4(h5.peak_rss_mb) };
  }
}
