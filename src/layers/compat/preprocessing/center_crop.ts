/**
 * KerasCenterCrop: Keras' CenterCrop (keras/src/layers/preprocessing/image_preprocessing/
 * center_crop.py; tf.keras computes the same), whose tfjs version crops one pixel off when the
 * width difference halves to 0 and mutates its input shape: the centered (height, width) crop,
 * starting at ⌊(H − height)/2⌋, ⌊(W − width)/2⌋; an image smaller than the target on either
 * side is instead cropped to the target's aspect ratio and resized (bilinear), as Keras'
 * smart_resize does.
 */
import { serialization, slice, tidy, transpose, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { cropToAspect, resize } from './images.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface KerasCenterCropArgs extends LayerArgs {
  height: number;
  width: number;
  dataFormat?: 'channelsLast' | 'channelsFirst';
}

export class KerasCenterCrop extends layers.Layer {
  static className = 'KerasCenterCrop';
  readonly height: number;
  readonly width: number;
  readonly dataFormat: 'channelsLast' | 'channelsFirst';

  constructor(args: KerasCenterCropArgs) {
    super(args);
    this.height = args.height;
    this.width = args.width;
    this.dataFormat = args.dataFormat ?? 'channelsLast';
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = [...((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape)];
    const [hAxis, wAxis] = this.dataFormat === 'channelsFirst' ? [s.length - 2, s.length - 1] : [s.length - 3, s.length - 2];
    s[hAxis] = this.height;
    s[wAxis] = this.width;
    return s;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      let x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (this.dataFormat === 'channelsFirst') x = transpose(x, [0, 2, 3, 1]);
      const [b, h, w, c] = x.shape;
      const [dh, dw] = [h - this.height, w - this.width];
      const y = dh >= 0 && dw >= 0
        ? slice(x, [0, Math.floor(dh / 2), Math.floor(dw / 2), 0], [b, this.height, this.width, c])
        : resize(cropToAspect(x, this.height, this.width), this.height, this.width, 'bilinear');
      return this.dataFormat === 'channelsFirst' ? transpose(y, [0, 3, 1, 2]) : y;
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), height: this.height, width: this.width, dataFormat: this.dataFormat };
  }
}
serialization.registerClass(KerasCenterCrop);
