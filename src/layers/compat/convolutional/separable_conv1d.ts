/**
 * SeparableConv1D: Keras' separable 1D convolution, which tfjs lacks; tfjs' separableConv2d on a
 * height-1 image (conv1d_base.ts). Depthwise kernel [kernel_size, channels, depth_multiplier],
 * pointwise kernel [1, channels · depth_multiplier, filters], bias [filters].
 */
import { expandDims, separableConv2d, serialization, tidy, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import { type LayerVariable } from '@tensorflow/tfjs-layers';
import { initializerFrom, serializeInitializer, type Initializer, type InitializerIdentifier } from '../serialized.js';
import { Conv1DBase, type Conv1DArgs, type Shape } from './conv1d_base.js';

export interface SeparableConv1DArgs extends Conv1DArgs {
  filters: number;
  depthMultiplier?: number;
  depthwiseInitializer?: InitializerIdentifier;
  pointwiseInitializer?: InitializerIdentifier;
}

export class SeparableConv1D extends Conv1DBase {
  static className = 'SeparableConv1D';
  readonly filters: number;
  readonly depthMultiplier: number;
  private readonly depthwiseInitializer: Initializer;
  private readonly pointwiseInitializer: Initializer;
  private depthwise: LayerVariable | null = null;
  private pointwise: LayerVariable | null = null;

  constructor(args: SeparableConv1DArgs) {
    super(args);
    this.filters = args.filters;
    this.depthMultiplier = args.depthMultiplier ?? 1;
    this.depthwiseInitializer = initializerFrom(args.depthwiseInitializer, 'glorotUniform');
    this.pointwiseInitializer = initializerFrom(args.pointwiseInitializer, 'glorotUniform');
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const c = this.channels(shape);
    this.depthwise = this.addWeight('depthwise_kernel', [this.kernelSize, c, this.depthMultiplier], 'float32', this.depthwiseInitializer);
    this.pointwise = this.addWeight('pointwise_kernel', [1, c * this.depthMultiplier, this.filters], 'float32', this.pointwiseInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', this.biasInitializer);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return this.shapeOut(shape, this.convSteps(this.steps(shape)), this.filters);
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const image = this.toImage(Array.isArray(inputs) ? inputs[0] : inputs);
      const depthwise = expandDims((this.depthwise as LayerVariable).read(), 0) as Tensor4D;
      const pointwise = expandDims((this.pointwise as LayerVariable).read(), 0) as Tensor4D;
      return this.fromImage(separableConv2d(image, depthwise, pointwise, [1, this.strides], this.padding, [1, this.dilationRate], 'NHWC'));
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      ...this.baseConfig(),
      filters: this.filters,
      depthMultiplier: this.depthMultiplier,
      depthwiseInitializer: serializeInitializer(this.depthwiseInitializer),
      pointwiseInitializer: serializeInitializer(this.pointwiseInitializer),
    };
  }
}
serialization.registerClass(SeparableConv1D);
