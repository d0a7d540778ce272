/**
 * Keras 3 `RMSprop` (keras/src/optimizers/rmsprop.py) as a tfjs optimizer, className 'KerasRMSprop'.
 *
 * Update, in float32 as Keras does it (ε inside the square root, added last):
 *   v ← ρ·v + (1−ρ)·g²
 *   centered:  a ← ρ·a + (1−ρ)·g;  d ← (v − a²) + ε      else  d ← v + ε
 *   Δ ← (lr·g) / √d
 *   momentum μ > 0:  m ← μ·m + Δ;  w ← w − m              else  w ← w − Δ
 * (tfjs' own RMSProp differs: it defaults to ε = 1e-8 and has other defaults.)
 */
import { add, div, mul, serialization, sqrt, square, sub, type Scalar, type Tensor, type Variable } from '@tensorflow/tfjs-core';
import { invalidArgument } from '../errors.js';
import {
  KerasOptimizer,
  baseArgsFromConfig,
  configValue,
  type KerasConfig,
  type KerasOptimizerArgs,
} from './keras_optimizer.js';

export interface KerasRMSpropArgs extends KerasOptimizerArgs {
  /** Discount factor of the squared-gradient average. Default 0.9. */
  rho?: number;
  /** Momentum μ ≥ 0. Default 0 (no momentum slot). */
  momentum?: number;
  /** Added to the denominator before the square root. Default 1e-7. */
  epsilon?: number;
  /** Normalize by the estimated variance instead of the raw second moment. Default false. */
  centered?: boolean;
}

export class KerasRMSprop extends KerasOptimizer {
  /** @nocollapse */
  static className = 'KerasRMSprop';

  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(args: KerasRMSpropArgs = {}) {
    super(args, 0.001, 'RMSprop');
    this.rho = finite('rho', args.rho ?? 0.9);
    this.momentum = finite('momentum', args.momentum ?? 0);
    this.epsilon = finite('epsilon', args.epsilon ?? 1e-7);
    this.centered = args.centered ?? false;
  }

  protected slotNames(): string[] {
    const names = ['velocity'];
    if (this.momentum > 0) names.push('momentum');
    if (this.centered) names.push('average_gradient');
    return names;
  }

  protected updateStep(g: Tensor, w: Variable, slots: Map<string, Variable>, lr: Scalar): void {
    const velocity = slots.get('velocity') as Variable;
    velocity.assign(add(mul(this.rho, velocity), mul(1 - this.rho, square(g))));
    let denominator: Tensor;
    if (this.centered) {
      const averageGrad = slots.get('average_gradient') as Variable;
      averageGrad.assign(add(mul(this.rho, averageGrad), mul(1 - this.rho, g)));
      denominator = add(sub(velocity, square(averageGrad)), this.epsilon);
    } else {
      denominator = add(velocity, this.epsilon);
    }
    const increment = div(mul(lr, g), sqrt(denominator));
    if (this.momentum > 0) {
      const m = slots.get('momentum') as Variable;
      m.assign(add(mul(this.momentum, m), increment));
      w.assign(sub(w, m));
    } else {
      w.assign(sub(w, increment));
    }
  }

  protected ownConfig(): KerasConfig {
    return { rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }

  /** @nocollapse */
  static override fromConfig<T extends serialization.Serializable>(
    cls: serialization.SerializableConstructor<T>,
    config: serialization.ConfigDict,
  ): T {
    const get = (k: string) => configValue(config, k) ?? undefined;
    const args: KerasRMSpropArgs = {
      ...baseArgsFromConfig(config),
      rho: get('rho') as number | undefined,
      momentum: get('momentum') as number | undefined,
      epsilon: get('epsilon') as number | undefined,
      centered: get('centered') as boolean | undefined,
    };
    return new cls(args);
  }
}
serialization.registerClass(KerasRMSprop);

function finite(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw invalidArgument(name, 'a non-negative number', v);
  return v;
}
