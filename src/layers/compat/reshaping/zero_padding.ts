/**
 * ZeroPadding1D and ZeroPadding3D: Keras' zero paddings along 1 or 3 spatial axes (tfjs has
 * ZeroPadding2D only): (start, end) zeros added per axis.
 */
import { pad, serialization, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { pairs, SpatialLayer, type Pairs, type Shape, type SpatialArgs } from './spatial.js';

export interface ZeroPaddingArgs extends SpatialArgs {
  /** (start, end) per spatial axis, one pair for all, or one number for both ends of all. */
  padding?: number | number[] | number[][];
}

abstract class ZeroPadding extends SpatialLayer {
  readonly padding: Pairs;

  constructor(args: ZeroPaddingArgs, rank: number) {
    super(args);
    this.padding = pairs(args.padding, rank, 1);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = this.firstShape(inputShape);
    this.spatialAxes().forEach((a, i) => {
      if (s[a] !== null) s[a] = (s[a] as number) + this.padding[i][0] + this.padding[i][1];
    });
    return s;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const p: Pairs = x.shape.map(() => [0, 0]);
      this.spatialAxes().forEach((a, i) => (p[a] = this.padding[i]));
      return pad(x, p);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), padding: this.padding, dataFormat: this.dataFormat };
  }
}

export class ZeroPadding1D extends ZeroPadding {
  static className = 'ZeroPadding1D';
  protected readonly spatialRank = 1;
  constructor(args: ZeroPaddingArgs = {}) {
    super(args, 1);
  }
}
serialization.registerClass(ZeroPadding1D);

export class ZeroPadding3D extends ZeroPadding {
  static className = 'ZeroPadding3D';
  protected readonly spatialRank = 3;
  constructor(args: ZeroPaddingArgs = {}) {
    super(args, 3);
  }
}
serialization.registerClass(ZeroPadding3D);
