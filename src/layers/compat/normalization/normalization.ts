/**
 * Normalization: Keras' preprocessing layer `Normalization` (tf.keras ≥ 2.6 and Keras 3), which
 * tfjs lacks. Inference as in Keras (keras/src/layers/preprocessing/normalization.py):
 *
 *   y = (x − mean) / max(√variance, ε)          ε = 1e-7 (keras.backend.epsilon())
 *   y = mean + x · max(√variance, ε)            when invert=True
 *
 * mean and variance have one entry per kept axis (`axis`; none kept = one scalar) and broadcast
 * over the others. They are the layer's non-trainable weights `mean`, `variance` (and Keras'
 * `count`, kept for round trips), or constants from the config when Keras was given them.
 * `adapt()` is Python-only and not reproduced.
 */
import { add, div, maximum, mul, reshape, scalar, serialization, sqrt, sub, tensor, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { invalidArgument } from '../../../errors.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

/** Keras' backend.epsilon(). */
const EPSILON = 1e-7;

export interface NormalizationArgs extends LayerArgs {
  /** Axes with their own mean and variance (Keras `axis`; a number, a list, or null/[] for none). */
  axis?: number | number[] | null;
  /** Fixed mean (scalar or one value per kept entry) instead of weights. */
  mean?: number | number[] | null;
  /** Fixed variance, with `mean`. */
  variance?: number | number[] | null;
  /** Undo a normalization instead of applying it. */
  invert?: boolean;
}

export class Normalization extends layers.Layer {
  static className = 'Normalization';
  private readonly axis: number[];
  private readonly fixedMean: number | number[] | null;
  private readonly fixedVariance: number | number[] | null;
  private readonly invert: boolean;
  private broadcastShape: number[] = [];
  private meanVar: LayerVariable | null = null;
  private varianceVar: LayerVariable | null = null;

  constructor(args: NormalizationArgs = {}) {
    super(args);
    this.axis = args.axis == null ? [] : Array.isArray(args.axis) ? [...args.axis] : [args.axis];
    this.fixedMean = args.mean ?? null;
    this.fixedVariance = args.variance ?? null;
    if ((this.fixedMean === null) !== (this.fixedVariance === null)) {
      throw invalidArgument('mean', 'a value together with `variance` (or neither)', this.fixedMean);
    }
    this.invert = args.invert ?? false;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const ndim = shape.length;
    const keep = [...new Set(this.axis.map((a) => (a < 0 ? a + ndim : a)))].sort((a, b) => a - b);
    for (const a of keep) {
      if (a < 0 || a >= ndim || shape[a] === null) {
        throw invalidArgument('axis', `axes of known size within the input's ${ndim} dimensions`, this.axis);
      }
    }
    this.broadcastShape = shape.map((d, i) => (keep.includes(i) ? (d as number) : 1));
    const statShape = keep.map((a) => shape[a] as number);
    if (this.fixedMean === null) {
      this.meanVar = this.addWeight('mean', statShape, 'float32', initializers.zeros(), undefined, false);
      this.varianceVar = this.addWeight('variance', statShape, 'float32', initializers.ones(), undefined, false);
      this.addWeight('count', [], 'int32', initializers.zeros(), undefined, false);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const mean = reshape(this.statistic(this.meanVar, this.fixedMean), this.broadcastShape);
      const variance = reshape(this.statistic(this.varianceVar, this.fixedVariance), this.broadcastShape);
      const std = maximum(sqrt(variance), scalar(EPSILON));
      return this.invert ? add(mean, mul(x, std)) : div(sub(x, mean), std);
    });
  }

  private statistic(variable: LayerVariable | null, fixed: number | number[] | null): Tensor {
    if (variable) return variable.read();
    const size = this.broadcastShape.reduce((a, b) => a * b, 1);
    const values = Array.isArray(fixed) ? fixed : new Array(size).fill(fixed);
    return tensor(values, [values.length], 'float32');
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), axis: this.axis, mean: this.fixedMean, variance: this.fixedVariance, invert: this.invert };
  }
}
serialization.registerClass(Normalization);
