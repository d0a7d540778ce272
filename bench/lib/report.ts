/**
 * The bench's outputs: bench/results/summary.json (numbers, keys as issue 7 names them, with
 * the per-backend detail beside them) and the results section of BENCHMARKS.md, which is
 * rewritten between two marker comments so the prose around it stays.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ConvertSummary } from './convert_bench.js';
import type { DropoutOverhead, MaskStream } from './dropout_bench.js';
import type { MachineInfo } from './machine.js';
import type { ScaleSummary } from './scale_bench.js';
import type { TfjsNodeStatus } from './tfjs_node_setup.js';
import type { TrainSummary } from './train_bench.js';
import { BENCHMARKS_MD, RESULTS_DIR, SUMMARY_JSON } from './paths.js';
import { median } from './stats.js';

export interface Target {
  name: string;
  target: string;
  measured: string;
  met: boolean | null;
}

export interface Summary {
  mode: 'full' | 'quick';
  generated_at: string;
  duration_s: number;
  machine: MachineInfo;
  versions: Record<string, unknown>;
  dropout_overhead: DropoutOverhead | null;
  mask_stream: MaskStream | null;
  convert: ConvertSummary | null;
  /** Gigabyte models against cp (full bench only). */
  scale: ScaleSummary | null;
  train: TrainSummary | null;
  tfjs_node: TfjsNodeStatus;
  targets: Target[];
  errors: Array<{ part: string; error: string }>;
  /** Parts an `--only` run did not measure, carried over from the run of `generated_at`. */
  kept_from?: { parts: string[]; generated_at: string };
}

export const BEGIN_MARKER = '<!-- bench:results:begin (written by npm run bench; edits inside are overwritten) -->';
export const END_MARKER = '<!-- bench:results:end -->';

function fmt(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return value.toPrecision(digits);
}

function mps(value: number | null | undefined): string {
  return value === null || value === undefined ? 'n/a' : `${(value / 1e6).toFixed(1)} M/s`;
}

function met(ok: boolean | null): string {
  return ok === null ? 'not measured' : ok ? 'met' : 'MISSED';
}

export function evaluateTargets(s: Summary): Target[] {
  const d = s.dropout_overhead?.ratio_vs_tf_layers_dropout ?? null;
  const m = s.mask_stream?.philox_vs_tfjs_random_uniform ?? null;
  const c = s.convert;
  const speedup = c?.seed_model_speedup_vs_official ?? null;
  const floorRatio =
    c?.large_model_seconds != null && c.large_model_read_floor_seconds != null
      ? c.large_model_seconds / c.large_model_read_floor_seconds
      : null;
  const t = s.train?.ratio ?? null;
  const huge = s.scale?.cases.find((c) => c.file.endsWith('keras3_5gb.keras')) ?? null;
  return [
    {
      name: 'ManualDropout (default rng) vs tf.layers.dropout, wasm, [512, 4096]',
      target: 'time ratio <= 0.5',
      measured: fmt(d),
      met: d === null ? null : d <= 0.5,
    },
    { name: 'Philox vs tf.randomUniform, values/s', target: '>= 20x', measured: m === null ? 'n/a' : `${fmt(m)}x`, met: m === null ? null : m >= 20 },
    {
      name: 'conversion vs official tensorflowjs_converter (seed model .h5, whole process)',
      target: '>= 10x faster',
      measured: speedup === null ? 'n/a' : `${fmt(speedup)}x`,
      met: speedup === null ? null : speedup >= 10,
    },
    {
      name: 'large-model conversion vs just reading the file',
      target: '<= 2x the read time',
      measured: floorRatio === null ? 'n/a' : `${fmt(floorRatio)}x`,
      met: floorRatio === null ? null : floorRatio <= 2,
    },
    {
      name: '5 GB .keras conversion (whole process): peak RSS',
      target: '<= largest tensor + 256 MB',
      measured: huge === null ? 'n/a' : `${fmt(huge.convert_peak_rss_mb)} MB (bound ${fmt(huge.rss_bound_mb)} MB)`,
      met: huge === null ? null : huge.convert_peak_rss_mb <= huge.rss_bound_mb,
    },
    {
      name: '5 GB .keras conversion (whole process) vs cp of the file',
      target: '<= 2x the copy time',
      measured: huge === null ? 'n/a' : `${fmt(huge.ratio_vs_cp)}x`,
      met: huge === null ? null : huge.ratio_vs_cp <= 2,
    },
    {
      name: `TypeScript training (best backend: ${s.train?.best_backend ?? 'n/a'}) vs Python Keras`,
      target: '>= 0.8x samples/s',
      measured: t === null ? 'n/a' : `${fmt(t)}x`,
      met: t === null ? null : t >= 0.8,
    },
    ...trainingTargets(s),
  ];
}

/** Issue 17: wasm ≥ 0.5× Keras on both models, tfjs-node ≥ 1× (samples/s, model.fit, same run). */
function trainingTargets(s: Summary): Target[] {
  const ratio = (model: 'seed' | 'conv', key: string) => s.train?.models[model]?.ratios[key] ?? null;
  const targets: Array<[string, 'seed' | 'conv', string, number]> = [
    ['TypeScript on wasm (Node) vs Python Keras, seed model', 'seed', 'node wasm', 0.5],
    ['TypeScript on wasm (Node) vs Python Keras, conv model', 'conv', 'node wasm', 0.5],
    ['TypeScript on tfjs-node vs Python Keras, seed model', 'seed', 'node tensorflow', 1],
    ['TypeScript on tfjs-node vs Python Keras, conv model', 'conv', 'node tensorflow', 1],
  ];
  return targets.map(([name, model, key, min]) => {
    const r = ratio(model, key);
    return { name, target: `>= ${min}x samples/s`, measured: r === null ? 'n/a' : `${fmt(r)}x`, met: r === null ? null : r >= min };
  });
}

/** Writes summary.json atomically (a .tmp file renamed into place). */
export function writeSummary(s: Summary): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const tmp = `${SUMMARY_JSON}.tmp`;
  writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n');
  renameSync(tmp, SUMMARY_JSON);
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function resultsMarkdown(s: Summary): string {
  const parts: string[] = [];
  const v = s.versions as Record<string, unknown> & {
    python_keras_env?: Record<string, string | null>;
    official_converter_env?: Record<string, string | null> | null;
  };
  parts.push(
    `Measured ${s.generated_at.slice(0, 16).replace('T', ' ')} UTC, \`npm run bench${s.mode === 'quick' ? ' -- --quick' : ''}\` ` +
      `(${s.mode}, ${s.duration_s} s), keras2tfjs ${v['keras2tfjs']} @ ${v['git_commit'] ?? '?'}.` +
      (s.kept_from ? ` Parts not run this time (${s.kept_from.parts.join(', ')}) are from the run of ${s.kept_from.generated_at.slice(0, 16).replace('T', ' ')} UTC.` : ''),
    '',
    `**Machine:** ${s.machine.cpu_model}, ${s.machine.cores} cores, ${s.machine.memory_gb} GB RAM, ${s.machine.os}; ` +
      `1-minute load average ${s.machine.load_average_1m.start} at the start, ${s.machine.load_average_1m.end} at the end ` +
      `(other work on the machine slows every part; ratios of round-robin runs are the robust numbers).`,
    '',
    `**Versions:** Node ${s.machine.node}; tfjs-core ${v['tfjs_core']}, tfjs-layers ${v['tfjs_layers']}, ` +
      `tfjs-backend-wasm ${v['tfjs_backend_wasm']}, tfjs-node ${v['tfjs_node'] ?? 'absent'} (${s.tfjs_node.note}); ` +
      `Python ${v.python_keras_env?.['python'] ?? '?'}, TensorFlow ${v.python_keras_env?.['tensorflow'] ?? '?'}, ` +
      `Keras ${v.python_keras_env?.['keras'] ?? '?'}; official converter: tensorflowjs ` +
      `${v.official_converter_env?.['tensorflowjs'] ?? 'absent'} on TensorFlow ${v.official_converter_env?.['tensorflow'] ?? '?'} / ` +
      `tf_keras ${v.official_converter_env?.['tf_keras'] ?? '?'}.`,
    '',
    'Every number is the median of repeated runs in this one run.',
    '',
    '### Targets',
    '',
    table(
      ['what', 'target', 'measured', ''],
      s.targets.map((t) => [t.name, t.target, t.measured, met(t.met)]),
    ),
  );

  if (s.dropout_overhead) {
    const rows: string[][] = [];
    for (const [backend, r] of Object.entries(s.dropout_overhead.per_backend)) {
      for (const [shape, x] of Object.entries(r.shapes)) {
        const cell = (rng: 'tensorflow' | 'jax' | 'tfjs') => `${fmt(x.manual[rng].ms)} (${fmt(x.manual[rng].ratio_vs_tf_layers_dropout)})`;
        rows.push([
          backend,
          `[${shape.split('x').join(', ')}]`,
          fmt(x.tf_layers_dropout_ms),
          cell('tensorflow'),
          cell('jax'),
          cell('tfjs'),
          `${fmt(x.draw_only_ms.philox)} / ${fmt(x.draw_only_ms.tf_random_uniform)}`,
        ]);
      }
    }
    parts.push(
      '',
      '### Dropout: forward + backward, ms (ratio to tf.layers.dropout)',
      '',
      'The layer in training mode and its vector-Jacobian product for a fixed upstream gradient (no loss op), median of interleaved rounds.',
      '',
      table(
        ['backend', 'shape', 'tf.layers.dropout', "ManualDropout rng 'tensorflow' (default)", "rng 'jax'", "rng 'tfjs'", 'draw only: Philox / tf.randomUniform'],
        rows,
      ),
    );
  }

  if (s.mask_stream) {
    parts.push(
      '',
      '### Mask streams: float32 uniforms per second',
      '',
      table(
        ['process backend', 'Philox (TF)', 'Threefry (JAX, partitionable)', 'Threefry (original layout)', 'tf.randomUniform'],
        Object.entries(s.mask_stream.per_backend).map(([b, r]) => [
          b,
          mps(r.philox_values_per_s),
          mps(r.threefry_values_per_s),
          mps(r.threefry_original_values_per_s),
          mps(r.tfjs_random_uniform_values_per_s),
        ]),
      ),
    );
  }

  if (s.convert) {
    const c = s.convert;
    const rows: string[][] = [];
    if (c.seed_model.file) {
      const sm = c.seed_model;
      rows.push(['official tensorflowjs_converter', sm.file!, fmt(sm.official_seconds), '', sm.official_seconds === null ? 'not run' : officialSeedResult(c)]);
      rows.push(['`keras2tfjs convert` (fresh process)', sm.file!, fmt(sm.keras2tfjs_seconds), '', sm.keras2tfjs_seconds === null ? 'not run' : 'converted']);
      if (sm.keras2tfjs_in_process) rows.push(['keras2tfjs convertToDirectory, in process', sm.file!, fmt(sm.keras2tfjs_in_process.convert_to_directory_seconds), '', '']);
    }
    if (c.seed_model_tfkeras_h5) {
      const t = c.seed_model_tfkeras_h5;
      rows.push(['official tensorflowjs_converter', `${t.file} (tf_keras)`, fmt(t.official_seconds), '', t.official_seconds === null ? 'not run' : t.official_loads_in_tfjs ? 'converted, loads in tfjs' : (t.official_error ?? 'converted, does not load in tfjs')]);
      rows.push(['`keras2tfjs convert` (fresh process)', `${t.file} (tf_keras)`, fmt(t.keras2tfjs_seconds), '', t.speedup_vs_official === null ? 'converted' : `converted (${fmt(t.speedup_vs_official)}x faster)`]);
    }
    const attemptRow = (a: NonNullable<ConvertSummary['official_large_tfkeras_h5']>) => [
      `official (--input_format ${a.input_format})`,
      a.input,
      fmt(a.seconds),
      fmt(a.peak_rss_mb, 4),
      a.converted ? (a.loads_in_tfjs ? 'converted, loads in tfjs' : (a.error ?? '')) : `fails: ${a.error ?? ''}`,
    ];
    if (c.official_large_tfkeras_h5) rows.push(attemptRow(c.official_large_tfkeras_h5));
    if (c.large_model?.same_h5_as_official) {
      const h = c.large_model.same_h5_as_official;
      rows.push(['`keras2tfjs convert` (fresh process)', h.file, fmt(h.seconds), fmt(h.peak_rss_mb, 4), 'converted']);
    }
    for (const a of c.official_on_keras3) rows.push(attemptRow(a));
    if (c.large_model) {
      const l = c.large_model;
      const mb = `${l.file} (${(l.bytes / 1e6).toFixed(0)} MB)`;
      if (l.whole_process) rows.push(['`keras2tfjs convert` (fresh process)', mb, fmt(l.whole_process.seconds), fmt(l.whole_process.peak_rss_mb, 4), 'converted']);
      rows.push(['keras2tfjs convertToDirectory, in process', mb, fmt(c.large_model_seconds), '', 'converted']);
      rows.push(['read the file only, in process (floor)', mb, fmt(c.large_model_read_floor_seconds, 2), '', '']);
      rows.push(['read it + write its bytes as 4 MiB files, in process', mb, fmt(l.in_process.copy_floor_seconds, 2), '', '']);
    }
    parts.push(
      '',
      '### Conversion: whole-process wall time, s',
      '',
      table(['tool', 'input', 'seconds', 'peak RSS MB', 'result'], rows),
    );
    if (c.notes.length > 0) parts.push('', ...c.notes.map((n) => `- ${n}`));
  }

  if (s.scale) {
    const rows = s.scale.cases.map((c) => [
      `${c.file} (${(c.bytes / 1e9).toFixed(2)} GB, largest tensor ${(c.largest_tensor_bytes / 1e6).toFixed(0)} MB)`,
      `${fmt(c.cp_seconds)} (${fmt(c.cp_peak_rss_mb)} MB)`,
      `${fmt(c.convert_seconds)} (${fmt(c.convert_peak_rss_mb)} MB)`,
      `${fmt(c.ratio_vs_cp)}x`,
      `${fmt(c.rss_bound_mb)} MB`,
      `${c.rounds}`,
    ]);
    parts.push(
      '',
      '### Scale: `keras2tfjs convert` vs `cp` of the same file, whole processes',
      '',
      'Alternating rounds (cp, convert; then convert, cp; ...) after one untimed read of the file; seconds and peak RSS are medians and maxima of the rounds, the ratio the median of per-round ratios.',
      '',
      table(['input', 'cp: s (peak RSS)', 'keras2tfjs convert: s (peak RSS)', 'convert / cp', 'RSS bound', 'rounds'], rows),
    );
    if (s.scale.notes.length > 0) parts.push('', ...s.scale.notes.map((n) => `- ${n}`));
  }

  if (s.train) {
    const t = s.train;
    for (const m of Object.values(t.models)) {
      const keras = m.samples_per_s_keras;
      const vs = (v: number) => (keras ? fmt(v / keras) : 'n/a');
      // CPU seconds per 1,000 samples (all threads): unlike samples/s, outside load does not move it.
      const cpu = (r: { epoch_cpu_seconds?: number[]; rows: number }) =>
        r.epoch_cpu_seconds && r.epoch_cpu_seconds.length > 0 ? fmt((median(r.epoch_cpu_seconds) / r.rows) * 1000) : 'n/a';
      const rows: string[][] = [];
      if (m.keras) rows.push([`Python Keras ${m.keras.keras} (TensorFlow ${m.keras.tensorflow}), 2 threads`, fmt(keras, 4), '1', cpu(m.keras)]);
      for (const [backend, r] of Object.entries(m.node)) rows.push([`TypeScript, Node, ${backend}`, fmt(r.samples_per_s, 4), vs(r.samples_per_s), cpu(r)]);
      for (const [backend, r] of Object.entries(m.browser)) {
        const simd = r.keras2tfjs_wasm_kernels && r.keras2tfjs_simd_module !== false;
        const where = backend === 'webgl' ? 'webgl on SwiftShader (CPU)' : `wasm${simd ? '' : " (without keras2tfjs' SIMD kernels)"}`;
        rows.push([`TypeScript, Chromium ${r.browser}, ${where}`, fmt(r.samples_per_s, 4), vs(r.samples_per_s), 'n/a']);
      }
      if (m.model === 'seed') {
        for (const [backend, r] of Object.entries(t.dataset_feed)) rows.push([`TypeScript, Node, ${backend}, fitDataset on batches cut in JavaScript`, fmt(r.samples_per_s, 4), vs(r.samples_per_s), cpu(r)]);
        const r = t.tfjs_optimizer_on_best_backend;
        if (r) rows.push([`TypeScript, Node, ${r.backend}, tfjs' own RMSProp (not Keras-exact)`, fmt(r.samples_per_s, 4), vs(r.samples_per_s), cpu(r)]);
      }
      const title = m.model === 'seed' ? 'seed model (IMDB Dense 16-16-1 on 10,000 multi-hot inputs), batch 512' : 'small conv model (28×28×1, Conv 16 → pool → Conv 32 → pool → Dense 10), batch 128';
      parts.push('', `### Training: ${title}, samples/s`, '', table(['side', 'samples/s', 'vs Keras', 'CPU s per 1k samples'], rows), '');
      parts.push(`Python Keras runs: ${m.keras_runs_samples_per_s.map((v) => fmt(v, 4)).join(', ')} samples/s.`);
      if (m.model === 'seed') parts.push(`Fastest epoch of each side (least disturbed by outside load): TypeScript on ${t.best_backend ?? 'n/a'} / Keras = ${fmt(t.ratio_fastest_epochs)}.`);
    }
  }

  if (s.errors.length > 0) {
    parts.push('', '### Parts that failed in this run', '', ...s.errors.map((e) => `- ${e.part}: ${e.error}`));
  }
  return parts.join('\n');
}

function officialSeedResult(c: ConvertSummary): string {
  const a = c.official_seed_attempt;
  if (a === null) return 'converted';
  return a.loads_in_tfjs ? 'converted, loads in tfjs' : (a.error ?? 'converted');
}

/** Replaces the results section of BENCHMARKS.md (between the markers), creating the file if needed. */
export function writeBenchmarksMd(s: Summary): void {
  const block = `${BEGIN_MARKER}\n${resultsMarkdown(s)}\n${END_MARKER}`;
  let text = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : `# Benchmarks\n\n${BEGIN_MARKER}\n${END_MARKER}\n`;
  const begin = text.indexOf(BEGIN_MARKER);
  const end = text.indexOf(END_MARKER);
  if (begin === -1 || end === -1 || end < begin) text = `${text.trimEnd()}\n\n${block}\n`;
  else text = text.slice(0, begin) + block + text.slice(end + END_MARKER.length);
  const tmp = `${BENCHMARKS_MD}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, BENCHMARKS_MD);
}
