/**
 * Keras 3 `Adam` (keras/src/optimizers/adam.py) as a tfjs optimizer, className 'KerasAdam'.
 *
 * Update at step t = iterations + 1, in float32 as Keras does it — the bias correction is
 * folded into the step size and ε is added to √v *uncorrected* (tfjs' own Adam instead divides
 * m and v by (1−βᵗ) and adds ε to √v̂, which differs whenever ε matters):
 *   α ← lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ)
 *   m ← m + (g − m)·(1 − β₁);   v ← v + (g² − v)·(1 − β₂)
 *   amsgrad: v̂ ← max(v̂, v) and v̂ replaces v below
 *   w ← w − (m·α) / (√v + ε)
 */
import {
  add,
  div,
  maximum,
  mul,
  pow,
  scalar,
  serialization,
  sqrt,
  square,
  sub,
  type Scalar,
  type Tensor,
  type Variable,
} from '@tensorflow/tfjs-core';
import { invalidArgument } from '../errors.js';
import {
  KerasOptimizer,
  baseArgsFromConfig,
  configValue,
  type KerasConfig,
  type KerasOptimizerArgs,
} from './keras_optimizer.js';

export interface KerasAdamArgs extends KerasOptimizerArgs {
  /** Decay of the first-moment average. Default 0.9. */
  beta1?: number;
  /** Decay of the second-moment average. Default 0.999. */
  beta2?: number;
  /** Added to √v (not bias-corrected, as Keras). Default 1e-7. */
  epsilon?: number;
  /** Use the running maximum of v (AMSGrad). Default false. */
  amsgrad?: boolean;
}

export class KerasAdam extends KerasOptimizer {
  /** @nocollapse */
  static className = 'KerasAdam';

  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;

  constructor(args: KerasAdamArgs = {}, defaultName = 'adam') {
    super(args, 0.001, defaultName);
    this.beta1 = unitInterval('beta1', args.beta1 ?? 0.9);
    this.beta2 = unitInterval('beta2', args.beta2 ?? 0.999);
    const epsilon = args.epsilon ?? 1e-7;
    if (typeof epsilon !== 'number' || !(epsilon >= 0)) throw invalidArgument('epsilon', 'a non-negative number', epsilon);
    this.epsilon = epsilon;
    this.amsgrad = args.amsgrad ?? false;
  }

  protected slotNames(): string[] {
    return this.amsgrad ? ['momentum', 'velocity', 'velocity_hat'] : ['momentum', 'velocity'];
  }

  protected updateStep(g: Tensor, w: Variable, slots: Map<string, Variable>, lr: Scalar, step: number): void {
    const localStep = scalar(step, 'float32');
    const beta1Power = pow(scalar(this.beta1, 'float32'), localStep);
    const beta2Power = pow(scalar(this.beta2, 'float32'), localStep);
    const alpha = div(mul(lr, sqrt(sub(1, beta2Power))), sub(1, beta1Power));

    const m = slots.get('momentum') as Variable;
    const v = slots.get('velocity') as Variable;
    m.assign(add(m, mul(sub(g, m), 1 - this.beta1)));
    v.assign(add(v, mul(sub(square(g), v), 1 - this.beta2)));
    let second: Tensor = v;
    if (this.amsgrad) {
      const vHat = slots.get('velocity_hat') as Variable;
      vHat.assign(maximum(vHat, v));
      second = vHat;
    }
    w.assign(sub(w, div(mul(m, alpha), add(sqrt(second), this.epsilon))));
  }

  protected ownConfig(): KerasConfig {
    return { beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }

  /** @nocollapse */
  static override fromConfig<T extends serialization.Serializable>(
    cls: serialization.SerializableConstructor<T>,
    config: serialization.ConfigDict,
  ): T {
    return new cls(adamArgsFromConfig(config));
  }
}
serialization.registerClass(KerasAdam);

/** Adam's arguments from a Keras config (`beta_1`, `beta_2`, ...); AdamW inherits fromConfig. */
function adamArgsFromConfig(config: serialization.ConfigDict): KerasAdamArgs {
  const get = (k: string) => configValue(config, k) ?? undefined;
  return {
    ...baseArgsFromConfig(config),
    beta1: (get('beta_1') ?? get('beta1')) as number | undefined,
    beta2: (get('beta_2') ?? get('beta2')) as number | undefined,
    epsilon: get('epsilon') as number | undefined,
    amsgrad: get('amsgrad') as boolean | undefined,
  };
}

function unitInterval(name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw invalidArgument(name, 'a number in [0, 1)', v);
  return v;
}
