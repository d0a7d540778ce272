/**
 * What keras2tfjs' 1D convolutions (Conv1DTranspose, DepthwiseConv1D, SeparableConv1D, which
 * tfjs lacks) share: Keras' arguments, the bias and activation, and running tfjs' 2D kernels on
 * a height-1 image: [batch, steps, channels] ↔ [batch, 1, steps, channels] (channels_first inputs
 * are transposed around it).
 */
import { add, expandDims, squeeze, transpose, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import { layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { activationFrom, initializerFrom, serializeInitializer, type Activation, type Initializer, type InitializerIdentifier } from '../serialized.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
export type Shape = Array<number | null>;

export interface Conv1DArgs extends LayerArgs {
  kernelSize: number | number[];
  strides?: number | number[];
  padding?: 'valid' | 'same';
  dataFormat?: 'channelsLast' | 'channelsFirst';
  dilationRate?: number | number[];
  activation?: string;
  useBias?: boolean;
  biasInitializer?: InitializerIdentifier;
}

export const first = (v: number | number[] | undefined, fallback: number): number => (Array.isArray(v) ? v[0] : v ?? fallback);

export abstract class Conv1DBase extends layers.Layer {
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: 'valid' | 'same';
  readonly dataFormat: 'channelsLast' | 'channelsFirst';
  readonly dilationRate: number;
  readonly useBias: boolean;
  protected readonly activation: Activation;
  protected readonly biasInitializer: Initializer;
  protected bias: LayerVariable | null = null;

  constructor(args: Conv1DArgs) {
    super(args);
    this.kernelSize = first(args.kernelSize, 1);
    this.strides = first(args.strides, 1);
    this.padding = args.padding ?? 'valid';
    this.dataFormat = args.dataFormat ?? 'channelsLast';
    this.dilationRate = first(args.dilationRate, 1);
    this.useBias = args.useBias ?? true;
    this.activation = activationFrom(args.activation);
    this.biasInitializer = initializerFrom(args.biasInitializer, 'zeros');
  }

  protected channels(shape: Shape): number {
    return (this.dataFormat === 'channelsFirst' ? shape[1] : shape[shape.length - 1]) as number;
  }

  protected steps(shape: Shape): number | null {
    return this.dataFormat === 'channelsFirst' ? shape[2] : shape[1];
  }

  /** [batch, steps, channels] (channels last) as a height-1 NHWC image. */
  protected toImage(x: Tensor): Tensor4D {
    const last = this.dataFormat === 'channelsFirst' ? transpose(x, [0, 2, 1]) : x;
    return expandDims(last, 1) as Tensor4D;
  }

  /** Back from the image, with bias and activation. */
  protected fromImage(y: Tensor): Tensor {
    let out = squeeze(y, [1]);
    if (this.bias) out = add(out, this.bias.read());
    out = this.activation.apply(out);
    return this.dataFormat === 'channelsFirst' ? transpose(out, [0, 2, 1]) : out;
  }

  /** Output steps of a strided, dilated convolution ('valid' or 'same'). */
  protected convSteps(steps: number | null): number | null {
    if (steps === null) return null;
    if (this.padding === 'same') return Math.ceil(steps / this.strides);
    const span = (this.kernelSize - 1) * this.dilationRate + 1;
    return Math.floor((steps - span) / this.strides) + 1;
  }

  protected shapeOut(inputShape: Shape, steps: number | null, channels: number): Shape {
    return this.dataFormat === 'channelsFirst' ? [inputShape[0], channels, steps] : [inputShape[0], steps, channels];
  }

  protected baseConfig() {
    return {
      kernelSize: [this.kernelSize],
      strides: [this.strides],
      padding: this.padding,
      dataFormat: this.dataFormat,
      dilationRate: [this.dilationRate],
      activation: this.activation.getClassName(),
      useBias: this.useBias,
      biasInitializer: serializeInitializer(this.biasInitializer),
    };
  }
}
