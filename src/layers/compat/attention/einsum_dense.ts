/**
 * EinsumDense: Keras' dense layer over an einsum equation (keras/src/layers/core/einsum_dense.py),
 * which tfjs lacks; the projections inside Transformers. `y = activation(einsum(equation, x,
 * kernel) + bias)`, the kernel and bias shapes derived from the equation as Keras derives them
 * (equations.ts), so converted weights keep their shapes.
 */
import { add, serialization, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { einsum } from '../ops/einsum.js';
import { activationFrom, initializerFrom, serializeInitializer, type Activation, type Initializer, type InitializerIdentifier } from '../serialized.js';
import { einsumDenseShapes } from './equations.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface EinsumDenseArgs extends LayerArgs {
  /** The einsum equation, input then kernel: 'abc,cd->abd', '...b,bc->...c'. */
  equation: string;
  /** The output's shape without the batch axis (None for sizes taken from the input). */
  outputShape: Shape | number;
  /** Output axes (letters of the equation) that get a bias. */
  biasAxes?: string | null;
  /** tfjs activation name ('linear', 'relu', ...). */
  activation?: string;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
}

export class EinsumDense extends layers.Layer {
  static className = 'EinsumDense';
  readonly equation: string;
  readonly partialOutputShape: Shape;
  readonly biasAxes: string | null;
  private readonly activation: Activation;
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  private kernel: LayerVariable | null = null;
  private bias: LayerVariable | null = null;

  constructor(args: EinsumDenseArgs) {
    super(args);
    this.equation = args.equation;
    this.partialOutputShape = typeof args.outputShape === 'number' ? [args.outputShape] : [...args.outputShape];
    this.biasAxes = args.biasAxes ?? null;
    this.activation = activationFrom(args.activation);
    this.kernelInitializer = initializerFrom(args.kernelInitializer, 'glorotUniform');
    this.biasInitializer = initializerFrom(args.biasInitializer, 'zeros');
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const { kernel, bias } = einsumDenseShapes(this.equation, this.biasAxes, shape, this.partialOutputShape);
    this.kernel = this.addWeight('kernel', kernel, 'float32', this.kernelInitializer);
    if (bias) this.bias = this.addWeight('bias', bias, 'float32', this.biasInitializer);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return einsumDenseShapes(this.equation, this.biasAxes, shape, this.partialOutputShape).output;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      let y = einsum(this.equation, [x, (this.kernel as LayerVariable).read()]);
      if (this.bias) y = add(y, this.bias.read());
      return this.activation.apply(y);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      equation: this.equation,
      outputShape: this.partialOutputShape,
      biasAxes: this.biasAxes,
      activation: this.activation.getClassName(),
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
    };
  }
}
serialization.registerClass(EinsumDense);
