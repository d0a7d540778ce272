/**
 * Keras compile configs → tfjs compile arguments: real configs from the trajectories fixture
 * (Keras 3 compile_config and Keras 2 training_config), plus the settings we report as dropped.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { switchBackend } from '../helpers/backends.js';
import { Keras2TfjsError } from '../../src/errors.js';
import { compileFromKerasConfig, kerasCompileArgs } from '../../src/train/compile_config.js';
import { tfjsMetric, type KerasMetricFn } from '../../src/train/loss_config.js';
import { KerasAdam } from '../../src/train/adam.js';
import { KerasAdamW } from '../../src/train/adamw.js';
import { KerasRMSprop } from '../../src/train/rmsprop.js';
import { KerasSGD } from '../../src/train/sgd.js';
import { trajectoryCase } from './trajectory_fixture.js';

const spec = trajectoryCase();

function model(units: number, outputs = 1): tfl.LayersModel {
  const input = tfl.input({ shape: [4] });
  const heads = Array.from({ length: outputs }, (_, i) =>
    tfl.layers.dense({ units, name: `head${i}` }).apply(input) as tfl.SymbolicTensor,
  );
  return tfl.model({ inputs: input, outputs: heads });
}

describe('compileFromKerasConfig', () => {
  beforeAll(async () => {
    await switchBackend('cpu');
  });

  it('maps every Keras 3 compile_config of the fixture to our optimizer with Keras hyperparameters', () => {
    for (const [run, { optimizer: className, arguments: args, compile_config }] of Object.entries(spec.runs)) {
      const { optimizer, loss, metrics, dropped } = kerasCompileArgs(model(1), compile_config);
      expect(dropped, run).toEqual([]);
      expect(optimizer.getClassName(), run).toBe(`Keras${className}`);
      expect(Math.fround(optimizer.learningRate), run).toBe(Math.fround(args['learning_rate'] as number));
      expect(typeof loss, run).toBe('function');
      expect(metrics, run).toEqual(['binaryAccuracy']);
      optimizer.dispose();
    }
  });

  it('reads each optimizer argument the fixture set', () => {
    const get = (run: string) => kerasCompileArgs(model(1), spec.runs[run].compile_config).optimizer;
    const nesterov = get('sgd_nesterov') as KerasSGD;
    expect([nesterov.momentum, nesterov.nesterov]).toEqual([0.9, true]);
    expect((get('sgd_clipnorm') as KerasSGD).clipnorm).toBe(0.05);
    expect((get('sgd_weight_decay') as KerasSGD).weightDecay).toBe(0.05);
    const centered = get('rmsprop_centered') as KerasRMSprop;
    expect([centered.rho, centered.momentum, centered.centered, centered.epsilon]).toEqual([0.9, 0.5, true, 1e-7]);
    expect((get('rmsprop_clipvalue') as KerasRMSprop).clipvalue).toBe(0.01);
    const amsgrad = get('adam_amsgrad') as KerasAdam;
    expect([amsgrad.beta1, amsgrad.beta2, amsgrad.amsgrad]).toEqual([0.9, 0.999, true]);
    expect((get('adam_global_clipnorm') as KerasAdam).globalClipnorm).toBe(0.1);
    const adamw = get('adamw') as KerasAdamW;
    expect([adamw.getClassName(), adamw.weightDecay]).toEqual(['KerasAdamW', 0.1]);
  });

  it('compiles the model so fit/trainOnBatch use our optimizer', () => {
    const m = model(1);
    const { optimizer } = compileFromKerasConfig(m, spec.runs['adam'].compile_config);
    expect(m.optimizer).toBe(optimizer);
    m.dispose();
    optimizer.dispose();
  });

  it('compiles a Sequential freshly loaded from JSON (not yet built, so tfjs has no outputNames yet)', async () => {
    const seq = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [4], name: 'out' })] });
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(seq.toJSON(null, false) as object));
    const { compile_config } = Object.values(spec.runs)[0];
    const { metrics, dropped } = compileFromKerasConfig(loaded, compile_config);
    expect(dropped).toEqual([]);
    expect(metrics).toEqual(['binaryAccuracy']);
    expect(loaded.outputNames).toEqual(['out']);
  });

  it('lists what it cannot express instead of silently changing training', () => {
    const { dropped, optimizer } = kerasCompileArgs(model(3, 2), {
      optimizer: {
        module: 'keras.optimizers',
        class_name: 'SGD',
        config: {
          learning_rate: {
            module: 'keras.optimizers.schedules',
            class_name: 'ExponentialDecay',
            config: { initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.9 },
          },
          use_ema: true,
          gradient_accumulation_steps: 4,
          loss_scale_factor: 128,
        },
      },
      loss: { head0: 'categorical_crossentropy', head1: { class_name: 'MeanSquaredError', config: { reduction: 'sum' } } },
      metrics: { head0: ['accuracy'], head1: ['mae'] },
      loss_weights: [1, 0.5],
    });
    expect(optimizer.learningRate).toBe(0.1);
    optimizer.dispose();
    expect(dropped).toEqual([
      "optimizer.learning_rate: schedule 'ExponentialDecay' (kept constant at its initial_learning_rate 0.1)",
      'optimizer.use_ema: exponential moving average of the weights',
      'optimizer.loss_scale_factor=128: loss scaling',
      'optimizer.gradient_accumulation_steps=4: gradient accumulation',
      "loss[head1].reduction='sum': tfjs averages over the batch (sum_over_batch_size)",
      "metrics for output 'head1'",
      'loss_weights=[1,0.5]: tfjs compile has none',
    ]);
  });

  it("resolves 'accuracy' as Keras does: binary for 1 unit, sparse for a sparse loss, else categorical", () => {
    const accuracyFor = (units: number, loss: string) =>
      kerasCompileArgs(model(units), { optimizer: 'adam', loss, metrics: ['accuracy'] }).metrics;
    expect(accuracyFor(1, 'mse')).toEqual(['binaryAccuracy']);
    expect(accuracyFor(5, 'sparse_categorical_crossentropy')).toEqual(['sparseCategoricalAccuracy']);
    expect(accuracyFor(5, 'categorical_crossentropy')).toEqual(['categoricalAccuracy']);
  });

  it("a sparse loss with 'accuracy' compiles: tfjs' metric table has no 'sparseCategoricalAccuracy', compile gets its function", () => {
    const m = model(3);
    compileFromKerasConfig(m, { optimizer: 'rmsprop', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    expect(m.metricsNames).toEqual(['loss', 'sparseCategoricalAccuracy']);
    const metric = tfjsMetric('sparseCategoricalAccuracy') as KerasMetricFn;
    expect(metric.kerasIdentifier).toBe('sparse_categorical_accuracy');
    const labels = tf.tensor2d([[0], [2], [1]]);
    const probabilities = tf.tensor2d([[0.8, 0.1, 0.1], [0.1, 0.2, 0.7], [0.6, 0.3, 0.1]]);
    expect(Array.from(metric(labels, probabilities).dataSync())).toEqual([1, 1, 0]);
    tf.dispose([labels, probabilities]);
    m.dispose();
  });

  it('reads legacy Keras 2 optimizer configs (lr, decay)', () => {
    const { optimizer, dropped } = kerasCompileArgs(model(1), {
      optimizer_config: { class_name: 'RMSprop', config: { lr: 0.002, rho: 0.9, decay: 0.01, epsilon: 1e-7 } },
      loss: 'binary_crossentropy',
    });
    expect(optimizer).toBeInstanceOf(KerasRMSprop);
    expect(optimizer.learningRate).toBe(0.002);
    expect(dropped).toEqual(['optimizer.decay=0.01: legacy per-step learning-rate decay (learning rate kept constant)']);
  });

  it('refuses optimizers and losses it cannot reproduce, with a stable code', () => {
    const nadam = () => kerasCompileArgs(model(1), { optimizer: 'nadam', loss: 'mse' });
    expect(nadam).toThrow(Keras2TfjsError);
    expect(nadam).toThrow("optimizer 'nadam' has no Keras-exact TypeScript version");
    const hinge = () => kerasCompileArgs(model(1), { optimizer: 'sgd', loss: 'hinge' });
    expect(hinge).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_SEMANTICS' }));
    expect(hinge).toThrow("loss 'hinge'");
    expect(() => kerasCompileArgs(model(1), { loss: 'mse' })).toThrow('compile config has no optimizer');
    expect(() => kerasCompileArgs(model(1), { optimizer: 'sgd' })).toThrow('compile config has no loss');
  });
});
