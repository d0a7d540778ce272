/**
 * Resuming training where Keras stopped: `loadKerasModel(file, {compile: true})` restores the
 * iteration count and every optimizer slot from real Keras files (fixtures/resume_state: Keras 3
 * .keras and .h5, tf.keras .h5 and SavedModel, current and legacy optimizers), and 10 steps in
 * TypeScript reach the weights Keras reached in its own 10 continued steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, loadKerasModel, type ConversionReport } from '../../src/convert/convert.js';
import { readSource } from '../../src/convert/read/read_source.js';
import { compileFromKerasConfig } from '../../src/train/compile_config.js';
import type { KerasOptimizer } from '../../src/train/keras_optimizer.js';
import { restoreOptimizerState } from '../../src/train/optimizer_state.js';
import { TEST_BACKENDS, switchBackend } from '../helpers/backends.js';
import { fixtureCase, fixturePath, loadFixture } from '../helpers/fixtures.js';

/**
 * The bound: |Δ| ≤ 1e-5 · max(1, max |w|) per weight tensor after every step. Both sides
 * apply Keras' update formulas in float32; what differs is the gradients' summation order
 * (a few ulps), which 10 steps carry forward. A slot restored in the wrong place, or not at all,
 * moves weights by about the learning rate (1e-2), far beyond it (checked below).
 */
const RELATIVE = 1e-5;

interface ResumeCase {
  model: { rows: number; batch: number; steps: number };
  runs: Record<string, { keras: string; optimizer: string; files: string[]; iterations_saved: number; weights: string[] }>;
}
const spec = fixtureCase<ResumeCase>('resume_state');
const x = loadFixture('resume_state', 'x.npy', { as: 'float32' });
const y = loadFixture('resume_state', 'y.npy', { as: 'float32' });
const cases = Object.entries(spec.runs).flatMap(([run, r]) => r.files.map((file) => [run, file] as const));

function rows(a: { shape: number[]; data: ArrayLike<number> }, step: number): tf.Tensor {
  const { batch, rows: total } = spec.model;
  const start = (step * batch) % total;
  const width = a.shape.slice(1).reduce((p, d) => p * d, 1);
  return tf.tensor(Float32Array.from(a.data).subarray(start * width, (start + batch) * width), [batch, ...a.shape.slice(1)]);
}

/** The tfjs weight Keras calls `path` ('hidden/kernel', 'norm/moving_mean'). */
function weightAt(model: LayersModel, path: string): tf.Tensor {
  const [layer, name] = path.split('/');
  const w = model.getLayer(layer).weights.find((v) => (v.originalName ?? v.name).split('/').pop() === name);
  if (!w) throw new Error(`no weight ${path}`);
  return w.read();
}

/** Trains the 10 continued steps; returns the worst |Δ| / max(1, max |w|) over all weights and steps. */
async function continueAndCompare(model: LayersModel, run: string): Promise<number> {
  let worst = 0;
  for (let step = 0; step < spec.model.steps; step++) {
    const [xs, ys] = [rows(x, step), rows(y, step)];
    await model.trainOnBatch(xs, ys);
    tf.dispose([xs, ys]);
    spec.runs[run].weights.forEach((path, i) => {
      const want = loadFixture('resume_state', `${run}/step_weights_${i}.npy`, { as: 'float32' });
      const size = want.shape.slice(1).reduce((p, d) => p * d, 1);
      const expected = (want.data as Float32Array).subarray(step * size, (step + 1) * size);
      const got = weightAt(model, path).dataSync();
      let scale = 1;
      let diff = 0;
      for (let k = 0; k < size; k++) {
        scale = Math.max(scale, Math.abs(expected[k]));
        diff = Math.max(diff, Math.abs(got[k] - expected[k]));
      }
      worst = Math.max(worst, diff / scale);
    });
  }
  return worst;
}

async function load(run: string, file: string, warnings: string[] = []): Promise<{ model: LayersModel; report: ConversionReport }> {
  let report!: ConversionReport;
  const model = await loadKerasModel(fixturePath('resume_state', `${run}/${file}`), {
    compile: true,
    exactDropout: true,
    rng: 'tensorflow',
    onWarning: (w) => warnings.push(w),
    onReport: (r) => (report = r),
  });
  return { model, report };
}

function dispose(model: LayersModel): void {
  model.optimizer.dispose();
  model.dispose();
}

describe.each(TEST_BACKENDS)('loadKerasModel({compile: true}) resumes the optimizer Keras saved (%s)', (backend) => {
  const measured: Record<string, number> = {};
  beforeAll(async () => {
    await switchBackend(backend);
  });
  afterAll(() => {
    console.log('resume: worst |Δ| / max(1, max|w|) per file:', JSON.stringify(measured, null, 1));
  });

  it.each(cases)('%s/%s: restores the iteration count and slots, and 10 steps match Keras', async (run, file) => {
    const warnings: string[] = [];
    const { model, report } = await load(run, file, warnings);
    expect(warnings).toEqual([]);
    expect(report.compileDropped).toEqual([]);
    expect(report.optimizerIterations).toBe(spec.runs[run].iterations_saved);
    expect((model.optimizer as KerasOptimizer).iterations).toBe(spec.runs[run].iterations_saved);
    const worst = await continueAndCompare(model, run);
    measured[`${run}/${file}`] = worst;
    expect(worst).toBeLessThanOrEqual(RELATIVE);
    dispose(model);
  });

  it.each(['adam', 'rmsprop_centered', 'sgd_momentum', 'tfk_legacy_adam_amsgrad'])(
    '%s: without the restored state the same 10 steps miss Keras by far more than the tolerance',
    async (run) => {
      const { model, report } = await load(run, spec.runs[run].files[0]);
      compileFromKerasConfig(model, report.trainingConfig); // a fresh optimizer: step 0, zero slots
      expect(await continueAndCompare(model, run)).toBeGreaterThan(100 * RELATIVE);
      dispose(model);
    },
  );
});

describe('when the file holds no usable optimizer state', () => {
  beforeAll(async () => {
    await switchBackend('cpu');
  });

  it('a tf.keras file with a compile config and no optimizer weights: compiled fresh, with a warning', async () => {
    const warnings: string[] = [];
    const { model, report } = await load('no_state', 'model.h5', warnings);
    expect(warnings).toEqual([
      'model.h5: the file holds no optimizer state (saved without it, or never trained): training starts with a fresh optimizer (step 0, zero slots), not where Keras stopped',
    ]);
    expect(report.warnings).toContain(warnings[0]);
    expect(report.optimizerIterations).toBe(0);
    dispose(model);
  });

  it('a Keras 3 model compiled but never trained: step 0, said once', async () => {
    const warnings: string[] = [];
    const { model, report } = await load('untrained', 'model.keras', warnings);
    expect(warnings).toEqual([
      "model.keras: the file's optimizer never took a step (compiled, never trained): training starts at step 0",
    ]);
    expect(report.optimizerIterations).toBe(0);
    dispose(model);
  });

  it('state that does not fit the model is not restored, and the warning says why', async () => {
    // A plain conversion leaves the optimizer state unread (it needs none, and damage there must not fail it).
    expect((await convert(fixturePath('resume_state', 'adam/model.keras'))).model.optimizerWeights).toBeNull();
    const source = await readSource(fixturePath('resume_state', 'adam/model.keras'), { optimizerState: true });
    const { model, report } = await load('adam', 'model.keras');
    const saved = source.optimizerWeights ?? null;
    expect(saved?.weights.length).toBe(2 + 2 * 6); // iterations, learning rate, m and v of 6 trainable weights
    const { optimizer } = compileFromKerasConfig(model, report.trainingConfig);
    const truncated = { name: saved?.name ?? null, weights: (saved?.weights ?? []).slice(0, -2) };
    const result = await restoreOptimizerState(model, optimizer, truncated);
    expect(result).toEqual({
      iterations: 0,
      restored: false,
      warning:
        "the file's optimizer state cannot be restored (it holds 11 slot variables; Adam keeps momentum, velocity for each of 6 trainable weights): training starts with a fresh optimizer (step 0, zero slots), not where Keras stopped",
    });
    expect(optimizer.iterations).toBe(0);
    dispose(model);
  });
});
