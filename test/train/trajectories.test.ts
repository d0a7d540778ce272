/**
 * N-step training parity with real Keras 3 (TensorFlow backend), from the `trajectories` fixture:
 * the same model, initial weights, batches and dropout masks, trained in tfjs with the
 * Keras-exact optimizers compiled from Keras' own compile_config, must reach Python's weights
 * after 1 and after 10 steps.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualDropout } from '../../src/layers/manual_dropout.js';
import { compileFromKerasConfig } from '../../src/train/compile_config.js';
import type { KerasOptimizer } from '../../src/train/keras_optimizer.js';
import { TEST_BACKENDS, switchBackend } from '../helpers/backends.js';
import { TRAJECTORY_DIR, loadTrajectoryArray, trajectoryCase, type NpyArray } from './trajectory_fixture.js';

/**
 * Weights (|w| < 2 here) may differ from Python's by float32 rounding only: TensorFlow's matmul
 * and reduction kernels sum in a different order than tfjs', so gradients differ by a few ulp
 * (2^-24..2^-23 ≈ 6e-8..1.2e-7 at this magnitude) and the optimizers carry that forward.
 * Measured worst case over all runs and 10 steps: 2e-7. A wrong formula (e.g. tfjs' own Adam
 * epsilon placement, tested below) misses by orders of magnitude more.
 */
const WEIGHT_TOLERANCE = 1e-6;
/** The per-step loss Keras reports (about 0.7), same float32 summation-order reason. */
const LOSS_TOLERANCE = 1e-6;

const spec = trajectoryCase();
const x = loadTrajectoryArray('x.npy');
const y = loadTrajectoryArray('y.npy');
const masks = loadTrajectoryArray('masks.npy');
const initial = spec.model.weights.map((name) => loadTrajectoryArray(`initial_${name}.npy`));
const keras2Configs = JSON.parse(readFileSync(join(TRAJECTORY_DIR, 'keras2_training_configs.json'), 'utf8')) as Record<
  string,
  Record<string, unknown>
>;

function stepSlice(a: NpyArray, step: number): { data: Float32Array; shape: number[] } {
  const inner = a.shape.slice(1);
  const size = inner.reduce((p, d) => p * d, 1);
  return { data: a.data.subarray(step * size, (step + 1) * size), shape: inner };
}

/** Dense(8, relu, L2) → ManualDropout(rate, seed, rng 'tensorflow') → Dense(1, sigmoid), Python's initial weights. */
function buildModel(): tfl.LayersModel {
  const m = spec.model;
  const input = tfl.input({ shape: [m.features], name: 'features' });
  const hidden = tfl.layers
    .dense({ units: m.hidden, activation: 'relu', kernelRegularizer: tfl.regularizers.l2({ l2: m.l2 }), name: 'hidden' })
    .apply(input) as tfl.SymbolicTensor;
  const dropout = new ManualDropout({ rate: m.dropout_rate, seed: m.dropout_seed, rng: 'tensorflow', name: 'dropout' });
  const output = tfl.layers
    .dense({ units: 1, activation: 'sigmoid', name: 'output' })
    .apply(dropout.apply(hidden) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: output });
  const values = initial.map((w) => tf.tensor(w.data, w.shape));
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

/** Runs train_on_batch for steps [from, to) and returns the reported losses. */
async function train(model: tfl.LayersModel, from: number, to: number): Promise<number[]> {
  const losses: number[] = [];
  for (let step = from; step < to; step++) {
    const xs = stepSlice(x, step);
    const ys = stepSlice(y, step);
    const [xt, yt] = [tf.tensor(xs.data, xs.shape), tf.tensor(ys.data, ys.shape)];
    const logs = (await model.trainOnBatch(xt, yt)) as number[];
    tf.dispose([xt, yt]);
    losses.push(logs[0]);
  }
  return losses;
}

/** Largest |w − Python's w after `step` steps| over all weights of `run`. */
function weightDiff(model: tfl.LayersModel, run: string, step: number): number {
  let worst = 0;
  model.getWeights().forEach((w, i) => {
    const want = stepSlice(loadTrajectoryArray(`${run}/${spec.model.weights[i]}.npy`), step).data;
    const got = w.dataSync();
    for (let j = 0; j < want.length; j++) worst = Math.max(worst, Math.abs(got[j] - want[j]));
  });
  return worst;
}

function disposeModel(model: tfl.LayersModel): void {
  model.optimizer.dispose();
  model.dispose();
}

describe.each(TEST_BACKENDS)('trajectories on %s', (backend) => {
  beforeAll(async () => {
    await switchBackend(backend);
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  it('ManualDropout (rng tensorflow) draws the masks Keras drew in steps 0..9, bit for bit', () => {
    const layer = new ManualDropout({ rate: spec.model.dropout_rate, seed: spec.model.dropout_seed, rng: 'tensorflow' });
    const ones = tf.ones([spec.batch_size, spec.model.hidden]);
    for (let step = 0; step < spec.steps; step++) {
      const out = layer.apply(ones, { training: true }) as tf.Tensor;
      const kept = Array.from(out.dataSync(), (v) => (v === 0 ? 0 : 1));
      out.dispose();
      expect(kept).toEqual(Array.from(stepSlice(masks, step).data));
    }
    ones.dispose();
  });

  it.each(Object.keys(spec.runs))('%s: Keras 3 compile_config → same losses and weights after 1 and 10 steps', async (run) => {
    const model = buildModel();
    const { dropped } = compileFromKerasConfig(model, spec.runs[run].compile_config);
    expect(dropped).toEqual([]);
    const expectedLosses = loadTrajectoryArray(`${run}/losses.npy`).data;

    const first = await train(model, 0, 1);
    expect(weightDiff(model, run, 1)).toBeLessThan(WEIGHT_TOLERANCE);
    const tensorsAfterFirstStep = tf.memory().numTensors;
    const rest = await train(model, 1, spec.steps);
    expect(weightDiff(model, run, spec.steps)).toBeLessThan(WEIGHT_TOLERANCE);
    expect(tf.memory().numTensors).toBe(tensorsAfterFirstStep);
    [...first, ...rest].forEach((loss, step) => expect(Math.abs(loss - expectedLosses[step])).toBeLessThan(LOSS_TOLERANCE));
    disposeModel(model);
  });

  it.each(Object.keys(keras2Configs))('%s: the Keras 2 training_config trains like the Keras 3 run', async (run) => {
    const model = buildModel();
    const { dropped, optimizer } = compileFromKerasConfig(model, keras2Configs[run]);
    expect(dropped).toEqual([]);
    expect(optimizer.getClassName()).toBe(
      { sgd_nesterov: 'KerasSGD', rmsprop_centered: 'KerasRMSprop', adam_amsgrad: 'KerasAdam', adamw: 'KerasAdamW' }[run],
    );
    await train(model, 0, spec.steps);
    expect(weightDiff(model, run, spec.steps)).toBeLessThan(WEIGHT_TOLERANCE);
    disposeModel(model);
  });

  it('optimizer state saved after 4 steps and restored into a fresh optimizer continues the same trajectory', async () => {
    const run = 'adam_amsgrad';
    const model = buildModel();
    compileFromKerasConfig(model, spec.runs[run].compile_config);
    await train(model, 0, 4);
    const saved = await (model.optimizer as KerasOptimizer).getWeights();
    const copies = saved.map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    const weights = model.getWeights().map((w) => w.clone());
    disposeModel(model);

    const resumed = buildModel();
    resumed.setWeights(weights);
    const dropout = resumed.getLayer('dropout') as ManualDropout;
    dropout.setCallCount(4);
    const { optimizer } = compileFromKerasConfig(resumed, spec.runs[run].compile_config);
    await optimizer.setWeights(copies);
    expect(optimizer.iterations).toBe(4);
    await train(resumed, 4, spec.steps);
    expect(weightDiff(resumed, run, spec.steps)).toBeLessThan(WEIGHT_TOLERANCE);
    tf.dispose([...weights, ...copies.map((c) => c.tensor)]);
    disposeModel(resumed);
  });

  it("tfjs' own Adam (epsilon added to the bias-corrected √v̂) misses Keras' weights by far more than the tolerance", async () => {
    const run = 'adam_epsilon';
    const args = spec.runs[run].arguments as { learning_rate: number; epsilon: number };
    const model = buildModel();
    model.compile({ optimizer: tf.train.adam(args.learning_rate, 0.9, 0.999, args.epsilon), loss: 'binaryCrossentropy' });
    await train(model, 0, spec.steps);
    expect(weightDiff(model, run, spec.steps)).toBeGreaterThan(100 * WEIGHT_TOLERANCE);
    disposeModel(model);
  });
});
