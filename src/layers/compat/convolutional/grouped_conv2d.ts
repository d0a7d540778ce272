/**
 * GroupedConv2D: Keras' Conv2D with `groups` > 1 (ConvNeXt's depthwise convolutions are
 * Conv2D(groups=channels)), which tfjs' Conv2D lacks. The input channels are cut into `groups`
 * equal slices, each convolved with its own filters/groups output filters, and the results
 * concatenated, as TensorFlow's grouped convolution does. When every group is one channel giving
 * one filter it is exactly a depthwise convolution, which tfjs runs in one kernel.
 *
 * Kernel [h, w, input channels / groups, filters] (Keras' layout), bias [filters].
 */
import {
  add, concat, conv2d, depthwiseConv2d, reshape, serialization, split, tidy, transpose,
  type Tensor, type Tensor3D, type Tensor4D,
} from '@tensorflow/tfjs-core';
import { layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { activationFrom, initializerFrom, serializeInitializer, type Activation, type Initializer, type InitializerIdentifier } from '../serialized.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;
type Pair = [number, number];

export interface GroupedConv2DArgs extends LayerArgs {
  filters: number;
  kernelSize: number | number[];
  groups: number;
  strides?: number | number[];
  padding?: 'valid' | 'same';
  dilationRate?: number | number[];
  dataFormat?: 'channelsLast' | 'channelsFirst';
  activation?: string;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
}

const pair = (v: number | number[] | undefined, fallback: number): Pair =>
  (Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v ?? fallback, v ?? fallback]);

/** Output length of one spatial axis, as TensorFlow computes it. */
function outLength(n: number, k: number, s: number, d: number, padding: 'valid' | 'same'): number {
  return padding === 'same' ? Math.ceil(n / s) : Math.ceil((n - (k - 1) * d) / s);
}

export class GroupedConv2D extends layers.Layer {
  static className = 'GroupedConv2D';
  readonly filters: number;
  readonly kernelSize: Pair;
  readonly groups: number;
  readonly strides: Pair;
  readonly padding: 'valid' | 'same';
  readonly dilationRate: Pair;
  readonly dataFormat: 'channelsLast' | 'channelsFirst';
  readonly useBias: boolean;
  private readonly activation: Activation;
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  private kernel: LayerVariable | null = null;
  private bias: LayerVariable | null = null;

  constructor(args: GroupedConv2DArgs) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = pair(args.kernelSize, 1);
    this.groups = args.groups;
    this.strides = pair(args.strides, 1);
    this.padding = args.padding ?? 'valid';
    this.dilationRate = pair(args.dilationRate, 1);
    this.dataFormat = args.dataFormat ?? 'channelsLast';
    this.useBias = args.useBias ?? true;
    this.activation = activationFrom(args.activation);
    this.kernelInitializer = initializerFrom(args.kernelInitializer, 'glorotUniform');
    this.biasInitializer = initializerFrom(args.biasInitializer, 'zeros');
    if (!Number.isInteger(this.groups) || this.groups < 1 || this.filters % this.groups !== 0) {
      throw new Error(`GroupedConv2D '${this.name}': filters ${this.filters} must be a multiple of groups ${this.groups}`);
    }
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const channels = (this.dataFormat === 'channelsFirst' ? shape[1] : shape[3]) as number;
    if (channels % this.groups !== 0) throw new Error(`GroupedConv2D '${this.name}': ${channels} input channels do not split into ${this.groups} groups`);
    this.kernel = this.addWeight('kernel', [...this.kernelSize, channels / this.groups, this.filters], 'float32', this.kernelInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', this.biasInitializer);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = [...((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape)];
    const axes = this.dataFormat === 'channelsFirst' ? [2, 3] : [1, 2];
    axes.forEach((a, i) => {
      const n = shape[a];
      shape[a] = n === null ? null : outLength(n, this.kernelSize[i], this.strides[i], this.dilationRate[i], this.padding);
    });
    shape[this.dataFormat === 'channelsFirst' ? 1 : 3] = this.filters;
    return shape;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const input = Array.isArray(inputs) ? inputs[0] : inputs;
      const x = (this.dataFormat === 'channelsFirst' ? transpose(input, [0, 2, 3, 1]) : input) as Tensor4D;
      const kernel = (this.kernel as LayerVariable).read() as Tensor4D;
      const channels = x.shape[3];
      let y: Tensor;
      if (this.groups === channels && this.filters === channels) {
        // One channel in, one filter out per group: a depthwise convolution ([h, w, 1, C] → [h, w, C, 1]).
        const filter = reshape(kernel, [this.kernelSize[0], this.kernelSize[1], channels, 1]) as Tensor4D;
        y = depthwiseConv2d(x, filter, this.strides, this.padding, 'NHWC', this.dilationRate);
      } else {
        const xs = split(x, this.groups, 3) as Tensor4D[];
        const ks = split(kernel, this.groups, 3) as Tensor4D[];
        y = concat(xs.map((xi, g) => conv2d(xi, ks[g], this.strides, this.padding, 'NHWC', this.dilationRate)), 3);
      }
      if (this.bias) y = add(y, this.bias.read());
      y = this.activation.apply(y);
      return this.dataFormat === 'channelsFirst' ? transpose(y, [0, 3, 1, 2]) : y;
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      groups: this.groups,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      dataFormat: this.dataFormat,
      activation: this.activation.getClassName(),
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
    };
  }
}
serialization.registerClass(GroupedConv2D);
