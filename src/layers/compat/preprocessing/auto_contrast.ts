/**
 * AutoContrast: Keras 3's per-image, per-channel contrast stretch (keras/src/layers/preprocessing/
 * image_preprocessing/auto_contrast.py), applied at inference too: the values mapped from
 * value_range to [0, 255], stretched so each channel's min becomes 0 and max 255
 * (x·255/(max − min) − min·255/(max − min)), clipped, mapped back; a channel that is constant
 * (NaN after the division) keeps its input. tfjs lacks it.
 */
import { add, clipByValue, div, isNaN, max, min, mul, neg, serialization, sub, tidy, where, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface AutoContrastArgs extends LayerArgs {
  /** The range of the input values (Keras' default [0, 255]). */
  valueRange?: [number, number];
}

export class AutoContrast extends layers.Layer {
  static className = 'AutoContrast';
  readonly valueRange: [number, number];

  constructor(args: AutoContrastArgs = {}) {
    super(args);
    this.valueRange = args.valueRange ?? [0, 255];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  /** Keras' _transform_value_range: (x − from_min)/(from_max − from_min)·(to_max − to_min) + to_min. */
  private static rescale(x: Tensor, from: [number, number], to: [number, number]): Tensor {
    if (from[0] === to[0] && from[1] === to[1]) return x;
    return add(mul(div(sub(x, from[0]), from[1] - from[0]), to[1] - to[0]), to[0]);
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const original = Array.isArray(inputs) ? inputs[0] : inputs;
      const images = AutoContrast.rescale(original, this.valueRange, [0, 255]);
      const low = min(images, [1, 2], true);
      const high = max(images, [1, 2], true);
      const scale = div(255, sub(high, low));
      const offset = mul(neg(low), scale);
      const stretched = clipByValue(add(mul(images, scale), offset), 0, 255);
      const results = AutoContrast.rescale(stretched, [0, 255], this.valueRange);
      return where(isNaN(results), original, results);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), valueRange: this.valueRange };
  }
}
serialization.registerClass(AutoContrast);
