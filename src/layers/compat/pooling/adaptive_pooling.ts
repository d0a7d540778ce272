/**
 * Keras 3's adaptive pooling (AdaptiveAveragePooling1D/2D/3D, AdaptiveMaxPooling1D/2D/3D), which
 * tfjs lacks: each spatial axis of length L is pooled to `output_size` windows. As Keras'
 * TensorFlow backend computes them (keras/src/backend/tensorflow/nn.py, "two-pool gather"):
 * window i starts at s = min(⌊i·L/n⌋, L − 1) (float32 arithmetic), ends at
 * e = min(⌈(i+1)·L/n⌉, L), and spans `big` = ⌈L/n⌉ + 1 steps when e − s equals that, else
 * `small` = ⌈L/n⌉ steps. Axes are pooled one after another (a mean or max over a box is the
 * same taken axis by axis).
 */
import { concat, max, mean, serialization, slice, tidy, transpose, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface AdaptivePoolingArgs extends LayerArgs {
  /** Output size per spatial axis (or one for all). */
  outputSize: number | number[];
  dataFormat?: 'channelsLast' | 'channelsFirst';
}

/** Keras' windows for pooling length L to n: [start, size] each. */
export function adaptiveWindows(length: number, n: number): Array<[number, number]> {
  const small = Math.ceil(length / n);
  const big = small + 1;
  const f = Math.fround;
  return Array.from({ length: n }, (_, i) => {
    const start = Math.min(Math.floor(f(f(f(i) * f(length)) / f(n))), length - 1);
    const end = Math.min(Math.ceil(f(f(f(i + 1) * f(length)) / f(n))), length);
    return [start, end - start === big ? big : small] as [number, number];
  });
}

abstract class AdaptivePooling extends layers.Layer {
  protected abstract readonly spatialRank: number;
  protected abstract readonly reduce: 'mean' | 'max';
  readonly outputSize: number[];
  readonly dataFormat: 'channelsLast' | 'channelsFirst';

  constructor(args: AdaptivePoolingArgs, rank: number) {
    super(args);
    this.outputSize = Array.isArray(args.outputSize) ? [...args.outputSize] : Array.from({ length: rank }, () => args.outputSize as number);
    this.dataFormat = args.dataFormat ?? 'channelsLast';
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = [...((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape)];
    const first = this.dataFormat === 'channelsFirst' ? 2 : 1;
    this.outputSize.forEach((n, i) => (s[first + i] = n));
    return s;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      let x = Array.isArray(inputs) ? inputs[0] : inputs;
      const rank = x.rank;
      if (this.dataFormat === 'channelsFirst') x = transpose(x, [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1]);
      this.outputSize.forEach((n, i) => {
        const axis = 1 + i;
        const parts = adaptiveWindows(x.shape[axis], n).map(([start, size]) => {
          const begin = x.shape.map((_, d) => (d === axis ? start : 0));
          const sizes = x.shape.map((d, k) => (k === axis ? Math.min(size, d - start) : d));
          const window = slice(x, begin, sizes);
          return this.reduce === 'mean' ? mean(window, axis, true) : max(window, axis, true);
        });
        x = concat(parts, axis);
      });
      if (this.dataFormat === 'channelsFirst') x = transpose(x, [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)]);
      return x;
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), outputSize: this.outputSize, dataFormat: this.dataFormat };
  }
}

export class AdaptiveAveragePooling1D extends AdaptivePooling {
  static className = 'AdaptiveAveragePooling1D';
  protected readonly spatialRank = 1;
  protected readonly reduce = 'mean';
  constructor(args: AdaptivePoolingArgs) {
    super(args, 1);
  }
}
serialization.registerClass(AdaptiveAveragePooling1D);

export class AdaptiveAveragePooling2D extends AdaptivePooling {
  static className = 'AdaptiveAveragePooling2D';
  protected readonly spatialRank = 2;
  protected readonly reduce = 'mean';
  constructor(args: AdaptivePoolingArgs) {
    super(args, 2);
  }
}
serialization.registerClass(AdaptiveAveragePooling2D);

export class AdaptiveAveragePooling3D extends AdaptivePooling {
  static className = 'AdaptiveAveragePooling3D';
  protected readonly spatialRank = 3;
  protected readonly reduce = 'mean';
  constructor(args: AdaptivePoolingArgs) {
    super(args, 3);
  }
}
serialization.registerClass(AdaptiveAveragePooling3D);

export class AdaptiveMaxPooling1D extends AdaptivePooling {
  static className = 'AdaptiveMaxPooling1D';
  protected readonly spatialRank = 1;
  protected readonly reduce = 'max';
  constructor(args: AdaptivePoolingArgs) {
    super(args, 1);
  }
}
serialization.registerClass(AdaptiveMaxPooling1D);

export class AdaptiveMaxPooling2D extends AdaptivePooling {
  static className = 'AdaptiveMaxPooling2D';
  protected readonly spatialRank = 2;
  protected readonly reduce = 'max';
  constructor(args: AdaptivePoolingArgs) {
    super(args, 2);
  }
}
serialization.registerClass(AdaptiveMaxPooling2D);

export class AdaptiveMaxPooling3D extends AdaptivePooling {
  static className = 'AdaptiveMaxPooling3D';
  protected readonly spatialRank = 3;
  protected readonly reduce = 'max';
  constructor(args: AdaptivePoolingArgs) {
    super(args, 3);
  }
}
serialization.registerClass(AdaptiveMaxPooling3D);
