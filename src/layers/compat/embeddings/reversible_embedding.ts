/**
 * ReversibleEmbedding: Keras 3's embedding that can also project back to logits
 * (keras/src/layers/core/reversible_embedding.py), which tfjs lacks. Called forward, as in a
 * functional model: a lookup of `embeddings` rows, as Embedding. Weights: embeddings
 * [input_dim, output_dim], and reverse_embeddings [output_dim, input_dim] when the weights are not
 * tied (kept for the way back; the forward call does not use them).
 */
import { cast, gather, serialization, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { initializerFrom, serializeInitializer, type Initializer, type InitializerIdentifier } from '../serialized.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface ReversibleEmbeddingArgs extends LayerArgs {
  inputDim: number;
  outputDim: number;
  tieWeights?: boolean;
  embeddingsInitializer?: InitializerIdentifier;
  maskZero?: boolean;
  reverseDtype?: string;
  logitSoftCap?: number | null;
}

export class ReversibleEmbedding extends layers.Layer {
  static className = 'ReversibleEmbedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly tieWeights: boolean;
  readonly maskZero: boolean;
  readonly reverseDtype: string;
  readonly logitSoftCap: number | null;
  private readonly embeddingsInitializer: Initializer;
  private embeddings: LayerVariable | null = null;

  constructor(args: ReversibleEmbeddingArgs) {
    super(args);
    this.inputDim = args.inputDim;
    this.outputDim = args.outputDim;
    this.tieWeights = args.tieWeights ?? true;
    this.maskZero = args.maskZero ?? false;
    this.reverseDtype = args.reverseDtype ?? 'float32';
    this.logitSoftCap = args.logitSoftCap ?? null;
    this.embeddingsInitializer = initializerFrom(args.embeddingsInitializer, 'randomUniform');
  }

  override build(): void {
    this.embeddings = this.addWeight('embeddings', [this.inputDim, this.outputDim], 'float32', this.embeddingsInitializer);
    if (!this.tieWeights) this.addWeight('reverse_embeddings', [this.outputDim, this.inputDim], 'float32', this.embeddingsInitializer);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape), this.outputDim];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => gather((this.embeddings as LayerVariable).read(), cast(Array.isArray(inputs) ? inputs[0] : inputs, 'int32')));
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      tieWeights: this.tieWeights,
      maskZero: this.maskZero,
      reverseDtype: this.reverseDtype,
      logitSoftCap: this.logitSoftCap,
      embeddingsInitializer: serializeInitializer(this.embeddingsInitializer),
    };
  }
}
serialization.registerClass(ReversibleEmbedding);
