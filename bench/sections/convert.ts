/**
 * keras2tfjs' converter on one file: `convertToDirectory` (what `keras2tfjs convert` does) and,
 * for the floor, just reading the file's bytes — both in this process, medians of --reps runs.
 * (The whole-process measurements run the `keras2tfjs convert` command itself: convert_bench.ts.)
 *
 * Flags: --input FILE  --out DIR  --reps N  [--no-floor]
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { convertToDirectory, type ConvertOptions } from '../../src/convert/convert.js';
import { log, runSection, stringFlag } from '../lib/section.js';
import { median, round4 } from '../lib/stats.js';

/** The seed model's dropout Lambda (a function named 'dropout', rate 0.5) → ManualDropout, as a user maps it. */
const OPTIONS: ConvertOptions = { lambdas: { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } } };

export interface ConvertSectionResult {
  input: string;
  reps: number;
  convert_to_directory_seconds: number;
  convert_runs_seconds: number[];
  read_floor_seconds: number | null;
  /**
   * Reading the file and writing its bytes back out as 4 MiB files (what any converter that
   * writes shards must at least do), median.
   */
  copy_floor_seconds: number | null;
  weight_bytes: number;
  parameters: number;
  /** This process's peak RSS (includes the read-floor reads when they ran). */
  process_peak_rss_mb: number;
}

/** 4 MiB: keras2tfjs' (and the official converter's) shard size. */
const SHARD_BYTES = 4 * 1024 * 1024;

function copyFloorSeconds(input: string, out: string, reps: number): number {
  const runs: number[] = [];
  for (let i = 0; i < reps; i++) {
    rmSync(out, { recursive: true, force: true });
    const t0 = performance.now();
    const bytes = readFileSync(input);
    mkdirSync(out, { recursive: true });
    for (let offset = 0, k = 0; offset < bytes.length; offset += SHARD_BYTES, k++) {
      writeFileSync(join(out, `copy${k}.bin`), bytes.subarray(offset, offset + SHARD_BYTES));
    }
    runs.push((performance.now() - t0) / 1000);
  }
  rmSync(out, { recursive: true, force: true });
  return median(runs);
}

async function main(args: Record<string, string | true>): Promise<ConvertSectionResult> {
  const input = stringFlag(args, 'input');
  const out = stringFlag(args, 'out');
  const reps = Number(stringFlag(args, 'reps'));
  let readFloor: number | null = null;
  let copyFloor: number | null = null;
  if (args['no-floor'] !== true) {
    const reads: number[] = [];
    for (let i = 0; i < reps + 1; i++) {
      const t0 = performance.now();
      const bytes = readFileSync(input);
      reads.push((performance.now() - t0) / 1000);
      if (bytes.length === 0) throw new Error(`${input} is empty`);
    }
    readFloor = median(reads.slice(1)); // the first read warms the page cache
    log(`read ${input}: ${readFloor.toFixed(4)} s`);
    copyFloor = copyFloorSeconds(input, out, reps);
    log(`read + write the same bytes as 4 MiB files: ${copyFloor.toFixed(4)} s`);
  }
  const runs: number[] = [];
  let weightBytes = 0;
  let parameters = 0;
  for (let i = 0; i < reps; i++) {
    rmSync(out, { recursive: true, force: true });
    const t0 = performance.now();
    const report = await convertToDirectory(input, out, OPTIONS);
    runs.push((performance.now() - t0) / 1000);
    weightBytes = report.weightBytes;
    parameters = report.parameterCount;
  }
  log(`keras2tfjs convertToDirectory ${input}: ${median(runs).toFixed(4)} s (median of ${reps})`);
  return {
    input,
    reps,
    convert_to_directory_seconds: round4(median(runs)),
    convert_runs_seconds: runs.map(round4),
    read_floor_seconds: readFloor === null ? null : round4(readFloor),
    copy_floor_seconds: copyFloor === null ? null : round4(copyFloor),
    weight_bytes: weightBytes,
    parameters,
    process_peak_rss_mb: round4(process.resourceUsage().maxRSS / 1024),
  };
}

runSection(main);
