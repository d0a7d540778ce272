/**
 * Cropping1D and Cropping3D: Keras' croppings along 1 or 3 spatial axes (tfjs has Cropping2D
 * only): (start, end) steps removed per axis.
 */
import { serialization, slice, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { pairs, SpatialLayer, type Pairs, type Shape, type SpatialArgs } from './spatial.js';

export interface CroppingArgs extends SpatialArgs {
  /** (start, end) per spatial axis, one pair for all, or one number for both ends of all. */
  cropping?: number | number[] | number[][];
}

abstract class Cropping extends SpatialLayer {
  readonly cropping: Pairs;

  constructor(args: CroppingArgs, rank: number) {
    super(args);
    this.cropping = pairs(args.cropping, rank, 1);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = this.firstShape(inputShape);
    this.spatialAxes().forEach((a, i) => {
      if (s[a] !== null) s[a] = (s[a] as number) - this.cropping[i][0] - this.cropping[i][1];
    });
    return s;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const begin = x.shape.map(() => 0);
      const size = [...x.shape];
      this.spatialAxes().forEach((a, i) => {
        begin[a] = this.cropping[i][0];
        size[a] = x.shape[a] - this.cropping[i][0] - this.cropping[i][1];
      });
      return slice(x, begin, size);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), cropping: this.cropping, dataFormat: this.dataFormat };
  }
}

export class Cropping1D extends Cropping {
  static className = 'Cropping1D';
  protected readonly spatialRank = 1;
  constructor(args: CroppingArgs = {}) {
    super(args, 1);
  }
}
serialization.registerClass(Cropping1D);

export class Cropping3D extends Cropping {
  static className = 'Cropping3D';
  protected readonly spatialRank = 3;
  constructor(args: CroppingArgs = {}) {
    super(args, 3);
  }
}
serialization.registerClass(Cropping3D);
