/**
 * JAX's Threefry2x32-20 stream, as `jax.random.uniform` / `jax.random.bernoulli` draw float32
 * values from a raw uint32[2] key — which is how Keras 3's JAX backend uses its SeedGenerator
 * state `[S, n]` (no PRNGKey, split or fold_in: the state *is* the key).
 *
 * Bits (jax/_src/random/core.py, threefry2x32.py, prng.py):
 * - `partitionable: true` (jax_threefry_partitionable, the default since JAX 0.5.0):
 *   bits[i] = y0 ^ y1 where (y0, y1) = threefry2x32(key, hi32(i), lo32(i)), i the row-major index.
 * - `partitionable: false` (JAX ≤ 0.4.x): counts 0..n-1 (padded with one 0 if n is odd) are split
 *   in halves of length h; pair j = (counts[j], counts[h+j]) gives bits[j] = y0 and bits[h+j] = y1.
 *   So the values depend on the total count, not just on i.
 * Float: bitcast((bits >>> 9) | 0x3f800000) − 1 = (bits >>> 9) / 2^23 — the HIGH 23 bits.
 *
 * The public functions run the WebAssembly kernels (kernels/random_kernels.wat: SIMD, the float
 * conversion or the dropout decision fused in) when the engine has them; the `…Reference`
 * functions are the readable JavaScript definition they are tested against, and the fallback.
 * The reference hot loop keeps its state in locals and allocates nothing.
 */
import { invalidArgument } from '../errors.js';
import { checkCount, checkIntegerPair } from './arg_checks.js';
import { threefryKernel, withoutRandomKernels, type KernelOutput } from './kernels/random_kernels.js';
import { checkMaskArgs, jaxKeepBelow } from './kernels/mask_thresholds.js';

/** Threefry key-schedule parity constant (Skein). */
const KS_PARITY = 0x1bd11bda;
/** 2^-23: scales a 23-bit mantissa to [0, 1) exactly. */
const MANTISSA_SCALE = 1 / 8388608;
const TWO_POW_32 = 4294967296;

export interface ThreefryOptions {
  /**
   * JAX's `jax_threefry_partitionable` flag. Default true: JAX ≥ 0.5.0 (and the JAX this
   * project's fixtures were made with). Set false for fixtures or models trained with JAX < 0.5.
   */
  partitionable?: boolean;
}

/** Scratch for `threefry2x32` results of the lower-level helpers (single-threaded JS). */
const PAIR = new Uint32Array(2);

/**
 * One Threefry2x32 block, 20 rounds, key (k0, k1), counter (x0, x1). Writes (y0, y1) to
 * `out[offset]`, `out[offset+1]`. Inputs are uint32 (int32 bit patterns are accepted too).
 */
export function threefry2x32Block(
  k0: number,
  k1: number,
  x0: number,
  x1: number,
  out: Uint32Array,
  offset = 0,
): void {
  const ks0 = k0 | 0;
  const ks1 = k1 | 0;
  const ks2 = ks0 ^ ks1 ^ KS_PARITY;
  let a = (x0 + ks0) | 0;
  let b = (x1 + ks1) | 0;
  // Rotations 13, 15, 26, 6 then 17, 29, 16, 24; key injection after every 4 rounds.
  a = (a + b) | 0; b = (b << 13) | (b >>> 19); b ^= a;
  a = (a + b) | 0; b = (b << 15) | (b >>> 17); b ^= a;
  a = (a + b) | 0; b = (b << 26) | (b >>> 6); b ^= a;
  a = (a + b) | 0; b = (b << 6) | (b >>> 26); b ^= a;
  a = (a + ks1) | 0; b = (b + ks2 + 1) | 0;
  a = (a + b) | 0; b = (b << 17) | (b >>> 15); b ^= a;
  a = (a + b) | 0; b = (b << 29) | (b >>> 3); b ^= a;
  a = (a + b) | 0; b = (b << 16) | (b >>> 16); b ^= a;
  a = (a + b) | 0; b = (b << 24) | (b >>> 8); b ^= a;
  a = (a + ks2) | 0; b = (b + ks0 + 2) | 0;
  a = (a + b) | 0; b = (b << 13) | (b >>> 19); b ^= a;
  a = (a + b) | 0; b = (b << 15) | (b >>> 17); b ^= a;
  a = (a + b) | 0; b = (b << 26) | (b >>> 6); b ^= a;
  a = (a + b) | 0; b = (b << 6) | (b >>> 26); b ^= a;
  a = (a + ks0) | 0; b = (b + ks1 + 3) | 0;
  a = (a + b) | 0; b = (b << 17) | (b >>> 15); b ^= a;
  a = (a + b) | 0; b = (b << 29) | (b >>> 3); b ^= a;
  a = (a + b) | 0; b = (b << 16) | (b >>> 16); b ^= a;
  a = (a + b) | 0; b = (b << 24) | (b >>> 8); b ^= a;
  a = (a + ks1) | 0; b = (b + ks2 + 4) | 0;
  a = (a + b) | 0; b = (b << 13) | (b >>> 19); b ^= a;
  a = (a + b) | 0; b = (b << 15) | (b >>> 17); b ^= a;
  a = (a + b) | 0; b = (b << 26) | (b >>> 6); b ^= a;
  a = (a + b) | 0; b = (b << 6) | (b >>> 26); b ^= a;
  a = (a + ks2) | 0; b = (b + ks0 + 5) | 0;
  out[offset] = a;
  out[offset + 1] = b;
}

/** Convenience form of `threefry2x32Block` returning [y0, y1] as uint32 numbers. */
export function threefry2x32(key: readonly [number, number], x0: number, x1: number): [number, number] {
  threefry2x32Block(key[0], key[1], x0, x1, PAIR);
  return [PAIR[0], PAIR[1]];
}

const WORDS: KernelOutput = { kind: 'words' };
const UNIFORM: KernelOutput = { kind: 'uniform' };

/**
 * `count` raw uint32 words of `jax.random.bits(key, (count,), uint32)` (any shape with `count`
 * elements, row-major) for a raw threefry key. Fills `out` if given (length ≥ count).
 */
export function threefryBits(
  key: readonly [number, number],
  count: number,
  opts: ThreefryOptions = {},
  out?: Uint32Array,
): Uint32Array {
  const { words, k0, k1, partitionable } = bitsArgs(key, count, opts, out);
  if (!threefryKernel(words, count, [k0, k1], partitionable, WORDS)) fillBits(words, count, k0, k1, partitionable);
  return words;
}

/** `threefryBits` in plain JavaScript: the reference the kernel is tested against. */
export function threefryBitsReference(
  key: readonly [number, number],
  count: number,
  opts: ThreefryOptions = {},
  out?: Uint32Array,
): Uint32Array {
  return withoutRandomKernels(() => threefryBits(key, count, opts, out));
}

/**
 * `count` float32 values of `jax.random.uniform(key, (count,), float32)` (minval 0, maxval 1)
 * for the raw key `[k0, k1]` — for Keras' JAX backend, the SeedGenerator state `[S, n]` as
 * uint32 (see `jaxKeyPair` in seed_state.ts). Values outside uint32 are read as their low
 * 32 bits (two's complement), like a uint32 cast. Fills `out` if given (length ≥ count).
 */
export function threefryUniform(
  key: readonly [number, number],
  count: number,
  opts: ThreefryOptions = {},
  out?: Float32Array,
): Float32Array {
  const { floats, k0, k1, partitionable } = floatArgs(key, count, opts, out);
  if (!threefryKernel(floats, count, [k0, k1], partitionable, UNIFORM)) uniformsInPlace(floats, count, k0, k1, partitionable);
  return floats;
}

/** `threefryUniform` in plain JavaScript: the reference the kernel is tested against. */
export function threefryUniformReference(
  key: readonly [number, number],
  count: number,
  opts: ThreefryOptions = {},
  out?: Float32Array,
): Float32Array {
  return withoutRandomKernels(() => threefryUniform(key, count, opts, out));
}

/**
 * The values of JAX's dropout multiplier for the raw key: `keepValue` where
 * `jax.random.uniform` is < f32(1 - rate) (`jax.random.bernoulli(key, 1 - rate)` keeps the unit,
 * as Keras 3's JAX backend does), 0 where it is dropped — decided without materialising the
 * uniforms. `rate` in [0, 1]; `keepValue` is stored as float32 (e.g. f32(1) / f32(1 - rate)).
 */
export function threefryDropoutMask(
  key: readonly [number, number],
  count: number,
  rate: number,
  keepValue: number,
  opts: ThreefryOptions = {},
  out?: Float32Array,
): Float32Array {
  checkMaskArgs(rate, keepValue);
  const { floats, k0, k1, partitionable } = floatArgs(key, count, opts, out);
  const output: KernelOutput = { kind: 'mask', threshold: jaxKeepBelow(rate), keepValue };
  if (!threefryKernel(floats, count, [k0, k1], partitionable, output)) {
    maskInPlace(floats, count, k0, k1, partitionable, rate, keepValue);
  }
  return floats;
}

/** `threefryDropoutMask` in plain JavaScript, deciding on the float uniform itself (the reference). */
export function threefryDropoutMaskReference(
  key: readonly [number, number],
  count: number,
  rate: number,
  keepValue: number,
  opts: ThreefryOptions = {},
  out?: Float32Array,
): Float32Array {
  return withoutRandomKernels(() => threefryDropoutMask(key, count, rate, keepValue, opts, out));
}

interface StreamArgs {
  k0: number;
  k1: number;
  partitionable: boolean;
}

function streamArgs(key: readonly [number, number], count: number, opts: ThreefryOptions): StreamArgs {
  checkIntegerPair('key', key, 'a pair of integers [k0, k1]');
  checkCount(count);
  const partitionable = opts.partitionable ?? true;
  if (!partitionable && count >= 0xffffffff) {
    // JAX splits the key into blocks beyond 2^32-1 words; no dropout mask is that large.
    throw invalidArgument('count', 'fewer than 2^32 - 1 values in the original (non-partitionable) layout', count);
  }
  return { k0: key[0] >>> 0, k1: key[1] >>> 0, partitionable };
}

function bitsArgs(key: readonly [number, number], count: number, opts: ThreefryOptions, out: Uint32Array | undefined) {
  const args = streamArgs(key, count, opts);
  const words = out ?? new Uint32Array(count);
  if (words.length < count) {
    throw invalidArgument('out', `a Uint32Array of length >= count (${count})`, `length ${words.length}`);
  }
  return { ...args, words };
}

function floatArgs(key: readonly [number, number], count: number, opts: ThreefryOptions, out: Float32Array | undefined) {
  const args = streamArgs(key, count, opts);
  const floats = out ?? new Float32Array(count);
  if (floats.length < count) {
    throw invalidArgument('out', `a Float32Array of length >= count (${count})`, `length ${floats.length}`);
  }
  return { ...args, floats };
}

function fillBits(out: Uint32Array, count: number, k0: number, k1: number, partitionable: boolean): void {
  if (partitionable) fillPartitionable(out, count, k0, k1);
  else fillOriginal(out, count, k0, k1);
}

/**
 * Reference uniforms: bits go into the floats' own memory and are converted in place (word i
 * is read before float i replaces it), so no scratch buffer is allocated.
 */
function uniformsInPlace(floats: Float32Array, count: number, k0: number, k1: number, partitionable: boolean): void {
  const words = new Uint32Array(floats.buffer, floats.byteOffset, count);
  fillBits(words, count, k0, k1, partitionable);
  for (let i = 0; i < count; i++) floats[i] = (words[i] >>> 9) * MANTISSA_SCALE;
}

/** Reference mask: the uniforms, then keep <=> u < f32(1 - rate) (jax.random.bernoulli's float compare). */
function maskInPlace(
  mask: Float32Array,
  count: number,
  k0: number,
  k1: number,
  partitionable: boolean,
  rate: number,
  keepValue: number,
): void {
  uniformsInPlace(mask, count, k0, k1, partitionable);
  const keepBelow = Math.fround(1 - rate);
  for (let i = 0; i < count; i++) mask[i] = mask[i] < keepBelow ? keepValue : 0;
}

/** JAX's float32 conversion: the high 23 bits of a word as a float32 in [0, 1). */
export function threefryWordToUniform(word: number): number {
  return (word >>> 9) * MANTISSA_SCALE;
}

function fillPartitionable(out: Uint32Array, count: number, k0: number, k1: number): void {
  const ks0 = k0 | 0;
  const ks1 = k1 | 0;
  for (let i = 0; i < count; i++) {
    // Counter = the 64-bit row-major index, high word first.
    const hi = i < TWO_POW_32 ? 0 : Math.floor(i / TWO_POW_32);
    threefry2x32Block(ks0, ks1, hi, i >>> 0, PAIR);
    out[i] = PAIR[0] ^ PAIR[1];
  }
}

function fillOriginal(out: Uint32Array, count: number, k0: number, k1: number): void {
  const half = Math.ceil(count / 2);
  for (let j = 0; j < half; j++) {
    const second = j + half;
    // An odd count is padded with a single 0 counter at the end.
    threefry2x32Block(k0, k1, j, second < count ? second : 0, PAIR);
    out[j] = PAIR[0];
    if (second < count) out[second] = PAIR[1];
  }
}
