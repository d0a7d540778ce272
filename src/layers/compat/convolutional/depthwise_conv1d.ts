/**
 * DepthwiseConv1D: Keras' depthwise 1D convolution, which tfjs lacks; tfjs' depthwiseConv2d on a
 * height-1 image (conv1d_base.ts). Kernel [kernel_size, channels, depth_multiplier], bias
 * [channels · depth_multiplier].
 */
import { depthwiseConv2d, expandDims, serialization, tidy, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import { type LayerVariable } from '@tensorflow/tfjs-layers';
import { initializerFrom, serializeInitializer, type Initializer, type InitializerIdentifier } from '../serialized.js';
import { Conv1DBase, type Conv1DArgs, type Shape } from './conv1d_base.js';

export interface DepthwiseConv1DArgs extends Conv1DArgs {
  depthMultiplier?: number;
  depthwiseInitializer?: InitializerIdentifier;
}

export class DepthwiseConv1D extends Conv1DBase {
  static className = 'DepthwiseConv1D';
  readonly depthMultiplier: number;
  private readonly depthwiseInitializer: Initializer;
  private kernel: LayerVariable | null = null;

  constructor(args: DepthwiseConv1DArgs) {
    super(args);
    this.depthMultiplier = args.depthMultiplier ?? 1;
    this.depthwiseInitializer = initializerFrom(args.depthwiseInitializer, 'glorotUniform');
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const c = this.channels(shape);
    this.kernel = this.addWeight('depthwise_kernel', [this.kernelSize, c, this.depthMultiplier], 'float32', this.depthwiseInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [c * this.depthMultiplier], 'float32', this.biasInitializer);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return this.shapeOut(shape, this.convSteps(this.steps(shape)), this.channels(shape) * this.depthMultiplier);
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const image = this.toImage(Array.isArray(inputs) ? inputs[0] : inputs);
      const filter = expandDims((this.kernel as LayerVariable).read(), 0) as Tensor4D;
      return this.fromImage(depthwiseConv2d(image, filter, [1, this.strides], this.padding, 'NHWC', [1, this.dilationRate]));
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      ...this.baseConfig(),
      depthMultiplier: this.depthMultiplier,
      depthwiseInitializer: serializeInitializer(this.depthwiseInitializer),
    };
  }
}
serialization.registerClass(DepthwiseConv1D);
