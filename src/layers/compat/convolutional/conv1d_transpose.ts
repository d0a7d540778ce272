/**
 * Conv1DTranspose: Keras' transposed 1D convolution, which tfjs lacks; tfjs' conv2dTranspose on a
 * height-1 image (conv1d_base.ts). Kernel [kernel_size, filters, input channels] (Keras' layout),
 * bias [filters]. Output steps as Keras computes them (transposed_length.ts), output_padding
 * included; dilation is refused by the converter.
 */
import { conv2dTranspose, expandDims, serialization, tidy, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import { type LayerVariable } from '@tensorflow/tfjs-layers';
import { initializerFrom, serializeInitializer, type Initializer, type InitializerIdentifier } from '../serialized.js';
import { Conv1DBase, first, type Conv1DArgs, type Shape } from './conv1d_base.js';
import { transposedLength } from './transposed_length.js';

export interface Conv1DTransposeArgs extends Conv1DArgs {
  filters: number;
  kernelInitializer?: InitializerIdentifier;
  /** Extra output steps (Keras' output_padding); null: Keras' default length. */
  outputPadding?: number | number[] | null;
}

export class Conv1DTranspose extends Conv1DBase {
  static className = 'Conv1DTranspose';
  readonly filters: number;
  readonly outputPadding: number | null;
  private readonly kernelInitializer: Initializer;
  private kernel: LayerVariable | null = null;

  constructor(args: Conv1DTransposeArgs) {
    super(args);
    this.filters = args.filters;
    this.outputPadding = args.outputPadding == null ? null : first(args.outputPadding, 0);
    this.kernelInitializer = initializerFrom(args.kernelInitializer, 'glorotUniform');
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    this.kernel = this.addWeight('kernel', [this.kernelSize, this.filters, this.channels(shape)], 'float32', this.kernelInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', this.biasInitializer);
    this.built = true;
  }

  private transposedSteps(steps: number | null): number | null {
    return steps === null ? null : transposedLength(steps, this.kernelSize, this.strides, this.padding, this.outputPadding);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return this.shapeOut(shape, this.transposedSteps(this.steps(shape)), this.filters);
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const image = this.toImage(Array.isArray(inputs) ? inputs[0] : inputs);
      const [b, , t] = image.shape;
      const filter = expandDims((this.kernel as LayerVariable).read(), 0) as Tensor4D;
      const y = conv2dTranspose(image, filter, [b, 1, this.transposedSteps(t) as number, this.filters], [1, this.strides], this.padding);
      return this.fromImage(y);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), ...this.baseConfig(), filters: this.filters, outputPadding: this.outputPadding, kernelInitializer: serializeInitializer(this.kernelInitializer) };
  }
}
serialization.registerClass(Conv1DTranspose);
