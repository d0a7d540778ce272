/**
 * SpectralNormalization: Keras 3's wrapper that divides a layer's kernel by its spectral norm
 * while training (keras/src/layers/normalization/spectral_normalization.py). Training rewrites the
 * kernel variable itself, so at inference Keras calls the wrapped layer unchanged: so does this
 * layer. It keeps Keras' `vector_u` (the power-iteration vector, [1, kernel's last axis]) so that
 * exportKeras writes the wrapper back whole; tfjs training does not normalize the kernel.
 *
 * Weights: the wrapped layer's, built in this layer's name scope ('spectral_normalization/kernel',
 * as tfjs' TimeDistributed does), then 'spectral_normalization/vector_u'.
 */
import { serialization, type Tensor } from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { layerFrom } from '../serialized.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Layer = InstanceType<typeof layers.Layer>;
type Shape = Array<number | null>;
type Kwargs = Record<string, unknown>;
export interface SpectralNormalizationArgs extends LayerArgs {
  /** The wrapped layer (a Dense, a convolution, an Embedding) or its serialized form. */
  layer: Layer | { className: string; config: serialization.ConfigDict };
  powerIterations?: number;
}

export class SpectralNormalization extends layers.Layer {
  static className = 'SpectralNormalization';
  readonly layer: Layer;
  readonly powerIterations: number;
  private vectorU: LayerVariable | null = null;

  constructor(args: SpectralNormalizationArgs) {
    super(args);
    this.layer = args.layer instanceof layers.Layer ? args.layer : layerFrom(args.layer as { className: string; config: serialization.ConfigDict });
    this.powerIterations = args.powerIterations ?? 1;
    this.supportsMasking = this.layer.supportsMasking;
  }

  override build(inputShape: Shape | Shape[]): void {
    if (!this.layer.built) {
      this.layer.build(inputShape);
      this.layer.built = true;
    }
    const kernel = this.layer.weights.find((w) => /(^|\/)(kernel|embeddings)$/.test(w.originalName ?? w.name));
    if (!kernel) throw new Error(`SpectralNormalization: layer '${this.layer.name}' has no kernel nor embeddings`);
    const units = kernel.shape[kernel.shape.length - 1] as number;
    // Keras draws it from TruncatedNormal(0.02); only training reads it.
    this.vectorU = this.addWeight('vector_u', [1, units], 'float32', initializers.zeros(), undefined, false);
    this.built = true;
  }

  override get trainableWeights(): LayerVariable[] {
    return this.layer.trainableWeights;
  }

  override get nonTrainableWeights(): LayerVariable[] {
    return [...this.layer.nonTrainableWeights, ...(this.vectorU ? [this.vectorU] : [])];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return this.layer.computeOutputShape(inputShape);
  }

  override computeMask(inputs: Tensor | Tensor[], mask?: Tensor | Tensor[]): Tensor | Tensor[] {
    return this.layer.computeMask(inputs, mask);
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    return this.layer.call(inputs, kwargs);
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      layer: { className: this.layer.getClassName(), config: this.layer.getConfig() },
      powerIterations: this.powerIterations,
    };
  }
}
serialization.registerClass(SpectralNormalization);
