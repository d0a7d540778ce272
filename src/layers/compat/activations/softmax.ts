/**
 * KerasSoftmax: Keras' Softmax layer over any axis or axes, with masks (tfjs' Softmax only
 * normalizes the last axis and ignores masks). Several axes: exp(x − logsumexp(x, axes)). A
 * mask (from Masking / Embedding(mask_zero)) is applied as the writing Keras does
 * (attention/masked_softmax.ts): Keras 3 sets masked positions to −1e9 before and to 0 after,
 * tf.keras adds (1 − mask)·(−1e9).
 */
import { serialization, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { maskedSoftmax } from '../attention/masked_softmax.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;
type Kwargs = Record<string, unknown>;

export interface KerasSoftmaxArgs extends LayerArgs {
  axis?: number | number[];
  /** 'keras3' (the default) or tf.keras' 'additive'. */
  masking?: 'keras3' | 'additive';
  /** Whether Keras gives this layer's input a mask (set by the converter). */
  masked?: boolean;
}

export class KerasSoftmax extends layers.Layer {
  static className = 'KerasSoftmax';
  readonly axis: number[];
  readonly masking: 'keras3' | 'additive';
  readonly masked: boolean;

  constructor(args: KerasSoftmaxArgs = {}) {
    super(args);
    this.axis = Array.isArray(args.axis) ? [...args.axis] : [args.axis ?? -1];
    this.masking = args.masking ?? 'keras3';
    this.masked = args.masked ?? false;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    return tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const axes = this.axis.map((a) => (a < 0 ? a + x.rank : a));
      // tfjs' predict may hand a layer a stale mask: only a layer Keras masks reads one.
      const mask = this.masked ? ((kwargs['mask'] as Tensor | undefined) ?? null) : null;
      return maskedSoftmax(x, axes, mask, this.masking);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), axis: this.axis, masking: this.masking, masked: this.masked };
  }
}
serialization.registerClass(KerasSoftmax);
