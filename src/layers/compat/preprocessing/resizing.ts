/**
 * KerasResizing: Keras' Resizing layer (keras/src/layers/preprocessing/image_preprocessing/
 * resizing.py; tf.keras computes the same), which tfjs implements without Keras' aspect-ratio
 * options and with a broken output shape: resize to (height, width) with tf.image.resize
 * ('bilinear' or 'nearest', half-pixel centers), after the largest centered crop of the
 * target's aspect ratio (crop_to_aspect_ratio) or a centered padding to it
 * (pad_to_aspect_ratio, with fill_value). channels_first inputs are transposed around it.
 */
import { serialization, tidy, transpose, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { invalidArgument } from '../../../errors.js';
import { cropToAspect, padToAspect, resize, type Interpolation } from './images.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface KerasResizingArgs extends LayerArgs {
  height: number;
  width: number;
  interpolation?: Interpolation;
  cropToAspectRatio?: boolean;
  padToAspectRatio?: boolean;
  fillValue?: number;
  dataFormat?: 'channelsLast' | 'channelsFirst';
}

export class KerasResizing extends layers.Layer {
  static className = 'KerasResizing';
  readonly height: number;
  readonly width: number;
  readonly interpolation: Interpolation;
  readonly cropToAspectRatio: boolean;
  readonly padToAspectRatio: boolean;
  readonly fillValue: number;
  readonly dataFormat: 'channelsLast' | 'channelsFirst';

  constructor(args: KerasResizingArgs) {
    super(args);
    this.height = args.height;
    this.width = args.width;
    this.interpolation = args.interpolation ?? 'bilinear';
    if (this.interpolation !== 'bilinear' && this.interpolation !== 'nearest') {
      throw invalidArgument('interpolation', "'bilinear' or 'nearest'", this.interpolation);
    }
    this.cropToAspectRatio = args.cropToAspectRatio ?? false;
    this.padToAspectRatio = args.padToAspectRatio ?? false;
    this.fillValue = args.fillValue ?? 0;
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
      if (this.cropToAspectRatio) x = cropToAspect(x, this.height, this.width);
      else if (this.padToAspectRatio) x = padToAspect(x, this.height, this.width, this.fillValue);
      const y = resize(x, this.height, this.width, this.interpolation);
      return this.dataFormat === 'channelsFirst' ? transpose(y, [0, 3, 1, 2]) : y;
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      height: this.height,
      width: this.width,
      interpolation: this.interpolation,
      cropToAspectRatio: this.cropToAspectRatio,
      padToAspectRatio: this.padToAspectRatio,
      fillValue: this.fillValue,
      dataFormat: this.dataFormat,
    };
  }
}
serialization.registerClass(KerasResizing);
