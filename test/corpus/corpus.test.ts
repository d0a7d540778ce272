/**
 * Every model of the shared third-party corpus (68 real files, Keras 1 to 3; CORPUS.tsv has
 * their provenance and layer classes), converted as a user would:
 *
 * - a model whose layers tfjs (or keras2tfjs) implements converts, loads in tfjs through
 *   tf.io.fromMemory, and predicts what real Keras predicts on the same input
 *   (corpus_expected.json, from corpus_expected.py; Keras 1 files, which no current Keras
 *   loads, are checked for finite outputs);
 * - every other model is refused with a Keras2TfjsError whose code and one-line message name
 *   what is missing: the Lambda and the --lambda flag, the custom class and registerClass, the
 *   weights-only file and --config, the subclassed model.
 *
 * What each entry must do is derived from CORPUS.tsv, not from our output. A summary table is
 * printed at the end. Heavy image models run on wasm, the rest on cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../../src/convert/convert.js';
import { isRegisteredLayer } from '../../src/convert/normalize/layer_map.js';
import { isTfOpLayer } from '../../src/convert/normalize/operations.js';
import { Keras2TfjsError } from '../../src/errors.js';
import { switchBackend } from '../helpers/backends.js';
import { comparable, corpusEntries, corpusExpected, makeInput, type CorpusEntry } from './corpus_helpers.js';

/**
 * Keras and tfjs compute the same float32 math in a different order (tfjs cpu/wasm kernels vs
 * TensorFlow's Eigen/oneDNN: summation order inside matmuls and convolutions, fused vs unfused
 * activations). Each op's result may differ by a few ulps, and deep or recurrent models
 * accumulate that; 1e-4 absolute plus 1e-4 relative bounds it for these models while any real
 * conversion error (a transposed kernel, a wrong gate order, a missing bias) is orders larger.
 */
const PARITY_ATOL = 1e-4;
const PARITY_RTOL = 1e-4;
/** Inputs larger than this run on wasm: cpu-backend convolutions over big images take minutes. */
const WASM_INPUT_ELEMENTS = 50_000;
/** Keras 1 class names that keras2tfjs translates to their Keras 2 equivalents. */
const KERAS1_TRANSLATED = new Set(['Convolution1D', 'Convolution2D']);

type Expectation =
  | { kind: 'convert' }
  | { kind: 'refuse'; code: string; mentions: string[]; why: string };

function expectation(e: CorpusEntry): Expectation {
  if (e.format === 'h5-weights') return { kind: 'refuse', code: 'WEIGHTS_ONLY', mentions: ['--config'], why: 'weights-only' };
  if (e.classes.length === 0) {
    return { kind: 'refuse', code: 'BAD_CONFIG', mentions: ['subclassed', e.modelClass], why: 'subclassed model' };
  }
  // tf.keras TFOpLambda / SlicingOpLambda layers become KerasOperation layers (normalize/operations.ts).
  const missing = e.classes.filter((c) => c !== 'Lambda' && !KERAS1_TRANSLATED.has(c) && !isTfOpLayer({ class_name: c }) && !isRegisteredLayer(c));
  if (missing.length > 0) {
    const mentions = [...missing, 'registerClass', ...(e.hasLambda ? ['is a Lambda', '--lambda'] : [])];
    return { kind: 'refuse', code: 'UNKNOWN_LAYER', mentions, why: `custom class ${missing.join(', ')}` };
  }
  if (e.hasLambda) return { kind: 'refuse', code: 'UNMAPPED_LAMBDA', mentions: ['is a Lambda', '--lambda'], why: 'Lambda' };
  return { kind: 'convert' };
}

const entries = corpusEntries();
const expected = corpusExpected();
const results: Array<{ file: string; outcome: string; detail: string }> = [];

function isHeavy(e: CorpusEntry): boolean {
  const inputs = expected[e.file]?.inputs ?? [];
  return inputs.some((s) => s.shape.reduce((a, b) => a * b, 1) > WASM_INPUT_ELEMENTS);
}

async function checkConverts(e: CorpusEntry): Promise<void> {
  const { artifacts, report } = await convert(e.path);
  const model: LayersModel = await loadLayersModel(tf.io.fromMemory(artifacts));
  const run = expected[e.file];
  const inputs = run?.inputs
    ? run.inputs.map(makeInput)
    : model.inputs.map((i) => tf.zeros(i.shape.map((d) => d ?? 8)));
  const x = inputs.length === 1 ? inputs[0] : inputs;
  // tfjs RNN cells keep their dropout masks from the first call: warm up, then count tensors.
  tf.dispose(model.predict(x));
  const before = tf.memory().numTensors;
  const out = model.predict(x);
  const outs = Array.isArray(out) ? out : [out];
  let detail = `params ${report.parameterCount}`;
  try {
    for (const [k, y] of outs.entries()) {
      const values = y.dataSync() as Float32Array;
      expect(values.every(Number.isFinite), `${e.file}: output ${k} is finite`).toBe(true);
      const summary = run?.outputs?.[k];
      if (!summary) continue;
      expect(y.shape, `${e.file}: output ${k} shape`).toEqual(summary.shape);
      const { actual, expected: want } = comparable(values, summary);
      let worst = 0;
      for (let i = 0; i < want.length; i++) {
        const diff = Math.abs(actual[i] - want[i]);
        worst = Math.max(worst, diff);
        expect(diff, `${e.file}: output ${k}[${i}] = ${actual[i]}, Keras ${want[i]}`).toBeLessThanOrEqual(PARITY_ATOL + PARITY_RTOL * Math.abs(want[i]));
      }
      detail += `, max |Δ| vs Keras ${worst.toExponential(1)}`;
    }
    if (!run?.outputs) detail += `, finite (no Keras reference: ${run?.skipped ?? 'not loadable by Keras'})`;
  } finally {
    tf.dispose(outs);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(inputs);
    model.dispose();
  }
  results.push({ file: e.file, outcome: 'converted+loaded', detail });
}

async function checkRefused(e: CorpusEntry, x: Extract<Expectation, { kind: 'refuse' }>): Promise<void> {
  let error: unknown = null;
  try {
    await convert(e.path);
  } catch (err) {
    error = err;
  }
  if (!(error instanceof Keras2TfjsError)) {
    results.push({ file: e.file, outcome: error ? 'CRASHED' : 'CONVERTED (expected a refusal)', detail: String(error) });
  }
  expect(error, `${e.file} must be refused (${x.why})`).toBeInstanceOf(Keras2TfjsError);
  const err = error as Keras2TfjsError;
  expect(err.code, err.message).toBe(x.code);
  expect(err.message.split('\n')).toHaveLength(1);
  expect(err.message.startsWith(`${e.file}: `), err.message).toBe(true);
  for (const m of x.mentions) expect(err.message, `names '${m}'`).toContain(m);
  results.push({ file: e.file, outcome: `refused ${err.code}`, detail: x.why });
}

function runEntry(e: CorpusEntry): void {
  const x = expectation(e);
  it(`${e.file} ${x.kind === 'convert' ? 'converts, loads and predicts like Keras' : `is refused: ${x.why}`}`, async () => {
    if (x.kind === 'convert') {
      try {
        await checkConverts(e);
      } catch (err) {
        results.push({ file: e.file, outcome: err instanceof Keras2TfjsError ? `FAILED ${err.code}` : 'CRASHED', detail: String(err).slice(0, 160) });
        throw err;
      }
    } else {
      try {
        await checkRefused(e, x);
      } catch (err) {
        if (!results.some((r) => r.file === e.file)) results.push({ file: e.file, outcome: 'FAILED (wrong refusal)', detail: String(err).slice(0, 160) });
        throw err;
      }
    }
  });
}

describe('corpus on cpu', () => {
  beforeAll(() => switchBackend('cpu'));
  for (const e of entries.filter((e) => !isHeavy(e))) runEntry(e);
});

describe('corpus on wasm (large image models)', () => {
  beforeAll(() => switchBackend('wasm'));
  for (const e of entries.filter(isHeavy)) runEntry(e);
});

describe('corpus summary', () => {
  afterAll(() => {
    const count = (p: (o: string) => boolean): number => results.filter((r) => p(r.outcome)).length;
    const lines = results.map((r) => `  ${r.outcome.padEnd(26)} ${r.file}  (${r.detail})`);
    const byCode = new Map<string, number>();
    for (const r of results) if (r.outcome.startsWith('refused')) byCode.set(r.outcome, (byCode.get(r.outcome) ?? 0) + 1);
    console.log(
      [
        `corpus: ${entries.length} models`,
        ...lines,
        `converted+loaded: ${count((o) => o === 'converted+loaded')}`,
        `refused with a precise error: ${count((o) => o.startsWith('refused'))} (${[...byCode].map(([k, v]) => `${k.slice(8)} ${v}`).join(', ')})`,
        `failed: ${count((o) => o.startsWith('FAILED') || o.startsWith('CONVERTED'))}`,
        `crashed: ${count((o) => o === 'CRASHED')}`,
      ].join('\n'),
    );
  });
  it('covers every corpus entry', () => {
    expect(entries).toHaveLength(68);
  });
});
