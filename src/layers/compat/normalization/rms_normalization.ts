/**
 * RMSNormalization: Keras 3's root-mean-square normalization
 * (keras/src/layers/normalization/rms_normalization.py), which tfjs lacks:
 * y = x · rsqrt(mean(x², axis) + ε) · scale, with one learned `scale` per entry of the
 * normalized axes.
 */
import { add, mean, mul, reshape, rsqrt, serialization, square, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable } from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface RMSNormalizationArgs extends LayerArgs {
  axis?: number | number[];
  /** Keras' default 1e-6. */
  epsilon?: number;
}

export class RMSNormalization extends layers.Layer {
  static className = 'RMSNormalization';
  readonly axis: number[];
  readonly epsilon: number;
  private scale: LayerVariable | null = null;

  constructor(args: RMSNormalizationArgs = {}) {
    super(args);
    this.axis = Array.isArray(args.axis) ? [...args.axis] : [args.axis ?? -1];
    this.epsilon = args.epsilon ?? 1e-6;
    this.supportsMasking = true;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const axes = this.axis.map((a) => (a < 0 ? a + shape.length : a)).sort((a, b) => a - b);
    this.scale = this.addWeight('scale', axes.map((a) => shape[a] as number), 'float32', initializers.ones());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const axes = this.axis.map((a) => (a < 0 ? a + x.rank : a)).sort((a, b) => a - b);
      const normed = mul(x, rsqrt(add(mean(square(x), axes, true), this.epsilon)));
      // The scale has the normalized axes' shape; it broadcasts when they are the last ones.
      const scale = (this.scale as LayerVariable).read();
      const shape = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
      return mul(normed, reshape(scale, shape));
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), axis: this.axis, epsilon: this.epsilon };
  }
}
serialization.registerClass(RMSNormalization);
