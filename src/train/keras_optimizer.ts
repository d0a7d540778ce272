/**
 * The part every Keras 3 optimizer shares (keras/src/optimizers/base_optimizer.py and the
 * TensorFlow backend's optimizer.py), as a tfjs `Optimizer` so `model.compile({optimizer})`,
 * `fit` and `trainOnBatch` use it unchanged.
 *
 * One `applyGradients` call is one Keras `apply`:
 *   1. clip the gradients (clipnorm per tensor, else global_clipnorm, else clipvalue),
 *   2. decoupled weight decay, if set: w ← w − (w·wd)·lr   (before the update, as Keras does),
 *   3. the optimizer's `updateStep` per variable, in float32 tensor ops in Keras' order,
 *   4. iterations += 1 (so the first update sees iterations = 0, like Keras).
 * Every Python scalar Keras mixes into a float32 tensor op becomes a float32 tensor here too
 * (tfjs converts JS numbers to float32 scalars), so each elementwise op rounds as TensorFlow's.
 */
import {
  Optimizer,
  add,
  clipByValue,
  div,
  dispose,
  engine,
  greater,
  maximum,
  minimum,
  mul,
  scalar,
  serialization,
  sqrt,
  square,
  stack,
  sub,
  sum,
  tidy,
  where,
  zerosLike,
  type NamedTensorMap,
  type Scalar,
  type Tensor,
  type Variable,
} from '@tensorflow/tfjs-core';
import { invalidArgument } from '../errors.js';

/** Arguments every Keras optimizer accepts (Keras' names in camelCase). */
export interface KerasOptimizerArgs {
  /** Step size, a positive number (Keras keeps it as a float32 variable). */
  learningRate?: number;
  /** Decoupled weight decay: each step first does w ← w − w·weightDecay·learningRate. Default none. */
  weightDecay?: number | null;
  /** Clip each gradient tensor to this L2 norm. At most one of the three clip options may be set. */
  clipnorm?: number | null;
  /** Clip each gradient value to [−clipvalue, clipvalue]. */
  clipvalue?: number | null;
  /** Scale all gradients together so their global L2 norm is at most this. */
  globalClipnorm?: number | null;
  /** Optimizer name (Keras' `name`); used in config only. */
  name?: string;
}

/** A Keras config dict (snake_case keys, as Keras' `get_config` writes them). */
export type KerasConfig = serialization.ConfigDict;

/** A tensor with its variable's name, as tfjs passes gradients (tfjs-core does not export this type). */
export interface NamedTensor {
  name: string;
  tensor: Tensor;
}

/** One model variable with its gradient and its position in the gradient list. */
interface GradientEntry {
  index: number;
  name: string;
  variable: Variable;
  gradient: Tensor;
}

export abstract class KerasOptimizer extends Optimizer {
  readonly learningRate: number;
  readonly weightDecay: number | null;
  readonly clipnorm: number | null;
  readonly clipvalue: number | null;
  readonly globalClipnorm: number | null;
  readonly name: string;

  /**
   * Per model variable, by its position in the gradient list (as Keras' `_get_variable_index`
   * and tfjs' optimizers do, so state restores into a rebuilt model whose variables got new
   * names): the variable's name at creation and its slots by slot name, created on first use.
   */
  private readonly slots: Array<{ variableName: string; slots: Map<string, Variable> }> = [];

  constructor(args: KerasOptimizerArgs, defaultLearningRate: number, defaultName: string) {
    super();
    this.learningRate = positiveNumber('learningRate', args.learningRate ?? defaultLearningRate);
    this.weightDecay = optionalNonNegative('weightDecay', args.weightDecay);
    this.clipnorm = optionalNonNegative('clipnorm', args.clipnorm);
    this.clipvalue = optionalNonNegative('clipvalue', args.clipvalue);
    this.globalClipnorm = optionalNonNegative('globalClipnorm', args.globalClipnorm);
    const clipOptions = [this.clipnorm, this.clipvalue, this.globalClipnorm].filter((v) => v !== null);
    if (clipOptions.length > 1) {
      throw invalidArgument(
        'clipnorm',
        'at most one of clipnorm, clipvalue and globalClipnorm',
        `${this.clipnorm}, clipvalue=${this.clipvalue}, globalClipnorm=${this.globalClipnorm}`,
      );
    }
    this.name = args.name ?? defaultName;
  }

  /** Names of the slots this configuration keeps per variable, in Keras' order (e.g. ['momentum']). */
  protected abstract slotNames(): string[];

  /** The slots `getWeights` / `setWeights` hold per variable, in their order (for restoring saved state). */
  stateSlotNames(): string[] {
    return this.slotNames();
  }

  /**
   * Keras' `update_step` for one variable. Runs inside a tidy; `step` is Keras'
   * `iterations + 1` for this apply; `learningRate` is the float32 learning rate.
   */
  protected abstract updateStep(
    gradient: Tensor,
    variable: Variable,
    slots: Map<string, Variable>,
    learningRate: Scalar,
    step: number,
  ): void;

  /** Keras-style config of the subclass' own arguments (snake_case keys). */
  protected abstract ownConfig(): KerasConfig;

  override applyGradients(variableGradients: NamedTensorMap | NamedTensor[]): void {
    const entries = this.entries(variableGradients);
    if (entries.length === 0) return; // Keras: empty gradients are a no-op (no iteration either)
    const step = this.iterations + 1;
    tidy(() => {
      const gradients = this.clipGradients(entries.map((e) => e.gradient));
      const learningRate = scalar(this.learningRate, 'float32');
      if (this.weightDecay !== null) {
        const decay = scalar(this.weightDecay, 'float32');
        for (const { variable } of entries) {
          variable.assign(sub(variable, mul(mul(variable, decay), learningRate)));
        }
      }
      entries.forEach((e, i) => this.updateStep(gradients[i], e.variable, this.slotsOf(e), learningRate, step));
    });
    this.incrementIterations();
  }

  override getConfig(): KerasConfig {
    return {
      name: this.name,
      learning_rate: this.learningRate,
      weight_decay: this.weightDecay,
      clipnorm: this.clipnorm,
      clipvalue: this.clipvalue,
      global_clipnorm: this.globalClipnorm,
      ...this.ownConfig(),
    };
  }

  /**
   * The iteration count, then every slot grouped by slot name (Keras' order), variables in
   * gradient-list order; named `<variable>/<slot>`.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    const weights: NamedTensor[] = [await this.saveIterations()];
    for (const slot of this.slotNames()) {
      // A variable that never had a gradient has no slots (a hole in the sparse array): skipped.
      for (const record of this.slots) {
        if (record) weights.push({ name: `${record.variableName}/${slot}`, tensor: record.slots.get(slot) as Variable });
      }
    }
    return weights;
  }

  /** Restores what `getWeights` returned, by position (the names may belong to an older model). */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const slotNames = this.slotNames();
    const perSlot = slotNames.length === 0 ? 0 : rest.length / slotNames.length;
    if (!Number.isInteger(perSlot) || (slotNames.length === 0 && rest.length > 0)) {
      throw invalidArgument(
        'weightValues',
        `the iteration count and ${slotNames.length} slot(s) per variable`,
        `${rest.length} slot tensors`,
      );
    }
    this.disposeSlots();
    for (let k = 0; k < perSlot; k++) {
      const name = rest[k].name;
      const slots = new Map<string, Variable>();
      slotNames.forEach((slot, s) => slots.set(slot, rest[s * perSlot + k].tensor.variable(false)));
      this.slots.push({ variableName: name.slice(0, Math.max(0, name.lastIndexOf('/'))), slots });
    }
  }

  override dispose(): void {
    this.disposeSlots();
    super.dispose();
  }

  private disposeSlots(): void {
    for (const record of this.slots) if (record) dispose([...record.slots.values()]);
    this.slots.length = 0;
  }

  /** The slots of the variable at `entry.index`, zero-initialized on first use (Keras builds them as zeros). */
  private slotsOf(entry: GradientEntry): Map<string, Variable> {
    let record = this.slots[entry.index];
    if (!record) {
      record = { variableName: entry.name, slots: new Map() };
      this.slots[entry.index] = record;
    }
    for (const slot of this.slotNames()) {
      if (!record.slots.has(slot)) record.slots.set(slot, tidy(() => zerosLike(entry.variable).variable(false)));
    }
    return record.slots;
  }

  private entries(variableGradients: NamedTensorMap | NamedTensor[]): GradientEntry[] {
    const pairs: Array<[string, Tensor | undefined]> = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor])
      : Object.entries(variableGradients);
    const registered = engine().registeredVariables;
    const entries: GradientEntry[] = [];
    pairs.forEach(([name, gradient], index) => {
      if (gradient == null) return; // Keras filters variables without gradients
      const variable = registered[name];
      if (!variable) throw invalidArgument('variableGradients', 'gradients of registered tf.Variables', name);
      entries.push({ index, name, variable, gradient });
    });
    return entries;
  }

  /** Keras `_clip_gradients`: clipnorm, else global_clipnorm, else clipvalue. */
  private clipGradients(gradients: Tensor[]): Tensor[] {
    if (this.clipnorm !== null && this.clipnorm > 0) {
      const clip = this.clipnorm;
      return gradients.map((g) => clipByNorm(g, clip));
    }
    if (this.globalClipnorm !== null && this.globalClipnorm > 0) {
      return clipByGlobalNorm(gradients, this.globalClipnorm);
    }
    if (this.clipvalue !== null && this.clipvalue > 0) {
      const v = Math.fround(this.clipvalue);
      return gradients.map((g) => clipByValue(g, -v, v));
    }
    return gradients;
  }
}

/** tf.clip_by_norm over all axes: g·c / max(‖g‖, c), with ‖g‖ taken as 0 when the sum is 0. */
function clipByNorm(g: Tensor, clipnorm: number): Tensor {
  const l2sum = sum(mul(g, g));
  const positive = greater(l2sum, 0);
  const l2norm = where(positive, sqrt(where(positive, l2sum, 1)), l2sum);
  return div(mul(g, clipnorm), maximum(l2norm, clipnorm));
}

/** Keras `clip_by_global_norm`: every g × c·min(1/‖G‖, 1/c), NaN if ‖G‖ is not finite. */
function clipByGlobalNorm(gradients: Tensor[], clipnorm: number): Tensor[] {
  const useNorm = sqrt(sum(stack(gradients.map((g) => sum(square(g))))));
  const scaleForFinite = mul(clipnorm, minimum(div(1, useNorm), 1 / clipnorm));
  const scale = add(scaleForFinite, sub(useNorm, useNorm));
  return gradients.map((g) => mul(g, scale));
}

function positiveNumber(name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw invalidArgument(name, 'a positive number', v);
  return v;
}

function optionalNonNegative(name: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
    throw invalidArgument(name, 'a non-negative number or null', v);
  }
  return v;
}

/** Reads `key` (snake_case) or its camelCase form from a config dict. */
export function configValue(config: KerasConfig, snake: string): unknown {
  if (snake in config) return config[snake];
  const camel = snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return config[camel];
}

/** The base arguments from a Keras-style config dict (nulls and absent keys become undefined). */
export function baseArgsFromConfig(config: KerasConfig): KerasOptimizerArgs {
  const num = (key: string): number | undefined => {
    const v = configValue(config, key);
    return v === null || v === undefined ? undefined : (v as number);
  };
  const name = configValue(config, 'name');
  return {
    learningRate: num('learning_rate'),
    weightDecay: num('weight_decay'),
    clipnorm: num('clipnorm'),
    clipvalue: num('clipvalue'),
    globalClipnorm: num('global_clipnorm'),
    name: typeof name === 'string' ? name : undefined,
  };
}
