/**
 * The image operations Keras' Resizing and CenterCrop are made of (keras/src/backend/
 * tensorflow/image.py `resize`, keras/src/utils/image_utils.py `smart_resize`), for NHWC
 * batches: tf.image.resize with half-pixel centers ('bilinear', 'nearest'), the largest centered
 * crop of the target's aspect ratio, and the padding to it.
 */
import { concat, fill, image, slice, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';

export type Interpolation = 'bilinear' | 'nearest';

/** tf.image.resize (TensorFlow 2: half-pixel centers, no corner alignment). */
export function resize(x: Tensor, height: number, width: number, interpolation: Interpolation): Tensor {
  const t = x as Tensor4D;
  if (t.shape[1] === height && t.shape[2] === width) return t.clone();
  return interpolation === 'nearest' ? image.resizeNearestNeighbor(t, [height, width], false, true) : image.resizeBilinear(t, [height, width], false, true);
}

/** The largest centered crop with the target's aspect ratio (integer arithmetic as Keras). */
export function cropToAspect(x: Tensor, targetHeight: number, targetWidth: number): Tensor {
  const [b, h, w, c] = x.shape;
  const cropHeight = Math.max(Math.min(h, Math.trunc((w * targetHeight) / targetWidth)), 1);
  const cropWidth = Math.max(Math.min(w, Math.trunc((h * targetWidth) / targetHeight)), 1);
  const top = Math.trunc((h - cropHeight) / 2);
  const left = Math.trunc((w - cropWidth) / 2);
  return slice(x, [0, top, left, 0], [b, cropHeight, cropWidth, c]);
}

/** Pads (with fillValue) to the target's aspect ratio, image centered (Keras' pad_to_aspect_ratio). */
export function padToAspect(x: Tensor, targetHeight: number, targetWidth: number, fillValue: number): Tensor {
  const [b, h, w, c] = x.shape;
  const padHeight = Math.max(h, Math.trunc((w * targetHeight) / targetWidth));
  const padWidth = Math.max(w, Math.trunc((h * targetWidth) / targetHeight));
  const top = Math.trunc((padHeight - h) / 2);
  const left = Math.trunc((padWidth - w) / 2);
  let out = x;
  if (top > 0) {
    const band = fill([b, top, w, c], fillValue);
    out = concat([band, out, band], 1);
  }
  if (left > 0) {
    const band = fill([b, out.shape[1] as number, left, c], fillValue);
    out = concat([band, out, band], 2);
  }
  return out;
}
