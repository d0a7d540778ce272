/**
 * IntegerLookup: Keras' mapping of integer tokens to indices by a vocabulary given in the config
 * (keras/src/layers/preprocessing/index_lookup.py), which tfjs lacks. With num_oov_indices 1 (or
 * 0) and an optional mask_token: index 0 for the mask token (when set), then the OOV index, then
 * the vocabulary in order; encoded as Keras encodes (categorical.ts). `invert` maps indices back.
 * A vocabulary adapt() stored as a file beside the config (not in it) is refused by the converter.
 */
import { add, argMax, cast, equal, expandDims, gather, greaterEqual, less, logicalAnd, any, reshape, scalar, serialization, tensor1d, tidy, where, zerosLike, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { invalidArgument } from '../../../errors.js';
import { encodeCategorical, encodedShape, outputModeOf, type OutputMode } from './categorical.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface IntegerLookupArgs extends LayerArgs {
  vocabulary: number[];
  numOovIndices?: number;
  maskToken?: number | null;
  oovToken?: number;
  outputMode?: string;
  invert?: boolean;
}

export class IntegerLookup extends layers.Layer {
  static className = 'IntegerLookup';
  readonly vocabulary: number[];
  readonly numOovIndices: number;
  readonly maskToken: number | null;
  readonly oovToken: number;
  readonly outputMode: OutputMode;
  readonly invert: boolean;

  constructor(args: IntegerLookupArgs) {
    super(args);
    if (!Array.isArray(args.vocabulary)) throw invalidArgument('vocabulary', 'a list of integers in the config', args.vocabulary);
    this.vocabulary = [...args.vocabulary];
    this.numOovIndices = args.numOovIndices ?? 1;
    if (this.numOovIndices > 1) throw invalidArgument('numOovIndices', '0 or 1 (several OOV indices hash tokens)', this.numOovIndices);
    this.maskToken = args.maskToken ?? null;
    this.oovToken = args.oovToken ?? -1;
    this.outputMode = outputModeOf(args.outputMode, 'int');
    this.invert = args.invert ?? false;
  }

  /** Index of the first vocabulary entry (after the mask and OOV indices). */
  private get offset(): number {
    return (this.maskToken !== null ? 1 : 0) + this.numOovIndices;
  }

  private get depth(): number {
    return this.offset + this.vocabulary.length;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = [...((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape)];
    return this.invert ? shape : encodedShape(shape, this.outputMode, this.depth);
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const x = cast(Array.isArray(inputs) ? inputs[0] : inputs, 'int32');
      if (this.invert) {
        // index → token: the mask index gives the mask token, OOV and unknown indices the OOV token.
        const table = [...(this.maskToken !== null ? [this.maskToken] : []), ...Array(this.numOovIndices).fill(this.oovToken), ...this.vocabulary];
        const inRange = logicalAnd(greaterEqual(x, 0), less(x, table.length));
        const picked = gather(tensor1d(table, 'int32'), where(inRange, x, zerosLike(x)));
        return where(inRange, picked, add(zerosLike(x), scalar(this.oovToken, 'int32')));
      }
      const vocab = reshape(tensor1d(this.vocabulary, 'int32'), [...x.shape.map(() => 1), this.vocabulary.length]);
      const hits = equal(expandDims(x, -1), vocab);
      const found = any(hits, -1);
      const position = add(cast(argMax(cast(hits, 'int32'), -1), 'int32'), scalar(this.offset, 'int32'));
      let index = where(found, position, add(zerosLike(x), scalar(this.maskToken !== null ? 1 : 0, 'int32')));
      if (this.maskToken !== null) index = where(equal(x, this.maskToken), zerosLike(x), index);
      return encodeCategorical(index, this.outputMode, this.depth);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      vocabulary: this.vocabulary,
      numOovIndices: this.numOovIndices,
      maskToken: this.maskToken,
      oovToken: this.oovToken,
      outputMode: this.outputMode,
      invert: this.invert,
    };
  }
}
serialization.registerClass(IntegerLookup);
