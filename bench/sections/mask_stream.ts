/**
 * Raw uniform-stream speed, values per second: keras2tfjs' Philox (TensorFlow's stream) and
 * Threefry (JAX's), vs `tf.randomUniform` (the JavaScript alea generator tf.layers.dropout
 * draws its masks with), for the same count of float32 values.
 *
 * Flags: --backend cpu|wasm|tensorflow (only tf.randomUniform depends on it)  [--quick]
 */
import * as tf from '@tensorflow/tfjs-core';
import { philoxUniform, threefryUniform } from '../../src/index.js';
import type { BackendName } from '../../src/backend.js';
import { switchTo } from '../lib/backends.js';
import { log, runSection, stringFlag } from '../lib/section.js';
import { round4, timeRepeated } from '../lib/stats.js';

/** 4 M values: the size of a [512, 4096] fp32 mask ×2, long enough to time, short enough to repeat. */
const COUNT = 1 << 22;
const SEED: [number, number] = [1234, 5];

export interface MaskStreamResult {
  backend: BackendName;
  count: number;
  philox_values_per_s: number;
  threefry_values_per_s: number;
  /** JAX's other layout (jax_threefry_partitionable=False, JAX < 0.5 default). */
  threefry_original_values_per_s: number;
  tfjs_random_uniform_values_per_s: number;
}

async function main(args: Record<string, string | true>): Promise<MaskStreamResult> {
  const backend = stringFlag(args, 'backend') as BackendName;
  const quick = args['quick'] === true;
  await switchTo(backend);
  const opts = quick ? { warmup: 1, reps: 5, maxSeconds: 3 } : { warmup: 2, reps: 15, maxSeconds: 10 };
  const out = new Float32Array(COUNT);
  const perSecond = (ms: number) => round4((COUNT / ms) * 1000);

  const philox = timeRepeated(() => philoxUniform(SEED, COUNT, out), opts);
  const threefry = timeRepeated(() => threefryUniform(SEED, COUNT, { partitionable: true }, out), opts);
  const threefryOriginal = timeRepeated(() => threefryUniform(SEED, COUNT, { partitionable: false }, out), opts);
  const tfjs = timeRepeated(() => tf.randomUniform([COUNT], 0, 1, 'float32', 1234).dispose(), opts);
  const result: MaskStreamResult = {
    backend,
    count: COUNT,
    philox_values_per_s: perSecond(philox.medianMs),
    threefry_values_per_s: perSecond(threefry.medianMs),
    threefry_original_values_per_s: perSecond(threefryOriginal.medianMs),
    tfjs_random_uniform_values_per_s: perSecond(tfjs.medianMs),
  };
  log(
    `${backend}: philox ${(result.philox_values_per_s / 1e6).toFixed(1)} M/s, threefry ` +
      `${(result.threefry_values_per_s / 1e6).toFixed(1)} M/s, tf.randomUniform ` +
      `${(result.tfjs_random_uniform_values_per_s / 1e6).toFixed(1)} M/s`,
  );
  return result;
}

runSection(main);
