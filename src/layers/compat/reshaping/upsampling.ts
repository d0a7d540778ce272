/**
 * UpSampling1D and UpSampling3D: Keras' nearest upsampling along 1 or 3 spatial axes (tfjs has
 * UpSampling2D only): each step repeated `size` times per axis.
 */
import { gather, serialization, tensor1d, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { SpatialLayer, type Shape, type SpatialArgs } from './spatial.js';

export interface UpSamplingArgs extends SpatialArgs {
  /** Factor per spatial axis, or one for all. Keras' default 2. */
  size?: number | number[];
}

abstract class UpSampling extends SpatialLayer {
  readonly size: number[];

  constructor(args: UpSamplingArgs, rank: number) {
    super(args);
    const size = args.size ?? 2;
    this.size = Array.isArray(size) ? [...size] : Array.from({ length: rank }, () => size);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = this.firstShape(inputShape);
    this.spatialAxes().forEach((a, i) => {
      if (s[a] !== null) s[a] = (s[a] as number) * this.size[i];
    });
    return s;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      let x = Array.isArray(inputs) ? inputs[0] : inputs;
      this.spatialAxes().forEach((a, i) => {
        const idx = Array.from({ length: x.shape[a] * this.size[i] }, (_, j) => Math.floor(j / this.size[i]));
        x = gather(x, tensor1d(idx, 'int32'), a);
      });
      return x;
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), size: this.size, dataFormat: this.dataFormat };
  }
}

export class UpSampling1D extends UpSampling {
  static className = 'UpSampling1D';
  protected readonly spatialRank = 1;
  constructor(args: UpSamplingArgs = {}) {
    super(args, 1);
  }
}
serialization.registerClass(UpSampling1D);

export class UpSampling3D extends UpSampling {
  static className = 'UpSampling3D';
  protected readonly spatialRank = 3;
  constructor(args: UpSamplingArgs = {}) {
    super(args, 3);
  }
}
serialization.registerClass(UpSampling3D);
