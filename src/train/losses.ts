/**
 * Keras 3 losses (TensorFlow backend formulas, keras/src/losses/losses.py and
 * keras/src/backend/tensorflow/nn.py) as tfjs loss functions `(yTrue, yPred) → per-sample loss`.
 * tfjs-layers averages the per-sample losses over the batch, which is Keras' default
 * `sum_over_batch_size` reduction for unweighted samples.
 *
 * Where tfjs' built-in loss already computes Keras' formula (mean squared / absolute error,
 * categorical crossentropy on probabilities, ...), the compile mapping uses the tfjs name.
 * These versions exist where tfjs differs:
 * - binary crossentropy on probabilities: Keras clips p to [1e-7, 1 − 1e-7] and takes
 *   −(y·log p + (1−y)·log(1−p)); tfjs converts p back to logits log(p/(1−p)) first.
 * - `from_logits` and `label_smoothing`, which tfjs' string losses cannot express.
 * - sparse categorical crossentropy on probabilities: Keras takes log(clip(p)) and runs a
 *   softmax crossentropy on it (renormalizing p); tfjs one-hot encodes and normalizes by the sum.
 *
 * One Keras behaviour no tfjs loss function can reproduce: when the model's output tensor comes
 * straight from a sigmoid/softmax, Keras 3 silently reads the pre-activation logits off that
 * tensor and uses the logits formula. A tfjs loss only sees probabilities, so it uses Keras'
 * probability formula: equal up to float32 rounding, except where the activation saturates
 * (|logit| ≳ 16), where the clipped formula has no gradient and Keras' logits formula still has.
 */
import {
  add,
  cast,
  clipByValue,
  div,
  exp,
  greaterEqual,
  log,
  log1p,
  logSoftmax,
  mean,
  mul,
  neg,
  oneHot,
  reshape,
  squeeze,
  sub,
  sum,
  tidy,
  where,
  zerosLike,
  type Tensor,
} from '@tensorflow/tfjs-core';
import { invalidArgument } from '../errors.js';

/** Keras' `backend.epsilon()` as the float32 tensor bound TensorFlow clips with. */
const KERAS_EPSILON = 1e-7;
const CLIP_LOW = Math.fround(KERAS_EPSILON);
const CLIP_HIGH = Math.fround(1 - KERAS_EPSILON);

/**
 * A loss as tfjs-layers' `compile({loss})` takes it: per-sample values, averaged by tfjs.
 * `kerasIdentifier` names its Keras twin (a loss name, or a serialized Keras loss object), so
 * exportKeras can write the compile config back for Python.
 */
export type KerasLossFn = ((yTrue: Tensor, yPred: Tensor) => Tensor) & {
  kerasIdentifier?: string | Record<string, unknown>;
};

/** Tags `fn` with its Keras identifier: the plain name for default options, else the loss object. */
function withKerasIdentifier(
  fn: (yTrue: Tensor, yPred: Tensor) => Tensor,
  name: string,
  className: string,
  config: Record<string, unknown>,
  isDefault: boolean,
): KerasLossFn {
  const tagged = fn as KerasLossFn;
  tagged.kerasIdentifier = isDefault
    ? name
    : { module: 'keras.losses', class_name: className, config: { name, ...config }, registered_name: null };
  return tagged;
}

export interface CrossentropyOptions {
  /** `yPred` holds logits instead of probabilities. Default false. */
  fromLogits?: boolean;
  /** Label smoothing in [0, 1]. Default 0. */
  labelSmoothing?: number;
}

/** Keras `binary_crossentropy(y_true, y_pred, from_logits, label_smoothing)`, mean over the last axis. */
export function kerasBinaryCrossentropy(options: CrossentropyOptions = {}): KerasLossFn {
  const fromLogits = options.fromLogits ?? false;
  const smoothing = checkSmoothing(options.labelSmoothing ?? 0);
  const fn = (yTrue: Tensor, yPred: Tensor) =>
    tidy(() => {
      let target = cast(yTrue, yPred.dtype);
      if (smoothing > 0) target = add(mul(target, 1 - smoothing), 0.5 * smoothing);
      const elementwise = fromLogits ? sigmoidCrossEntropyWithLogits(target, yPred) : binaryCrossentropyOnProbabilities(target, yPred);
      return mean(elementwise, -1);
    });
  const config = { from_logits: fromLogits, label_smoothing: smoothing };
  return withKerasIdentifier(fn, 'binary_crossentropy', 'BinaryCrossentropy', config, !fromLogits && smoothing === 0);
}

/** Keras `categorical_crossentropy(y_true, y_pred, from_logits, label_smoothing)` over the last axis. */
export function kerasCategoricalCrossentropy(options: CrossentropyOptions = {}): KerasLossFn {
  const fromLogits = options.fromLogits ?? false;
  const smoothing = checkSmoothing(options.labelSmoothing ?? 0);
  const fn = (yTrue: Tensor, yPred: Tensor) =>
    tidy(() => {
      let target = cast(yTrue, yPred.dtype);
      if (smoothing > 0) {
        const classes = yPred.shape[yPred.shape.length - 1];
        target = add(mul(target, 1 - smoothing), smoothing / classes);
      }
      // TF's fused softmax_cross_entropy_with_logits kernel equals this up to float32 rounding.
      if (fromLogits) return neg(sum(mul(target, logSoftmax(yPred, -1)), -1));
      const normalized = clipByValue(div(yPred, sum(yPred, -1, true)), CLIP_LOW, CLIP_HIGH);
      return neg(sum(mul(target, log(normalized)), -1));
    });
  const config = { from_logits: fromLogits, label_smoothing: smoothing };
  return withKerasIdentifier(fn, 'categorical_crossentropy', 'CategoricalCrossentropy', config, !fromLogits && smoothing === 0);
}

/**
 * Keras `sparse_categorical_crossentropy(y_true, y_pred, from_logits)`: integer class ids in
 * `yTrue` (shape [batch] or [batch, 1]).
 */
export function kerasSparseCategoricalCrossentropy(options: { fromLogits?: boolean } = {}): KerasLossFn {
  const fromLogits = options.fromLogits ?? false;
  const fn = (yTrue: Tensor, yPred: Tensor) =>
    tidy(() => {
      const classes = yPred.shape[yPred.shape.length - 1];
      let ids = cast(yTrue, 'int32');
      if (ids.rank === yPred.rank && ids.shape[ids.rank - 1] === 1) ids = squeeze(ids, [-1]);
      const logits = fromLogits ? yPred : log(clipByValue(yPred, CLIP_LOW, CLIP_HIGH));
      const flatIds = reshape(ids, [-1]);
      const target = reshape(oneHot(flatIds, classes), yPred.shape);
      return neg(sum(mul(cast(target, 'float32'), logSoftmax(logits, -1)), -1));
    });
  const config = { from_logits: fromLogits };
  return withKerasIdentifier(fn, 'sparse_categorical_crossentropy', 'SparseCategoricalCrossentropy', config, !fromLogits);
}

/** tf.nn.sigmoid_cross_entropy_with_logits: max(x, 0) − x·z + log1p(exp(−|x|)), as TF writes it. */
function sigmoidCrossEntropyWithLogits(labels: Tensor, logits: Tensor): Tensor {
  const zeros = zerosLike(logits);
  const nonNegative = greaterEqual(logits, zeros);
  const reluLogits = where(nonNegative, logits, zeros);
  const negAbsLogits = where(nonNegative, neg(logits), logits);
  return add(sub(reluLogits, mul(logits, labels)), log1p(exp(negAbsLogits)));
}

/** Keras' probability path: clip to [ε, 1−ε], then −(y·log p + (1−y)·log(1−p)). */
function binaryCrossentropyOnProbabilities(target: Tensor, output: Tensor): Tensor {
  const p = clipByValue(output, CLIP_LOW, CLIP_HIGH);
  const bce = add(mul(target, log(p)), mul(sub(1, target), log(sub(1, p))));
  return neg(bce);
}

function checkSmoothing(v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw invalidArgument('labelSmoothing', 'a number in [0, 1]', v);
  return v;
}
