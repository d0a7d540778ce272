/**
 * Keras' global pooling layers where tfjs has none or a narrower one: GlobalAveragePooling3D and
 * GlobalMaxPooling3D (tfjs has no 3D global pooling), and the 1D/2D ones with `keepdims=True`
 * (Keras 2.6+ and Keras 3; MobileNetV3's squeeze-and-excite blocks use it), which tfjs' always
 * drop. A mean or max over the spatial axes: 1..rank for channels_last, 2..rank+1 for
 * channels_first, kept as size-1 axes when `keepdims`.
 */
import { max, mean, serialization, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface GlobalPoolingArgs extends LayerArgs {
  /** 'channelsLast' (Keras 'channels_last', the default) or 'channelsFirst'. */
  dataFormat?: 'channelsLast' | 'channelsFirst';
  /** Keep the pooled axes as size 1. */
  keepdims?: boolean;
}

abstract class GlobalPooling extends layers.Layer {
  protected abstract readonly spatialRank: number;
  protected abstract readonly reduce: 'mean' | 'max';
  readonly dataFormat: 'channelsLast' | 'channelsFirst';
  readonly keepdims: boolean;

  constructor(args: GlobalPoolingArgs = {}) {
    super(args);
    this.dataFormat = args.dataFormat ?? 'channelsLast';
    this.keepdims = args.keepdims ?? false;
  }

  private axes(): number[] {
    const start = this.dataFormat === 'channelsFirst' ? 2 : 1;
    return Array.from({ length: this.spatialRank }, (_, i) => start + i);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const axes = this.axes();
    if (this.keepdims) return shape.map((d, i) => (axes.includes(i) ? 1 : d));
    return shape.filter((_, i) => !axes.includes(i));
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return this.reduce === 'mean' ? mean(x, this.axes(), this.keepdims) : max(x, this.axes(), this.keepdims);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), dataFormat: this.dataFormat, keepdims: this.keepdims };
  }
}

export class GlobalAveragePooling3D extends GlobalPooling {
  static className = 'GlobalAveragePooling3D';
  protected readonly spatialRank = 3;
  protected readonly reduce = 'mean';
}
serialization.registerClass(GlobalAveragePooling3D);

export class GlobalMaxPooling3D extends GlobalPooling {
  static className = 'GlobalMaxPooling3D';
  protected readonly spatialRank = 3;
  protected readonly reduce = 'max';
}
serialization.registerClass(GlobalMaxPooling3D);

/** Keras GlobalAveragePooling1D(keepdims=True). */
export class KeepDimsGlobalAveragePooling1D extends GlobalPooling {
  static className = 'KeepDimsGlobalAveragePooling1D';
  protected readonly spatialRank = 1;
  protected readonly reduce = 'mean';
}
serialization.registerClass(KeepDimsGlobalAveragePooling1D);

/** Keras GlobalMaxPooling1D(keepdims=True). */
export class KeepDimsGlobalMaxPooling1D extends GlobalPooling {
  static className = 'KeepDimsGlobalMaxPooling1D';
  protected readonly spatialRank = 1;
  protected readonly reduce = 'max';
}
serialization.registerClass(KeepDimsGlobalMaxPooling1D);

/** Keras GlobalAveragePooling2D(keepdims=True). */
export class KeepDimsGlobalAveragePooling2D extends GlobalPooling {
  static className = 'KeepDimsGlobalAveragePooling2D';
  protected readonly spatialRank = 2;
  protected readonly reduce = 'mean';
}
serialization.registerClass(KeepDimsGlobalAveragePooling2D);

/** Keras GlobalMaxPooling2D(keepdims=True). */
export class KeepDimsGlobalMaxPooling2D extends GlobalPooling {
  static className = 'KeepDimsGlobalMaxPooling2D';
  protected readonly spatialRank = 2;
  protected readonly reduce = 'max';
}
serialization.registerClass(KeepDimsGlobalMaxPooling2D);
