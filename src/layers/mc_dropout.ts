/**
 * Monte Carlo dropout (Gal & Ghahramani 2016): run the model N times with dropout kept on
 * and report the mean prediction and its spread.
 *
 * Only the ManualDropout layers are switched on; every other layer stays in inference mode.
 * `model.apply(x, {training: true})` would also put BatchNormalization in training mode
 * (batch statistics, moving averages updated), which is not what MC dropout means.
 */
import { add, clone, div, mul, sqrt, sub, tidy, zerosLike, type Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ErrorCode, Keras2TfjsError, invalidArgument } from '../errors.js';
import { ManualDropout } from './manual_dropout.js';

/** Default number of stochastic passes. */
export const DEFAULT_MC_SAMPLES = 30;

export interface PredictWithDropoutOptions {
  /** Number of stochastic forward passes, an integer ≥ 2 (default 30). */
  samples?: number;
  /** Batch size of each pass (default: the whole input in one batch). */
  batchSize?: number;
}

export interface DropoutPrediction {
  /** Mean of the model's output over the passes (same shape as one prediction). */
  mean: Tensor;
  /** Standard deviation over the passes (population form: divides by N). */
  std: Tensor;
}

/**
 * Predicts `samples` times with every ManualDropout layer dropping (each pass draws the next
 * mask of each layer's stream, as a training call would) and every other layer in inference
 * mode, then returns the per-element mean and standard deviation. The caller owns (and
 * disposes) both tensors. Each layer's `alwaysOn` is restored afterwards, even on error.
 */
export function predictWithDropout(
  model: LayersModel,
  x: Tensor | Tensor[],
  options: PredictWithDropoutOptions = {},
): DropoutPrediction {
  const samples = options.samples ?? DEFAULT_MC_SAMPLES;
  if (!Number.isSafeInteger(samples) || samples < 2) {
    throw invalidArgument('samples', 'an integer >= 2', samples);
  }
  if (model.outputs.length !== 1) {
    throw invalidArgument('model', 'a model with exactly one output', `${model.outputs.length} outputs`);
  }
  const dropouts = findManualDropouts(model);
  if (dropouts.length === 0) {
    throw new Keras2TfjsError(
      ErrorCode.INVALID_ARGUMENT,
      `model '${model.name}' has no ManualDropout layer, so every pass would give the same output; ` +
        'add manualDropout({rate}) layers (tf.layers.dropout stays off at inference)',
    );
  }
  const first = Array.isArray(x) ? x[0] : x;
  const batchSize = options.batchSize ?? Math.max(1, first.shape[0] ?? 1);

  const saved = dropouts.map((d) => d.alwaysOn);
  dropouts.forEach((d) => (d.alwaysOn = true));
  try {
    return meanAndStd(() => model.predict(x, { batchSize }) as Tensor, samples);
  } finally {
    dropouts.forEach((d, i) => (d.alwaysOn = saved[i]));
  }
}

/**
 * Every ManualDropout in the model, including those inside nested models. Matched by class
 * name too, so a layer built by another copy of this package (e.g. a bundled one) counts.
 */
function findManualDropouts(model: LayersModel): ManualDropout[] {
  const found: ManualDropout[] = [];
  const visit = (layer: unknown): void => {
    if (isManualDropout(layer)) found.push(layer);
    const inner = (layer as { layers?: unknown[] }).layers;
    if (Array.isArray(inner)) inner.forEach(visit);
  };
  model.layers.forEach(visit);
  return found;
}

function isManualDropout(layer: unknown): layer is ManualDropout {
  if (layer instanceof ManualDropout) return true;
  const candidate = layer as { getClassName?: () => string; alwaysOn?: unknown };
  return candidate?.getClassName?.() === ManualDropout.className && typeof candidate.alwaysOn === 'boolean';
}

/**
 * Welford's running mean and sum of squared deviations: one pass's output is alive at a
 * time, and float32 keeps its precision even when the mean is large next to the spread.
 */
function meanAndStd(pass: () => Tensor, samples: number): DropoutPrediction {
  let mean: Tensor | null = null;
  let m2: Tensor | null = null;
  try {
    for (let k = 1; k <= samples; k++) {
      const next: { mean: Tensor; m2: Tensor } = tidy(() => {
        const y = pass();
        // clone: if a pass handed back a tensor the caller owns, disposing our mean must not free it.
        if (mean === null || m2 === null) return { mean: clone(y), m2: zerosLike(y) };
        const delta = sub(y, mean);
        const newMean = add(mean, div(delta, k));
        return { mean: newMean, m2: add(m2, mul(delta, sub(y, newMean))) };
      });
      mean?.dispose();
      m2?.dispose();
      mean = next.mean;
      m2 = next.m2;
    }
    const finalM2 = m2 as Tensor;
    const std = tidy(() => sqrt(div(finalM2, samples)));
    return { mean: mean as Tensor, std };
  } catch (e) {
    mean?.dispose();
    throw e;
  } finally {
    m2?.dispose();
  }
}
