/**
 * The optimizers as tfjs serializable classes, their argument checks, and the L2 penalty tfjs
 * adds for a kernel regularizer (Keras 3 `L2(l2)` adds l2·Σw² to the loss; tfjs' l1l2 with
 * l1 = 0 adds Σ(l2·w²), the same sum in another rounding order).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { switchBackend } from '../helpers/backends.js';
import { KerasAdam } from '../../src/train/adam.js';
import { KerasAdamW } from '../../src/train/adamw.js';
import { KerasRMSprop } from '../../src/train/rmsprop.js';
import { KerasSGD } from '../../src/train/sgd.js';
import { expectNoLeaks } from '../helpers/tensor_asserts.js';
import { loadTrajectoryArray, trajectoryCase } from './trajectory_fixture.js';

/** float32 summation of 160 products vs the float64 formula: a few ulp of the result (~0.1). */
const PENALTY_TOLERANCE = 1e-7;

describe('Keras optimizers as tfjs classes', () => {
  beforeAll(async () => {
    await switchBackend('cpu');
  });

  it.each([
    ['KerasSGD', () => new KerasSGD({ learningRate: 0.05, momentum: 0.9, nesterov: true, clipnorm: 1 })],
    ['KerasRMSprop', () => new KerasRMSprop({ rho: 0.8, momentum: 0.5, centered: true, epsilon: 0.01 })],
    ['KerasAdam', () => new KerasAdam({ beta1: 0.8, amsgrad: true, globalClipnorm: 2 })],
    ['KerasAdamW', () => new KerasAdamW({ weightDecay: 0.2 })],
  ])('%s is registered and round-trips through its config', (className, make) => {
    const original = make();
    const registered = tf.serialization.SerializationMap.getMap().classNameMap[className];
    expect(registered).toBeDefined();
    const [cls, fromConfig] = registered;
    const copy = fromConfig(cls, original.getConfig());
    expect(copy.getClassName()).toBe(className);
    expect(copy.getConfig()).toEqual(original.getConfig());
  });

  it('has Keras 3 defaults', () => {
    expect(new KerasSGD().getConfig()).toMatchObject({ learning_rate: 0.01, momentum: 0, nesterov: false });
    expect(new KerasRMSprop().getConfig()).toMatchObject({ learning_rate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false });
    expect(new KerasAdam().getConfig()).toMatchObject({ learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false });
    expect(new KerasAdamW().getConfig()).toMatchObject({ learning_rate: 0.001, weight_decay: 0.004 });
  });

  it('rejects invalid arguments with the shared template', () => {
    expect(() => new KerasSGD({ momentum: 1.5 })).toThrow('Invalid value for `momentum`: expected a number in [0, 1]. Received: momentum=1.5');
    expect(() => new KerasAdam({ learningRate: -1 })).toThrow('Invalid value for `learningRate`: expected a positive number. Received: learningRate=-1');
    expect(() => new KerasSGD({ clipnorm: 1, clipvalue: 1 })).toThrow('at most one of clipnorm, clipvalue and globalClipnorm');
    expect(() => new KerasAdamW({ weightDecay: null })).toThrow('`weightDecay`');
  });

  it('counts iterations like Keras (0 before the first update) and leaks nothing per step', async () => {
    const w = tf.variable(tf.tensor1d([1, -2, 3]), true, 'iterations_test_w');
    const opt = new KerasAdam({ learningRate: 0.1 });
    expect(opt.iterations).toBe(0);
    opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
    expect(opt.iterations).toBe(1);
    await expectNoLeaks(() => {
      for (let i = 0; i < 3; i++) opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
    });
    expect(opt.iterations).toBe(4);
    const saved = await opt.getWeights();
    expect(saved.map((s) => s.name)).toEqual(['iter', 'iterations_test_w/momentum', 'iterations_test_w/velocity']);
    opt.dispose();
    w.dispose();
  });

  it("tfjs' L2 kernel penalty equals Keras' l2·Σw² on the fixture's kernel", () => {
    const { model } = trajectoryCase();
    const kernel = loadTrajectoryArray('initial_hidden_kernel.npy');
    let keras = 0;
    for (const v of kernel.data) keras += v * v;
    keras *= model.l2;
    const w = tf.tensor(kernel.data, kernel.shape);
    const penalty = tfl.regularizers.l2({ l2: model.l2 }).apply(w);
    expect(Math.abs(penalty.dataSync()[0] - keras)).toBeLessThan(PENALTY_TOLERANCE);
    tf.dispose([w, penalty]);
  });
});
