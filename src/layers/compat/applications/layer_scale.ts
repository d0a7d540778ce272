/**
 * LayerScale: the custom layer keras.applications' ConvNeXt ships (keras/src/applications/
 * convnext.py, and tf_keras' copy): each channel of the last axis multiplied by a learned
 * `gamma` (projection_dim entries, initialized to init_values). Not a keras.layers class, so tfjs
 * has nothing for it; the saved config names it 'LayerScale'.
 */
import { mul, serialization, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable } from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface LayerScaleArgs extends LayerArgs {
  initValues: number;
  projectionDim: number;
}

export class LayerScale extends layers.Layer {
  static className = 'LayerScale';
  readonly initValues: number;
  readonly projectionDim: number;
  private gamma: LayerVariable | null = null;

  constructor(args: LayerScaleArgs) {
    super(args);
    this.initValues = args.initValues;
    this.projectionDim = args.projectionDim;
  }

  override build(): void {
    this.gamma = this.addWeight('gamma', [this.projectionDim], 'float32', initializers.constant({ value: this.initValues }));
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => mul(Array.isArray(inputs) ? inputs[0] : inputs, (this.gamma as LayerVariable).read()));
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), initValues: this.initValues, projectionDim: this.projectionDim };
  }
}
serialization.registerClass(LayerScale);
