/**
 * SpatialDropout2D and SpatialDropout3D: Keras' dropout of whole feature maps (tfjs has only the
 * 1D one): the identity at inference; in training, each (sample, channel) map is kept with
 * probability 1 − rate and scaled by 1/(1 − rate), with tfjs' random numbers.
 */
import { dropout, serialization, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;
type Kwargs = Record<string, unknown>;

export interface SpatialDropoutArgs extends LayerArgs {
  rate: number;
  seed?: number | null;
  dataFormat?: 'channelsLast' | 'channelsFirst';
}

abstract class SpatialDropout extends layers.Layer {
  readonly rate: number;
  readonly seed: number | null;
  readonly dataFormat: 'channelsLast' | 'channelsFirst';

  constructor(args: SpatialDropoutArgs) {
    super(args);
    this.rate = args.rate;
    this.seed = args.seed ?? null;
    this.dataFormat = args.dataFormat ?? 'channelsLast';
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    return tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (kwargs['training'] !== true || this.rate === 0) return x.clone();
      const noise = x.shape.map((d, i) => (i === 0 || i === (this.dataFormat === 'channelsFirst' ? 1 : x.rank - 1) ? d : 1));
      return dropout(x, this.rate, noise);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed, dataFormat: this.dataFormat };
  }
}

export class SpatialDropout2D extends SpatialDropout {
  static className = 'SpatialDropout2D';
}
serialization.registerClass(SpatialDropout2D);

export class SpatialDropout3D extends SpatialDropout {
  static className = 'SpatialDropout3D';
}
serialization.registerClass(SpatialDropout3D);
