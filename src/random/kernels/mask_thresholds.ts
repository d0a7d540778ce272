/**
 * Dropout keep decisions as integer compares on the 23-bit mantissa m of a stream word.
 *
 * Both streams make their float32 uniform as u = m * 2^-23 exactly (m < 2^23 an integer), and a
 * float32 rate times 2^23 is exact in float64, so for an integer m:
 *   u >= r  <=>  m >= r * 2^23  <=>  m >= ceil(r * 2^23)
 *   u <  p  <=>  m <  p * 2^23  <=>  m <  ceil(p * 2^23)
 * The kernels decide on m directly instead of converting to float and comparing.
 */
import { invalidArgument } from '../../errors.js';

const TWO_POW_23 = 8388608;

/** The arguments of the dropout-mask functions: a rate in [0, 1] and a finite kept value. */
export function checkMaskArgs(rate: number, keepValue: number): void {
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw invalidArgument('rate', 'a number in [0, 1]', rate);
  if (typeof keepValue !== 'number' || !Number.isFinite(keepValue)) {
    throw invalidArgument('keepValue', 'a finite number', keepValue);
  }
}

/**
 * TensorFlow (`tf.nn.experimental.stateless_dropout`, Keras 3's TF backend) keeps a unit when
 * u >= f32(rate), i.e. when the word's LOW 23 bits are >= the returned value (0 .. 2^23).
 */
export function tfKeepAtOrAbove(rate: number): number {
  return Math.ceil(Math.fround(rate) * TWO_POW_23);
}

/**
 * JAX (`jax.random.bernoulli(key, 1 - rate)`, Keras 3's JAX backend) keeps a unit when
 * u < f32(1 - rate), i.e. when the word's HIGH 23 bits (word >>> 9) are < the returned value.
 */
export function jaxKeepBelow(rate: number): number {
  return Math.ceil(Math.fround(1 - rate) * TWO_POW_23);
}
