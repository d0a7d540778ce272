/**
 * Discretization: Keras' bucketing of values by `bin_boundaries` (numpy.digitize: bucket i holds
 * boundaries[i−1] ≤ x < boundaries[i]), then encoded (categorical.ts) with
 * len(boundaries) + 1 categories. tfjs lacks it. Boundaries come from the config (given, or
 * saved there by adapt()).
 */
import { cast, greaterEqual, reshape, serialization, sum, tensor1d, tidy, expandDims, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { invalidArgument } from '../../../errors.js';
import { encodeCategorical, encodedShape, outputModeOf, type OutputMode } from './categorical.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface DiscretizationArgs extends LayerArgs {
  binBoundaries: number[];
  /** 'int' (Keras' default), 'one_hot', 'multi_hot' or 'count'. */
  outputMode?: string;
}

export class Discretization extends layers.Layer {
  static className = 'Discretization';
  readonly binBoundaries: number[];
  readonly outputMode: OutputMode;

  constructor(args: DiscretizationArgs) {
    super(args);
    if (!Array.isArray(args.binBoundaries)) throw invalidArgument('binBoundaries', 'a list of numbers (adapt() in Keras before saving)', args.binBoundaries);
    this.binBoundaries = [...args.binBoundaries];
    this.outputMode = outputModeOf(args.outputMode, 'int');
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return encodedShape([...((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape)], this.outputMode, this.binBoundaries.length + 1);
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const x = cast(Array.isArray(inputs) ? inputs[0] : inputs, 'float32');
      // The bucket is the number of boundaries ≤ x.
      const bounds = reshape(tensor1d(this.binBoundaries, 'float32'), [...x.shape.map(() => 1), this.binBoundaries.length]);
      const bucket = sum(cast(greaterEqual(expandDims(x, -1), bounds), 'int32'), -1);
      return encodeCategorical(bucket, this.outputMode, this.binBoundaries.length + 1);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), binBoundaries: this.binBoundaries, outputMode: this.outputMode };
  }
}
serialization.registerClass(Discretization);
