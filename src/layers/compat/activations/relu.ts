/**
 * KerasReLU: Keras' ReLU layer with a negative slope or a threshold (tfjs' ReLU has neither):
 *
 *   x ≥ max_value: max_value;  threshold ≤ x < max_value: x;  otherwise: negative_slope·(x − threshold)
 *
 * computed in Keras 3's order (keras/src/activations/activations.py ReLU.static_call): leaky_relu
 * when only a slope is set; else where(x > threshold, x, 0) (relu6 for max_value 6, relu without
 * a threshold), clipped to max_value, minus slope · relu(threshold − x).
 */
import { add, clipByValue, greater, leakyRelu, mul, neg, relu, relu6, serialization, sub, tidy, where, zerosLike, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface KerasReLUArgs extends LayerArgs {
  maxValue?: number | null;
  negativeSlope?: number;
  threshold?: number;
}

export class KerasReLU extends layers.Layer {
  static className = 'KerasReLU';
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(args: KerasReLUArgs = {}) {
    super(args);
    this.maxValue = args.maxValue ?? null;
    this.negativeSlope = args.negativeSlope ?? 0;
    this.threshold = args.threshold ?? 0;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const slope = this.negativeSlope;
      const t = this.threshold;
      if (slope !== 0 && this.maxValue === null && t === 0) return leakyRelu(x, slope);
      const negativePart = slope !== 0 ? relu(t !== 0 ? add(neg(x), t) : neg(x)) : null;
      let out: Tensor;
      let clip = this.maxValue !== null;
      if (t !== 0) out = where(greater(x, t), x, zerosLike(x));
      else if (this.maxValue === 6) {
        out = relu6(x);
        clip = false;
      } else out = relu(x);
      if (clip) out = clipByValue(out, 0, this.maxValue as number);
      return negativePart ? sub(out, mul(slope, negativePart)) : out;
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), maxValue: this.maxValue, negativeSlope: this.negativeSlope, threshold: this.threshold };
  }
}
serialization.registerClass(KerasReLU);
