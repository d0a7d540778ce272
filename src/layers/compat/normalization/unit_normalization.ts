/**
 * UnitNormalization: Keras' layer scaling each sample to unit L2 norm over `axis`, which tfjs
 * lacks. y = x · min(rsqrt(Σx²), 1/ε): Keras 3 computes ops.normalize(order=2, ε=1e-12)
 * (`normEpsilon` 1e-12); tf.keras computes tf.nn.l2_normalize(ε=1e-12) = x · rsqrt(max(Σx²,
 * 1e-12)), the same with ε = 1e-6 (`normEpsilon` 1e-6). The two differ only for vectors of
 * norm below 1e-6.
 */
import { minimum, mul, rsqrt, serialization, square, sum, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface UnitNormalizationArgs extends LayerArgs {
  /** Axis or axes normalized together. Keras' default -1. */
  axis?: number | number[];
  /** The ε in x · min(rsqrt(Σx²), 1/ε): 1e-12 (Keras 3, the default) or 1e-6 (tf.keras). */
  normEpsilon?: number;
}

export class UnitNormalization extends layers.Layer {
  static className = 'UnitNormalization';
  readonly axis: number[];
  readonly normEpsilon: number;

  constructor(args: UnitNormalizationArgs = {}) {
    super(args);
    this.axis = Array.isArray(args.axis) ? [...args.axis] : [args.axis ?? -1];
    this.normEpsilon = args.normEpsilon ?? 1e-12;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const axes = this.axis.map((a) => (a < 0 ? a + x.rank : a));
      return mul(x, minimum(rsqrt(sum(square(x), axes, true)), 1 / this.normEpsilon));
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), axis: this.axis, normEpsilon: this.normEpsilon };
  }
}
serialization.registerClass(UnitNormalization);
