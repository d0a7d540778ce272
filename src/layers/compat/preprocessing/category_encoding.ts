/**
 * KerasCategoryEncoding: Keras' CategoryEncoding (one_hot, multi_hot, count of integer
 * categories; categorical.ts), whose tfjs version writes its output shape into its input's.
 */
import { serialization, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { encodeCategorical, encodedShape, outputModeOf, type OutputMode } from './categorical.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface KerasCategoryEncodingArgs extends LayerArgs {
  numTokens: number;
  /** 'multi_hot' (Keras' default), 'one_hot' or 'count'. */
  outputMode?: string;
}

export class KerasCategoryEncoding extends layers.Layer {
  static className = 'KerasCategoryEncoding';
  readonly numTokens: number;
  readonly outputMode: OutputMode;

  constructor(args: KerasCategoryEncodingArgs) {
    super(args);
    this.numTokens = args.numTokens;
    this.outputMode = outputModeOf(args.outputMode, 'multi_hot');
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return encodedShape([...((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape)], this.outputMode, this.numTokens);
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => encodeCategorical(Array.isArray(inputs) ? inputs[0] : inputs, this.outputMode, this.numTokens));
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), numTokens: this.numTokens, outputMode: this.outputMode };
  }
}
serialization.registerClass(KerasCategoryEncoding);
