/**
 * Step 4 of the demo: the two answers the book's reader asked for.
 * Dropout removed at test time: predict() twice gives the same numbers. Dropout kept on
 * (Monte Carlo): mean ± std over many stochastic passes, a cheap uncertainty estimate.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { predictWithDropout } from '../layers/mc_dropout.js';

export interface ReviewPrediction {
  review: number;
  label: number;
  /** predict(): dropout steps aside. */
  prediction: number;
  /** Same call again: identical when dropout is off at test time. */
  again: number;
  mcMean: number;
  mcStd: number;
}

export function predictReviews(model: LayersModel, x: tf.Tensor2D, labels: ArrayLike<number>, samples: number): ReviewPrediction[] {
  const first = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
  const second = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
  const { mean, std } = predictWithDropout(model, x, { samples });
  const m = mean.dataSync();
  const s = std.dataSync();
  mean.dispose();
  std.dispose();
  return Array.from(first, (p, i) => ({
    review: i,
    label: labels[i],
    prediction: p,
    again: second[i],
    mcMean: m[i],
    mcStd: s[i],
  }));
}
