/**
 * TensorFlow's stateless Philox4x32-10 stream, exactly as TensorFlow's CPU kernels produce it
 * for `tf.random.stateless_uniform` (and therefore for `tf.nn.experimental.stateless_dropout`
 * and Keras 3's TensorFlow-backend `Dropout`).
 *
 * The pipeline (tensorflow/core/kernels/stateless_random_ops.cc, random_op_cpu.h,
 * lib/random/philox_random.h, random_distributions.h):
 *   1. seed pair → (key, counter): the seed words are sign-extended to 64 bits, then one Philox
 *      block under the fixed key [0x3ec8f720, 0x02461e29] scrambles them ("GenerateKey").
 *   2. word[i] = Philox(counter + floor(i / 4), key)[i % 4], with a 128-bit counter add.
 *   3. float32 = (low 23 bits of the word) / 2^23, in [0, 1 - 2^-23].
 *
 * The public functions run the WebAssembly kernels (kernels/random_kernels.wat: i64 products,
 * SIMD, the float conversion or the dropout decision fused in) when the engine has them; the
 * `…Reference` functions are the readable JavaScript definition they are tested against, and
 * the fallback. The reference hot loop allocates nothing and avoids BigInt: the 32×32→64-bit
 * products are split on the 16-bit halves of the constant multiplier, in double precision
 * (every partial result stays below 2^53, so it is exact).
 */
import { invalidArgument } from '../errors.js';
import { checkCount, checkIntegerPair } from './arg_checks.js';
import { philoxKernel, withoutRandomKernels, type KernelOutput } from './kernels/random_kernels.js';
import { checkMaskArgs, tfKeepAtOrAbove } from './kernels/mask_thresholds.js';

/** Philox round multipliers and Weyl key increments (philox_random.h). */
const M_A = 0xd2511f53;
const M_B = 0xcd9e8d57;
const W_A = 0x9e3779b9;
const W_B = 0xbb67ae85;
const M_A_LO = M_A & 0xffff;
const M_A_HI = M_A >>> 16;
const M_B_LO = M_B & 0xffff;
const M_B_HI = M_B >>> 16;

/** The fixed key TensorFlow uses to scramble a user seed into a Philox key and counter. */
export const TF_SEED_SCRAMBLE_KEY: readonly [number, number] = [0x3ec8f720, 0x02461e29];

/** Number of 32-bit words one Philox4x32 block yields. */
export const PHILOX_WORDS_PER_BLOCK = 4;

const TWO_POW_32 = 4294967296;
/** 2^-23: scales a 23-bit mantissa to [0, 1) exactly (same as bitcast(0x3f800000 | m) - 1). */
const MANTISSA_SCALE = 1 / 8388608;

/** High 32 bits of the 64-bit product `c * M` for M = M_A (split into 16-bit halves). */
/** 2^-16, to shift doubles right by 16 bits exactly. */
const INV_2_16 = 1 / 65536;

// High 32 bits of the 64-bit product c * M, in double precision without BigInt:
// c * M = (c * M_HI) * 2^16 + c * M_LO, both partial products < 2^48 (exact in a double).
// hi32 = floor((c * M_HI + floor(c * M_LO / 2^16)) / 2^16): the dropped low 16 bits of
// c * M_LO cannot carry into bit 32, the sum stays < 2^53, and scaling by 2^-16 is exact.
// (Measured about 2x faster in V8 than four 16×16-bit partial products.)
function mulHiA(c: number): number {
  const u = c >>> 0;
  return Math.floor((u * M_A_HI + Math.floor(u * M_A_LO * INV_2_16)) * INV_2_16) | 0;
}

function mulHiB(c: number): number {
  const u = c >>> 0;
  return Math.floor((u * M_B_HI + Math.floor(u * M_B_LO * INV_2_16)) * INV_2_16) | 0;
}

/**
 * One Philox4x32-10 block: 10 rounds of `counter` under `key`. Writes the 4 output words to
 * `out[offset .. offset+3]`. All inputs are uint32 values (int32 bit patterns are accepted too).
 */
export function philoxBlock(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
  offset = 0,
): void {
  let x0 = c0 | 0;
  let x1 = c1 | 0;
  let x2 = c2 | 0;
  let x3 = c3 | 0;
  let a = k0 | 0;
  let b = k1 | 0;
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      a = (a + W_A) | 0;
      b = (b + W_B) | 0;
    }
    const hi0 = mulHiA(x0);
    const lo0 = Math.imul(x0, M_A);
    const hi1 = mulHiB(x2);
    const lo1 = Math.imul(x2, M_B);
    x0 = hi1 ^ x1 ^ a;
    x1 = lo1;
    x2 = hi0 ^ x3 ^ b;
    x3 = lo0;
  }
  out[offset] = x0;
  out[offset + 1] = x1;
  out[offset + 2] = x2;
  out[offset + 3] = x3;
}

/** A Philox key (2 uint32 words) and 128-bit counter (4 uint32 words, least significant first). */
export interface PhiloxKeyCounter {
  key: [number, number];
  counter: [number, number, number, number];
}

/**
 * The (key, counter) TensorFlow derives from a stateless seed pair (`GenerateKey` in
 * stateless_random_ops.cc). Each seed value is read as a 64-bit two's-complement integer:
 * an int32 such as -1 is sign-extended to 0xffffffff_ffffffff, exactly as TF's
 * int32 → uint64 conversion does. Any safe integer (|v| < 2^53) is accepted, which also
 * covers TF's int64 seed tensors in that range.
 */
export function tfStatelessKeyCounter(seed: readonly [number, number]): PhiloxKeyCounter {
  checkIntegerPair('seed', seed, 'a pair of integers [seed0, seed1]');
  const [lo0, hi0] = int64Words(seed[0]);
  const [lo1, hi1] = int64Words(seed[1]);
  const mix = new Uint32Array(4);
  philoxBlock(lo0, hi0, lo1, hi1, TF_SEED_SCRAMBLE_KEY[0], TF_SEED_SCRAMBLE_KEY[1], mix);
  return { key: [mix[0], mix[1]], counter: [0, 0, mix[2], mix[3]] };
}

const WORDS: KernelOutput = { kind: 'words' };
const UNIFORM: KernelOutput = { kind: 'uniform' };

/**
 * Fills `out` (or a new array) with `count` raw Philox words: block g uses
 * `counter + g` (128-bit add), and its 4 words land at [4g, 4g+4) — the last partial block
 * contributes only its first words, as TensorFlow's CPU fill does.
 */
export function philoxWords(
  key: readonly [number, number],
  counter: readonly [number, number, number, number],
  count: number,
  out?: Uint32Array,
): Uint32Array {
  const words = wordsTarget(count, out);
  const k = [key[0] >>> 0, key[1] >>> 0] as const;
  const c = [counter[0] >>> 0, counter[1] >>> 0, counter[2] >>> 0, counter[3] >>> 0] as const;
  if (!philoxKernel(words, count, k, c, WORDS)) fillWords(words, count, k[0], k[1], c[0], c[1], c[2], c[3]);
  return words;
}

/** `philoxWords` in plain JavaScript: the reference the kernel is tested against. */
export function philoxWordsReference(
  key: readonly [number, number],
  counter: readonly [number, number, number, number],
  count: number,
  out?: Uint32Array,
): Uint32Array {
  return withoutRandomKernels(() => philoxWords(key, counter, count, out));
}

/**
 * The raw 32-bit words of TensorFlow's stateless stream for `seed` — what
 * `tf.random.stateless_uniform(..., dtype=tf.int32, minval=None, maxval=None)` returns
 * (bit-cast to uint32), and what `tf.random.split` / `stateless_fold_in` build seeds from.
 */
export function philoxStatelessWords(seed: readonly [number, number], count: number, out?: Uint32Array): Uint32Array {
  const { key, counter } = tfStatelessKeyCounter(seed);
  return philoxWords(key, counter, count, out);
}

/**
 * `count` float32 values of `tf.random.stateless_uniform(shape, seed)` (dtype float32,
 * minval 0, maxval 1) on CPU, in row-major order, for any shape with `count` elements.
 *
 * `seed` is the int32 pair TensorFlow receives. With Keras 3's TensorFlow backend that is the
 * SeedGenerator state `[S, n]` after Keras' `floormod(·, 2147483646)` (see `tfSeedPair` in
 * seed_state.ts), so it is non-negative there; negative int32 values are sign-extended as TF does.
 * Pass `out` (length ≥ count) to fill a preallocated buffer without allocating.
 */
export function philoxUniform(seed: readonly [number, number], count: number, out?: Float32Array): Float32Array {
  const floats = floatsTarget(count, out);
  const { key, counter } = tfStatelessKeyCounter(seed);
  if (!philoxKernel(floats, count, key, counter, UNIFORM)) uniformsInPlace(floats, count, key, counter);
  return floats;
}

/** `philoxUniform` in plain JavaScript: the reference the kernel is tested against. */
export function philoxUniformReference(seed: readonly [number, number], count: number, out?: Float32Array): Float32Array {
  return withoutRandomKernels(() => philoxUniform(seed, count, out));
}

/**
 * The values of TensorFlow's dropout multiplier for `seed`: `keepValue` where
 * `tf.random.stateless_uniform` is >= f32(rate) (the unit is kept, as in
 * `tf.nn.experimental.stateless_dropout` and Keras 3's TF backend), 0 where it is dropped.
 * The decision and the value are computed together, without materialising the uniforms.
 * `rate` in [0, 1]; `keepValue` is stored as float32 (e.g. f32(1 / (1 - rate))).
 */
export function philoxDropoutMask(
  seed: readonly [number, number],
  count: number,
  rate: number,
  keepValue: number,
  out?: Float32Array,
): Float32Array {
  checkMaskArgs(rate, keepValue);
  const mask = floatsTarget(count, out);
  const { key, counter } = tfStatelessKeyCounter(seed);
  const output: KernelOutput = { kind: 'mask', threshold: tfKeepAtOrAbove(rate), keepValue };
  if (!philoxKernel(mask, count, key, counter, output)) maskInPlace(mask, count, key, counter, rate, keepValue);
  return mask;
}

/** `philoxDropoutMask` in plain JavaScript, deciding on the float uniform itself (the reference). */
export function philoxDropoutMaskReference(
  seed: readonly [number, number],
  count: number,
  rate: number,
  keepValue: number,
  out?: Float32Array,
): Float32Array {
  return withoutRandomKernels(() => philoxDropoutMask(seed, count, rate, keepValue, out));
}

function wordsTarget(count: number, out: Uint32Array | undefined): Uint32Array {
  checkCount(count);
  const words = out ?? new Uint32Array(count);
  if (words.length < count) {
    throw invalidArgument('out', `a Uint32Array of length >= count (${count})`, `length ${words.length}`);
  }
  return words;
}

function floatsTarget(count: number, out: Float32Array | undefined): Float32Array {
  checkCount(count);
  const floats = out ?? new Float32Array(count);
  if (floats.length < count) {
    throw invalidArgument('out', `a Float32Array of length >= count (${count})`, `length ${floats.length}`);
  }
  return floats;
}

/**
 * Reference uniforms: generate words into the floats' own memory, then convert each word in
 * place (word i is read before float i overwrites it, so no scratch buffer is needed).
 */
function uniformsInPlace(floats: Float32Array, count: number, key: readonly [number, number], counter: readonly number[]): void {
  const words = new Uint32Array(floats.buffer, floats.byteOffset, count);
  fillWords(words, count, key[0], key[1], counter[0], counter[1], counter[2], counter[3]);
  for (let i = 0; i < count; i++) floats[i] = (words[i] & 0x7fffff) * MANTISSA_SCALE;
}

/** Reference mask: the uniforms, then keep <=> u >= f32(rate) (tf.nn dropout's float compare). */
function maskInPlace(
  mask: Float32Array,
  count: number,
  key: readonly [number, number],
  counter: readonly number[],
  rate: number,
  keepValue: number,
): void {
  uniformsInPlace(mask, count, key, counter);
  const dropBelow = Math.fround(rate);
  for (let i = 0; i < count; i++) mask[i] = mask[i] >= dropBelow ? keepValue : 0;
}

/** TF's `Uint32ToFloat`: the low 23 bits of a word as a float32 in [0, 1). */
export function philoxWordToUniform(word: number): number {
  return (word & 0x7fffff) * MANTISSA_SCALE;
}

/** Scratch for the last partial block (JavaScript is single-threaded, so sharing it is safe). */
const TAIL_SCRATCH = new Uint32Array(PHILOX_WORDS_PER_BLOCK);

/** The hot loop: Philox blocks with local state only (no per-block allocation). */
function fillWords(
  out: Uint32Array,
  count: number,
  k0: number,
  k1: number,
  c0: number,
  c1: number,
  c2: number,
  c3: number,
): void {
  const fullBlocks = Math.floor(count / PHILOX_WORDS_PER_BLOCK);
  for (let g = 0; g < fullBlocks; g++) {
    philoxBlock(c0, c1, c2, c3, k0, k1, out, g * PHILOX_WORDS_PER_BLOCK);
    // 128-bit counter += 1 (SkipOne), carrying through the four words.
    c0 = (c0 + 1) >>> 0;
    if (c0 === 0) {
      c1 = (c1 + 1) >>> 0;
      if (c1 === 0) {
        c2 = (c2 + 1) >>> 0;
        if (c2 === 0) c3 = (c3 + 1) >>> 0;
      }
    }
  }
  const rest = count - fullBlocks * PHILOX_WORDS_PER_BLOCK;
  if (rest > 0) {
    philoxBlock(c0, c1, c2, c3, k0, k1, TAIL_SCRATCH);
    for (let j = 0; j < rest; j++) out[fullBlocks * PHILOX_WORDS_PER_BLOCK + j] = TAIL_SCRATCH[j];
  }
}

/** Low and high 32-bit words of a safe integer read as int64 two's complement. */
function int64Words(v: number): [number, number] {
  const lo = v >>> 0; // ToUint32 is exactly v mod 2^32 for integers
  const hi = Math.floor(v / TWO_POW_32) >>> 0;
  return [lo, hi];
}
