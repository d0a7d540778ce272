/**
 * KerasConv3DTranspose: Keras' Conv3DTranspose. tfjs has the layer, but tfjs-backend-wasm 4.22's
 * Conv3DBackpropInputV2 kernel (which tfjs' conv3dTranspose runs) returns wrong values for every
 * stride, padding and kernel size (cpu is right). This layer computes the transposed convolution
 * with conv3d, which is right on every backend: the input with s − 1 zeros inserted between
 * steps, padded so the kernel starts where TensorFlow's conv_transpose starts it
 * (transposed_length.ts), convolved 'valid' with the kernel flipped in space and its channel axes
 * swapped. It also honours Keras' output_padding.
 *
 * Kernel [d, h, w, filters, input channels] (Keras' layout), bias [filters].
 */
import {
  add, concat, conv3d, pad, reshape, reverse, serialization, slice, tidy, transpose, zeros,
  type Tensor, type Tensor5D,
} from '@tensorflow/tfjs-core';
import { layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { activationFrom, initializerFrom, serializeInitializer, type Activation, type Initializer, type InitializerIdentifier } from '../serialized.js';
import { transposedLeadingPad, transposedLength } from './transposed_length.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;
type Triple = [number, number, number];

export interface KerasConv3DTransposeArgs extends LayerArgs {
  filters: number;
  kernelSize: number | number[];
  strides?: number | number[];
  padding?: 'valid' | 'same';
  /** Extra output steps per axis (Keras' output_padding); null: Keras' default lengths. */
  outputPadding?: number | number[] | null;
  dataFormat?: 'channelsLast' | 'channelsFirst';
  activation?: string;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
}

const triple = (v: number | number[] | undefined, fallback: number): Triple =>
  (Array.isArray(v) ? [v[0], v[1] ?? v[0], v[2] ?? v[0]] : [v ?? fallback, v ?? fallback, v ?? fallback]);

export class KerasConv3DTranspose extends layers.Layer {
  static className = 'KerasConv3DTranspose';
  readonly filters: number;
  readonly kernelSize: Triple;
  readonly strides: Triple;
  readonly padding: 'valid' | 'same';
  readonly outputPadding: Triple | null;
  readonly dataFormat: 'channelsLast' | 'channelsFirst';
  readonly useBias: boolean;
  private readonly activation: Activation;
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  private kernel: LayerVariable | null = null;
  private bias: LayerVariable | null = null;

  constructor(args: KerasConv3DTransposeArgs) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = triple(args.kernelSize, 1);
    this.strides = triple(args.strides, 1);
    this.padding = args.padding ?? 'valid';
    this.outputPadding = args.outputPadding == null ? null : triple(args.outputPadding, 0);
    this.dataFormat = args.dataFormat ?? 'channelsLast';
    this.useBias = args.useBias ?? true;
    this.activation = activationFrom(args.activation);
    this.kernelInitializer = initializerFrom(args.kernelInitializer, 'glorotUniform');
    this.biasInitializer = initializerFrom(args.biasInitializer, 'zeros');
  }

  private spatialAxes(): Triple {
    return this.dataFormat === 'channelsFirst' ? [2, 3, 4] : [1, 2, 3];
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const channels = (this.dataFormat === 'channelsFirst' ? shape[1] : shape[4]) as number;
    this.kernel = this.addWeight('kernel', [...this.kernelSize, this.filters, channels], 'float32', this.kernelInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', this.biasInitializer);
    this.built = true;
  }

  private outLength(axis: number, n: number): number {
    return transposedLength(n, this.kernelSize[axis], this.strides[axis], this.padding, this.outputPadding?.[axis] ?? null);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = [...((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape)];
    this.spatialAxes().forEach((a, i) => {
      const n = shape[a];
      shape[a] = n === null ? null : this.outLength(i, n);
    });
    shape[this.dataFormat === 'channelsFirst' ? 1 : 4] = this.filters;
    return shape;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const input = Array.isArray(inputs) ? inputs[0] : inputs;
      let x = this.dataFormat === 'channelsFirst' ? transpose(input, [0, 2, 3, 4, 1]) : input;
      const pads: Array<[number, number]> = [[0, 0]];
      for (let i = 0; i < 3; i++) {
        const n = x.shape[i + 1];
        const [k, s] = [this.kernelSize[i], this.strides[i]];
        const out = this.outLength(i, n);
        x = insertZeros(x, i + 1, s);
        // The full transposed convolution pads k − 1 on each side; TensorFlow drops `lead` of it.
        const before = k - 1 - transposedLeadingPad(n, k, s, this.padding, out);
        const after = out + k - 1 - before - n * s;
        if (after < 0) x = slice(x, x.shape.map(() => 0), x.shape.map((d, j) => (j === i + 1 ? d + after : -1)));
        pads.push([before, Math.max(after, 0)]);
      }
      pads.push([0, 0]);
      const filter = transpose(reverse((this.kernel as LayerVariable).read(), [0, 1, 2]), [0, 1, 2, 4, 3]) as Tensor5D;
      let y: Tensor = conv3d(pad(x, pads) as Tensor5D, filter, 1, 'valid');
      if (this.bias) y = add(y, this.bias.read());
      y = this.activation.apply(y);
      return this.dataFormat === 'channelsFirst' ? transpose(y, [0, 4, 1, 2, 3]) : y;
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      outputPadding: this.outputPadding,
      dataFormat: this.dataFormat,
      activation: this.activation.getClassName(),
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
    };
  }
}
serialization.registerClass(KerasConv3DTranspose);

/** `x` with s − 1 zeros after every step along `axis` (length n → n·s). */
function insertZeros(x: Tensor, axis: number, s: number): Tensor {
  if (s === 1) return x;
  const shape = x.shape;
  const split = [...shape.slice(0, axis + 1), 1, ...shape.slice(axis + 1)];
  const gap = [...shape.slice(0, axis + 1), s - 1, ...shape.slice(axis + 1)];
  const spread = concat([reshape(x, split), zeros(gap)], axis + 1);
  return reshape(spread, [...shape.slice(0, axis), shape[axis] * s, ...shape.slice(axis + 1)]);
}
