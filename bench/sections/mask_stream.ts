/**
 * Raw uniform-stream speed, values per second: keras2tfjs' Philox (TensorFlow's stream) and
 * Threefry (JAX's), vs `tf.randomUniform` (the JavaScript alea generator tf.layers.dropout
 * draws its masks with), for the same count of float32 values.
 *
 * Flags: --backend cpu|wasm|tensorflow (only tf.randomUniform depends on it)  [--quick]
 */
import * as tf from '@tensorflow/tfjs-core';
import { philoxUniform, threefryUniform } from '../../src/index.js';
import type { NodeBackendName as BackendName } from '../../src/backend.js';
import { switchTo } from '../lib/backends.js';
import { log, runSection, stringFlag } from '../lib/section.js';
import { medianRatio, round4, timeInterleaved } from '../lib/stats.js';

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
  /** Median over rounds of Philox's speed / tf.randomUniform's, measured back to back. */
  philox_vs_tfjs_random_uniform: number;
}

async function main(args: Record<string, string | true>): Promise<MaskStreamResult> {
  const backend = stringFlag(args, 'backend') as BackendName;
  const quick = args['quick'] === true;
  await switchTo(backend);
  const opts = quick ? { warmup: 1, reps: 5, maxSeconds: 3 } : { warmup: 2, reps: 15, maxSeconds: 10 };
  const out = new Float32Array(COUNT);
  const perSecond = (ms: number) => round4((COUNT / ms) * 1000);

  // Round-robin (lib/stats.ts timeInterleaved): outside load slows all four alike.
  const { timings, rounds } = timeInterleaved(
    {
      philox: () => philoxUniform(SEED, COUNT, out),
      threefry: () => threefryUniform(SEED, COUNT, { partitionable: true }, out),
      threefryOriginal: () => threefryUniform(SEED, COUNT, { partitionable: false }, out),
      tfjs: () => tf.randomUniform([COUNT], 0, 1, 'float32', 1234).dispose(),
    },
    opts,
  );
  const result: MaskStreamResult = {
    backend,
    count: COUNT,
    philox_values_per_s: perSecond(timings.philox.medianMs),
    threefry_values_per_s: perSecond(timings.threefry.medianMs),
    threefry_original_values_per_s: perSecond(timings.threefryOriginal.medianMs),
    tfjs_random_uniform_values_per_s: perSecond(timings.tfjs.medianMs),
    philox_vs_tfjs_random_uniform: round4(medianRatio(rounds, 'tfjs', 'philox')),
  };
  log(
    `${backend}: philox ${(result.philox_values_per_s / 1e6).toFixed(1)} M/s, threefry ` +
      `${(result.threefry_values_per_s / 1e6).toFixed(1)} M/s, tf.randomUniform ` +
      `${(result.tfjs_random_uniform_values_per_s / 1e6).toFixed(1)} M/s`,
  );
  return result;
}

runSection(main);
