/**
 * KerasELU: Keras' ELU layer with any alpha (tfjs' ELU refuses alpha ≠ 1): x for x > 0, else
 * alpha·(exp(x) − 1) — Keras 3 computes where(x > 0, elu(x), alpha·elu(x)), tf.keras
 * backend.elu(x, alpha); the same values.
 */
import { elu, greater, mul, serialization, tidy, where, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface KerasELUArgs extends LayerArgs {
  alpha?: number;
}

export class KerasELU extends layers.Layer {
  static className = 'KerasELU';
  readonly alpha: number;

  constructor(args: KerasELUArgs = {}) {
    super(args);
    this.alpha = args.alpha ?? 1;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const e = elu(x);
      return this.alpha === 1 ? e : where(greater(x, 0), e, mul(this.alpha, e));
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
serialization.registerClass(KerasELU);
