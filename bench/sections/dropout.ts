/**
 * ManualDropout vs tf.layers.dropout: one training-mode forward + backward pass (the
 * vector-Jacobian product of dropout at x with a fixed upstream gradient dy: what the layer
 * costs inside a training step), same backend, same shapes, same rate. Run once per backend.
 *
 * Flags: --backend cpu|wasm|tensorflow  [--quick]
 */
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { ManualDropout, philoxUniform, threefryUniform, type DropoutRng } from '../../src/index.js';
import type { NodeBackendName as BackendName } from '../../src/backend.js';
import { switchTo } from '../lib/backends.js';
import { log, runSection, stringFlag } from '../lib/section.js';
import { medianRatio, round4, timeInterleaved, type RepeatOptions } from '../lib/stats.js';

/** The shapes the issue asks for: a Dense(16) activation, a wide layer, an image-like tensor. */
export const DROPOUT_SHAPES: number[][] = [
  [512, 16],
  [512, 4096],
  [64, 128, 128],
];
const RATE = 0.5;
const SEED = 1234;
const RNGS: DropoutRng[] = ['tensorflow', 'jax', 'tfjs'];

export interface DropoutShapeResult {
  /** tf.layers.dropout forward+backward, median ms. */
  tf_layers_dropout_ms: number;
  /** ManualDropout forward+backward per rng: median ms, and the median of per-round ratios to tf.layers.dropout. */
  manual: Record<DropoutRng, { ms: number; ratio_vs_tf_layers_dropout: number }>;
  /** Where ManualDropout's time goes: drawing the uniforms alone (pure JavaScript), median ms. */
  draw_only_ms: { philox: number; threefry: number; tf_random_uniform: number };
}

export interface DropoutSectionResult {
  backend: BackendName;
  rate: number;
  shapes: Record<string, DropoutShapeResult>;
}

function forwardBackward(layer: layers.Layer, x: tf.Tensor, dy: tf.Tensor): () => void {
  // The layer's own backward pass, fed a fixed upstream gradient `dy`: no loss op (a sum and
  // its gradient would add the same ~12 ms of [512, 4096] work to both contenders).
  const grad = tf.grad((v: tf.Tensor) => layer.apply(v, { training: true }) as tf.Tensor);
  return () => {
    // cpu, wasm and tfjs-node (eager TensorFlow) all run kernels synchronously, so the
    // gradient is computed when grad() returns; no read-back is needed.
    grad(x, dy).dispose();
  };
}

function repeatOptions(count: number, quick: boolean): RepeatOptions {
  // Enough repetitions for a stable median, bounded in time (the cpu backend is slow).
  if (quick) return { warmup: 1, reps: count > 100_000 ? 5 : 15, maxSeconds: 6 };
  return { warmup: 2, reps: count > 100_000 ? 11 : 41, maxSeconds: 20 };
}

async function main(args: Record<string, string | true>): Promise<DropoutSectionResult> {
  const backend = stringFlag(args, 'backend') as BackendName;
  const quick = args['quick'] === true;
  await switchTo(backend);
  const shapes: Record<string, DropoutShapeResult> = {};
  for (const shape of DROPOUT_SHAPES) {
    const key = shape.join('x');
    const count = shape.reduce((a, b) => a * b, 1);
    const opts = repeatOptions(count, quick);
    const x = tf.randomNormal(shape, 0, 1, 'float32', 7);
    const dy = tf.randomNormal(shape, 0, 1, 'float32', 8);
    const before = tf.memory().numTensors;

    // All four contenders run round-robin (lib/stats.ts timeInterleaved); each ratio is the
    // median of the per-round ratios, so load from other processes cancels out.
    const reference = layers.dropout({ rate: RATE, seed: SEED });
    const contenders = { reference: forwardBackward(reference, x, dy) } as Record<'reference' | DropoutRng, () => void>;
    for (const rng of RNGS) contenders[rng] = forwardBackward(new ManualDropout({ rate: RATE, seed: SEED, rng }), x, dy);
    const { timings, rounds } = timeInterleaved(contenders, opts);
    log(`${backend} ${key} tf.layers.dropout ${timings.reference.medianMs.toFixed(2)} ms (${rounds.length} rounds)`);
    const manual = {} as DropoutShapeResult['manual'];
    for (const rng of RNGS) {
      const ratio = medianRatio(rounds, rng, 'reference');
      manual[rng] = { ms: round4(timings[rng].medianMs), ratio_vs_tf_layers_dropout: round4(ratio) };
      log(`${backend} ${key} ManualDropout rng=${rng} ${timings[rng].medianMs.toFixed(2)} ms (ratio ${ratio.toFixed(3)})`);
    }
    const refTiming = timings.reference;

    const out = new Float32Array(count);
    const draws = timeInterleaved(
      {
        philox: () => philoxUniform([SEED, 1], count, out),
        threefry: () => threefryUniform([SEED, 1], count, { partitionable: true }, out),
        tf_random_uniform: () => tf.randomUniform(shape, 0, 1, 'float32', SEED).dispose(),
      },
      { ...opts, warmup: 1 },
    ).timings;
    const draw_only_ms = {
      philox: round4(draws.philox.medianMs),
      threefry: round4(draws.threefry.medianMs),
      tf_random_uniform: round4(draws.tf_random_uniform.medianMs),
    };
    x.dispose();
    dy.dispose();
    if (tf.memory().numTensors !== before - 2) {
      throw new Error(`dropout bench leaked tensors on ${backend}: ${tf.memory().numTensors} vs ${before - 2}`);
    }
    shapes[key] = { tf_layers_dropout_ms: round4(refTiming.medianMs), manual, draw_only_ms };
  }
  return { backend, rate: RATE, shapes };
}

runSection(main);
