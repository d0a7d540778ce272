/**
 * Repeated timings and their median. The median (not the mean) is reported everywhere: on a
 * 2-core machine shared with other work, a few runs are slowed down by outside load and the
 * median ignores them.
 */
import { performance } from 'node:perf_hooks';

export interface Timing {
  /** Median of the timed repetitions, in milliseconds. */
  medianMs: number;
  /** Every timed repetition, in milliseconds, in the order they ran. */
  samplesMs: number[];
}

export interface RepeatOptions {
  /** Untimed calls first (JIT warm-up, wasm memory growth, kernel first-use). */
  warmup: number;
  /** Timed calls (at least this many unless `maxSeconds` runs out after `minReps`). */
  reps: number;
  /** Stop timing after this many seconds once `minReps` are done. */
  maxSeconds?: number;
  /** Fewest timed calls kept even when `maxSeconds` is exceeded (default 3). */
  minReps?: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Times `fn` (synchronous) `reps` times after `warmup` untimed calls. */
export function timeRepeated(fn: () => void, opts: RepeatOptions): Timing {
  for (let i = 0; i < opts.warmup; i++) fn();
  const samples: number[] = [];
  const minReps = opts.minReps ?? 3;
  const deadline = performance.now() + (opts.maxSeconds ?? Infinity) * 1000;
  for (let i = 0; i < opts.reps; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
    if (samples.length >= minReps && performance.now() > deadline) break;
  }
  return { medianMs: median(samples), samplesMs: samples };
}

/** Rounds for the record: 4 significant digits is more than the run-to-run noise. */
export function round4(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 12)));
}

/**
 * Times several functions round-robin: each round calls every function once, in turn. Outside
 * load that comes and goes (other processes on a shared machine) then slows every contender of
 * a round alike, so per-round ratios stay meaningful when absolute times drift.
 */
export function timeInterleaved<K extends string>(
  fns: Record<K, () => void>,
  opts: RepeatOptions,
): { timings: Record<K, Timing>; rounds: Array<Record<K, number>> } {
  const names = Object.keys(fns) as K[];
  for (let i = 0; i < opts.warmup; i++) for (const n of names) fns[n]();
  const rounds: Array<Record<K, number>> = [];
  const minReps = opts.minReps ?? 3;
  const deadline = performance.now() + (opts.maxSeconds ?? Infinity) * 1000;
  for (let i = 0; i < opts.reps; i++) {
    const round = {} as Record<K, number>;
    for (const n of names) {
      const t0 = performance.now();
      fns[n]();
      round[n] = performance.now() - t0;
    }
    rounds.push(round);
    if (rounds.length >= minReps && performance.now() > deadline) break;
  }
  const timings = {} as Record<K, Timing>;
  for (const n of names) {
    const samples = rounds.map((r) => r[n]);
    timings[n] = { medianMs: median(samples), samplesMs: samples };
  }
  return { timings, rounds };
}

/** Median over rounds of (a / b) measured in the same round. */
export function medianRatio<K extends string>(rounds: Array<Record<K, number>>, a: K, b: K): number {
  return median(rounds.map((r) => r[a] / r[b]));
}
