/**
 * Keras 3 `SGD` (keras/src/optimizers/sgd.py) as a tfjs optimizer, className 'KerasSGD'.
 *
 * Update, in float32 as Keras does it:
 *   no momentum:  w ← w − g·lr
 *   momentum:     m ← m·μ − g·lr;  w ← w + m                 (nesterov: w ← w + (m·μ − g·lr))
 */
import { add, mul, serialization, sub, type Scalar, type Tensor, type Variable } from '@tensorflow/tfjs-core';
import { invalidArgument } from '../errors.js';
import {
  KerasOptimizer,
  baseArgsFromConfig,
  configValue,
  type KerasConfig,
  type KerasOptimizerArgs,
} from './keras_optimizer.js';

export interface KerasSGDArgs extends KerasOptimizerArgs {
  /** Momentum μ in [0, 1]. 0 (default) is plain gradient descent and keeps no slot. */
  momentum?: number;
  /** Nesterov momentum. Default false. */
  nesterov?: boolean;
}

export class KerasSGD extends KerasOptimizer {
  /** @nocollapse */
  static className = 'KerasSGD';

  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(args: KerasSGDArgs = {}) {
    super(args, 0.01, 'SGD');
    const momentum = args.momentum ?? 0;
    if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) {
      throw invalidArgument('momentum', 'a number in [0, 1]', momentum);
    }
    this.momentum = momentum;
    this.nesterov = args.nesterov ?? false;
  }

  protected slotNames(): string[] {
    return this.momentum !== 0 ? ['momentum'] : [];
  }

  protected updateStep(g: Tensor, w: Variable, slots: Map<string, Variable>, lr: Scalar): void {
    if (this.momentum === 0) {
      w.assign(sub(w, mul(g, lr)));
      return;
    }
    const m = slots.get('momentum') as Variable;
    m.assign(sub(mul(m, this.momentum), mul(g, lr)));
    if (this.nesterov) w.assign(add(w, sub(mul(m, this.momentum), mul(g, lr))));
    else w.assign(add(w, m));
  }

  protected ownConfig(): KerasConfig {
    return { momentum: this.momentum, nesterov: this.nesterov };
  }

  /** @nocollapse */
  static override fromConfig<T extends serialization.Serializable>(
    cls: serialization.SerializableConstructor<T>,
    config: serialization.ConfigDict,
  ): T {
    const args: KerasSGDArgs = {
      ...baseArgsFromConfig(config as KerasConfig),
      momentum: (configValue(config as KerasConfig, 'momentum') as number | undefined) ?? undefined,
      nesterov: (configValue(config as KerasConfig, 'nesterov') as boolean | undefined) ?? undefined,
    };
    return new cls(args);
  }
}
serialization.registerClass(KerasSGD);
