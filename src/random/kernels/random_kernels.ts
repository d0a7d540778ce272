/**
 * Loader for the WebAssembly random kernels (random_kernels.wat, assembled into
 * random_kernels_wasm.ts by scripts/build_wasm_kernels.mjs).
 *
 * The module is small (under 4 KB, the most older Chrome versions compile synchronously on the
 * main thread; a test keeps it so), so it is compiled synchronously on first use, in Node and in
 * browsers alike. It owns its memory: each call generates at most CHUNK_WORDS words into it and
 * copies them to the caller's array, chunk by chunk — the results live in ordinary JS arrays that
 * callers (and tfjs tensors) may keep, and the working set stays in cache however many values are
 * drawn. Where WebAssembly or its SIMD extension is missing the kernels report themselves
 * unavailable and philox.ts / threefry.ts run their JavaScript reference code instead.
 */
import { instantiateBase64 } from '../../wasm_module.js';
import { RANDOM_KERNELS_WASM_BASE64 } from './random_kernels_wasm.js';

/** What a kernel writes per value (the `mode` of random_kernels.wat). */
export type KernelOutput =
  | { kind: 'words' }
  | { kind: 'uniform' }
  /** f32 `keepValue` where the 23-bit mantissa passes `threshold` (see mask_thresholds.ts), else 0. */
  | { kind: 'mask'; threshold: number; keepValue: number };

const MODE = { words: 0, uniform: 1, mask: 2 } as const;

/**
 * Words per kernel call: a power of two (Threefry chunks never straddle a 2^32 index boundary),
 * a multiple of 32 (whole Philox groups), and 128 KB per output region so the kernel's writes and
 * the copy out stay in L2 cache.
 */
const CHUNK_WORDS = 1 << 15;
/** random_kernels.wat uses bytes [0, 128) as scratch; output region A follows, then region B. */
const REGION_A = 128;
const REGION_B = REGION_A + CHUNK_WORDS * 4;
const MEMORY_BYTES = REGION_B + CHUNK_WORDS * 4;
const WASM_PAGE_BYTES = 65536;
const TWO_POW_32 = 4294967296;

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface KernelExports {
  memory: WasmMemory;
  philox(
    out: number, groups: number, k0: number, k1: number,
    c0: number, c1: number, c2: number, c3: number,
    mode: number, threshold: number, keep: number,
  ): void;
  threefry(
    out0: number, out1: number, groups: number, k0: number, k1: number,
    x0: number, x0Step: number, x1: number, split: number,
    mode: number, threshold: number, keep: number,
  ): void;
}

interface Kernels {
  exports: KernelExports;
  words: Uint32Array;
  floats: Float32Array;
}

/** undefined: not tried yet; null: unavailable (no WebAssembly, no SIMD, or compile failed). */
let loaded: Kernels | null | undefined;
let enabled = true;

function load(): Kernels | null {
  // An engine without wasm SIMD rejects the module at compile time: then the JS streams run.
  const exports = instantiateBase64<KernelExports>(RANDOM_KERNELS_WASM_BASE64);
  if (exports === null) return null;
  const pages = Math.ceil(MEMORY_BYTES / WASM_PAGE_BYTES) - exports.memory.buffer.byteLength / WASM_PAGE_BYTES;
  if (pages > 0) exports.memory.grow(pages);
  const buffer = exports.memory.buffer;
  return { exports, words: new Uint32Array(buffer), floats: new Float32Array(buffer) };
}

function kernels(): Kernels | null {
  if (!enabled) return null;
  if (loaded === undefined) loaded = load();
  return loaded;
}

/** True when the WebAssembly kernels run in this engine (and are not switched off). */
export function randomKernelsAvailable(): boolean {
  return kernels() !== null;
}

/**
 * Switches the kernels off (false) or back on (true), e.g. to time or test the JavaScript
 * reference path on an engine that has WebAssembly. Returns the previous setting.
 */
export function setRandomKernelsEnabled(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

/**
 * Runs `fn` with the kernels switched off: the streams then compute in their JavaScript code,
 * exactly what an engine without WebAssembly SIMD runs — the reference the kernels are tested against.
 */
export function withoutRandomKernels<T>(fn: () => T): T {
  const previous = setRandomKernelsEnabled(false);
  try {
    return fn();
  } finally {
    setRandomKernelsEnabled(previous);
  }
}

function modeArgs(output: KernelOutput): [mode: number, threshold: number, keep: number] {
  return output.kind === 'mask' ? [MODE.mask, output.threshold, output.keepValue] : [MODE[output.kind], 0, 0];
}

/** Copies `count` words of region `at` (byte offset) to `out[offset..]`, keeping the bits. */
function copyOut(k: Kernels, at: number, out: Uint32Array | Float32Array, offset: number, count: number): void {
  const from = at / 4;
  if (out instanceof Float32Array) out.set(k.floats.subarray(from, from + count), offset);
  else out.set(k.words.subarray(from, from + count), offset);
}

/**
 * Philox4x32-10 words `counter + floor(i / 4)`, word `i % 4`, for i < count — TensorFlow's fill
 * order — into `out[0..count)`, as raw words, uniforms or mask values. Counter words are uint32,
 * least significant first. Returns false (writing nothing) when the kernels are unavailable.
 */
export function philoxKernel(
  out: Uint32Array | Float32Array,
  count: number,
  key: readonly [number, number],
  counter: readonly [number, number, number, number],
  output: KernelOutput,
): boolean {
  const k = kernels();
  if (k === null) return false;
  const [mode, threshold, keep] = modeArgs(output);
  let [c0, c1, c2, c3] = counter;
  for (let done = 0; done < count; done += CHUNK_WORDS) {
    const n = Math.min(CHUNK_WORDS, count - done);
    k.exports.philox(REGION_A, Math.ceil(n / 32), key[0], key[1], c0, c1, c2, c3, mode, threshold, keep);
    copyOut(k, REGION_A, out, done, n);
    // counter += CHUNK_WORDS / 4 blocks (128-bit add; only the last chunk may be partial).
    const sum = c0 + CHUNK_WORDS / 4;
    c0 = sum >>> 0;
    if (sum >= TWO_POW_32) {
      c1 = (c1 + 1) >>> 0;
      if (c1 === 0) {
        c2 = (c2 + 1) >>> 0;
        if (c2 === 0) c3 = (c3 + 1) >>> 0;
      }
    }
  }
  return true;
}

/**
 * Threefry2x32-20 under key (k0, k1) in JAX's layout (see threefry.ts) into `out[0..count)`, as
 * raw words, uniforms or mask values. The original layout needs count < 2^32 - 1 (the caller
 * checks). Returns false (writing nothing) when the kernels are unavailable.
 */
export function threefryKernel(
  out: Uint32Array | Float32Array,
  count: number,
  key: readonly [number, number],
  partitionable: boolean,
  output: KernelOutput,
): boolean {
  const k = kernels();
  if (k === null) return false;
  const [mode, threshold, keep] = modeArgs(output);
  if (partitionable) {
    // Counter of value i = (hi32(i), lo32(i)); chunks start at multiples of a power of two
    // below 2^32, so lo32 does not wrap inside one.
    for (let done = 0; done < count; done += CHUNK_WORDS) {
      const n = Math.min(CHUNK_WORDS, count - done);
      const hi = Math.floor(done / TWO_POW_32);
      k.exports.threefry(REGION_A, 0, Math.ceil(n / 8), key[0], key[1], hi, 0, done >>> 0, 0, mode, threshold, keep);
      copyOut(k, REGION_A, out, done, n);
    }
    return true;
  }
  // Original layout: pair j = (j, half + j) gives out[j] = y0 and out[half + j] = y1.
  const half = Math.ceil(count / 2);
  for (let j = 0; j < half; j += CHUNK_WORDS) {
    const n = Math.min(CHUNK_WORDS, half - j);
    k.exports.threefry(REGION_A, REGION_B, Math.ceil(n / 8), key[0], key[1], j, 1, half + j, 1, mode, threshold, keep);
    copyOut(k, REGION_A, out, j, n);
    copyOut(k, REGION_B, out, half + j, Math.min(n, count - half - j));
  }
  if (count % 2 === 1) {
    // An odd count pads the second half with one 0 counter: the last pair is (half - 1, 0).
    k.exports.threefry(REGION_A, REGION_B, 1, key[0], key[1], half - 1, 1, 0, 1, mode, threshold, keep);
    copyOut(k, REGION_A, out, half - 1, 1);
  }
  return true;
}
