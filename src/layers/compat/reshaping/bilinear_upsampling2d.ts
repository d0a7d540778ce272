/**
 * BilinearUpSampling2D: Keras' `UpSampling2D(interpolation='bilinear')`. Keras (2 and 3) resizes
 * with TensorFlow 2's `tf.image.resize`, which samples at half-pixel centers; tfjs' UpSampling2D
 * calls resizeBilinear without them, so its pixels differ (a 2×2 → 4×4 row is 0, .25, .75, 1 in
 * Keras, 0, .5, 1, 1 in tfjs). This subclass of tfjs' UpSampling2D resizes as Keras does.
 */
import { image, serialization, tidy, transpose, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { registeredClass } from '../registered.js';

type UpSamplingArgs = Parameters<typeof layers.upSampling2d>[0];
type UpSamplingInstance = ReturnType<typeof layers.upSampling2d>;
type Kwargs = Record<string, unknown>;

const UpSampling2DBase = registeredClass<new (args: UpSamplingArgs) => UpSamplingInstance>('UpSampling2D');

export class BilinearUpSampling2D extends UpSampling2DBase {
  static className = 'BilinearUpSampling2D';

  constructor(args: UpSamplingArgs) {
    super({ ...args, interpolation: 'bilinear' });
  }

  override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
    return tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor;
      const first = this.dataFormat === 'channelsFirst';
      const nhwc = first ? transpose(x, [0, 2, 3, 1]) : x;
      const [h, w] = [nhwc.shape[1] as number, nhwc.shape[2] as number];
      const resized = image.resizeBilinear(nhwc as Parameters<typeof image.resizeBilinear>[0], [h * this.size[0], w * this.size[1]], false, true);
      return first ? transpose(resized, [0, 3, 1, 2]) : resized;
    });
  }
}
// The base class comes from tfjs' registry, typed without its (inherited) static fromConfig.
serialization.registerClass(BilinearUpSampling2D as unknown as serialization.SerializableConstructor<BilinearUpSampling2D>);
