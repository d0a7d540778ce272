/**
 * ManualDropout vs tf.layers.dropout: one training-mode forward + backward pass
 * (d/dx of sum(dropout(x))), same backend, same shapes, same rate. Run once per backend.
 *
 * Flags: --backend cpu|wasm|tensorflow  [--quick]
 */
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { ManualDropout, philoxUniform, threefryUniform, type DropoutRng } from '../../src/index.js';
import type { BackendName } from '../../src/backend.js';
import { switchTo } from '../lib/backends.js';
import { log, runSection, stringFlag } from '../lib/section.js';
import { round4, timeRepeated, type RepeatOptions } from '../lib/stats.js';

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
  /** ManualDropout forward+backward per rng: median ms and the ratio to tf.layers.dropout. */
  manual: Record<DropoutRng, { ms: number; ratio_vs_tf_layers_dropout: number }>;
  /** Where ManualDropout's time goes: drawing the uniforms alone (pure JavaScript), median ms. */
  draw_only_ms: { philox: number; threefry: number; tf_random_uniform: number };
}

export interface DropoutSectionResult {
  backend: BackendName;
  rate: number;
  shapes: Record<string, DropoutShapeResult>;
}

function forwardBackward(layer: layers.Layer, x: tf.Tensor): () => void {
  const f = (v: tf.Tensor) => tf.sum(layer.apply(v, { training: true }) as tf.Tensor);
  const grad = tf.grad(f);
  return () => {
    // cpu, wasm and tfjs-node (eager TensorFlow) all run kernels synchronously, so the
    // gradient is computed when grad() returns; no read-back is needed.
    grad(x).dispose();
  };
}

function repeatOptions(count: number, quick: boolean): RepeatOptions {
  // Enough repetitions for a stable median, bounded in time (the cpu backend is slow).
  if (quick) return { warmup: 1, reps: count > 100_000 ? 3 : 15, maxSeconds: 2 };
  return { warmup: 2, reps: count > 100_000 ? 9 : 41, maxSeconds: 8 };
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
    const before = tf.memory().numTensors;

    const reference = layers.dropout({ rate: RATE, seed: SEED });
    const refTiming = timeRepeated(forwardBackward(reference, x), opts);
    log(`${backend} ${key} tf.layers.dropout ${refTiming.medianMs.toFixed(2)} ms`);

    const manual = {} as DropoutShapeResult['manual'];
    for (const rng of RNGS) {
      const layer = new ManualDropout({ rate: RATE, seed: SEED, rng });
      const t = timeRepeated(forwardBackward(layer, x), opts);
      manual[rng] = { ms: round4(t.medianMs), ratio_vs_tf_layers_dropout: round4(t.medianMs / refTiming.medianMs) };
      log(`${backend} ${key} ManualDropout rng=${rng} ${t.medianMs.toFixed(2)} ms (ratio ${(t.medianMs / refTiming.medianMs).toFixed(3)})`);
    }

    const out = new Float32Array(count);
    const drawOpts = { ...opts, warmup: 1 };
    const draw_only_ms = {
      philox: round4(timeRepeated(() => philoxUniform([SEED, 1], count, out), drawOpts).medianMs),
      threefry: round4(timeRepeated(() => threefryUniform([SEED, 1], count, { partitionable: true }, out), drawOpts).medianMs),
      tf_random_uniform: round4(
        timeRepeated(() => tf.randomUniform(shape, 0, 1, 'float32', SEED).dispose(), drawOpts).medianMs,
      ),
    };
    x.dispose();
    if (tf.memory().numTensors !== before - 1) {
      throw new Error(`dropout bench leaked tensors on ${backend}: ${tf.memory().numTensors} vs ${before - 1}`);
    }
    shapes[key] = { tf_layers_dropout_ms: round4(refTiming.medianMs), manual, draw_only_ms };
  }
  return { backend, rate: RATE, shapes };
}

runSection(main);
