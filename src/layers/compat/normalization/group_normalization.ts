/**
 * GroupNormalization: Keras' group normalization (keras/src/layers/normalization/
 * group_normalization.py; tf.keras 2.11+ computes the same), which tfjs lacks. The channels
 * along `axis` are split into `groups`; each group is normalized over its channels and every
 * other non-batch axis: inv = rsqrt(var + ε)·γ, y = x·inv + (β − mean·inv). Weights gamma and
 * beta, one value per channel.
 */
import { add, moments, mul, neg, reshape, rsqrt, serialization, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { invalidArgument } from '../../../errors.js';
import { initializerFrom, serializeInitializer, type Initializer, type InitializerIdentifier } from '../serialized.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface GroupNormalizationArgs extends LayerArgs {
  /** Number of channel groups (must divide the channels). Keras' default 32. */
  groups?: number;
  axis?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: InitializerIdentifier;
  gammaInitializer?: InitializerIdentifier;
}

export class GroupNormalization extends layers.Layer {
  static className = 'GroupNormalization';
  readonly groups: number;
  readonly axis: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly betaInitializer: Initializer;
  private readonly gammaInitializer: Initializer;
  private gamma: LayerVariable | null = null;
  private beta: LayerVariable | null = null;

  constructor(args: GroupNormalizationArgs = {}) {
    super(args);
    this.groups = args.groups ?? 32;
    this.axis = args.axis ?? -1;
    this.epsilon = args.epsilon ?? 1e-3;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.betaInitializer = initializerFrom(args.betaInitializer, 'zeros');
    this.gammaInitializer = initializerFrom(args.gammaInitializer, 'ones');
    this.supportsMasking = true;
  }

  private channelAxis(rank: number): number {
    return this.axis < 0 ? this.axis + rank : this.axis;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const channels = shape[this.channelAxis(shape.length)];
    if (channels === null || channels % this.groups !== 0) {
      throw invalidArgument('groups', `a divisor of the ${channels} channels`, this.groups);
    }
    // Keras' order: gamma, then beta.
    if (this.scale) this.gamma = this.addWeight('gamma', [channels], 'float32', this.gammaInitializer);
    if (this.center) this.beta = this.addWeight('beta', [channels], 'float32', this.betaInitializer);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const axis = this.channelAxis(x.rank);
      const channels = x.shape[axis];
      const grouped = [...x.shape];
      grouped.splice(axis, 1, this.groups, channels / this.groups);
      const xg = reshape(x, grouped);
      // Reduce every axis but the batch and the group index.
      const reduce = grouped.map((_, i) => i).filter((i) => i !== 0 && i !== axis);
      const m = moments(xg, reduce, true);
      const broadcast = grouped.map((d, i) => (i === axis || i === axis + 1 ? d : 1));
      let inv = rsqrt(add(m.variance, this.epsilon));
      if (this.gamma) inv = mul(inv, reshape(this.gamma.read(), broadcast));
      let res = mul(neg(m.mean), inv);
      if (this.beta) res = add(res, reshape(this.beta.read(), broadcast));
      return reshape(add(mul(xg, inv), res), x.shape);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      groups: this.groups,
      axis: this.axis,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: serializeInitializer(this.betaInitializer),
      gammaInitializer: serializeInitializer(this.gammaInitializer),
    };
  }
}
serialization.registerClass(GroupNormalization);
