/**
 * The output length of a transposed convolution along one axis, as Keras computes it (Keras 3
 * compute_conv_transpose_output_shape; tf.keras deconv_output_length gives the same numbers):
 *
 *   'valid'  (n − 1)·s + k + output_padding, output_padding defaulting to max(k, s) − k
 *   'same'   n·s without output_padding, else (n − 1)·s + k mod 2 + output_padding
 *
 * and where TensorFlow's conv_transpose starts the kernel for that length: the forward
 * convolution's leading padding, ⌊max((n − 1)·s + k − out, 0) / 2⌋ for 'same', 0 for 'valid'.
 */
export function transposedLength(n: number, k: number, s: number, padding: 'valid' | 'same', outputPadding: number | null): number {
  if (padding === 'valid') return (n - 1) * s + k + (outputPadding ?? Math.max(k, s) - k);
  return outputPadding === null ? n * s : (n - 1) * s + (k % 2) + outputPadding;
}

export function transposedLeadingPad(n: number, k: number, s: number, padding: 'valid' | 'same', out: number): number {
  return padding === 'same' ? Math.floor(Math.max((n - 1) * s + k - out, 0) / 2) : 0;
}
