/**
 * The WebAssembly random kernels against the JavaScript references, bit for bit: raw words,
 * uniforms and fused dropout masks of both streams, over many keys and counts (partial
 * Philox blocks and SIMD groups, the loader's chunk edges, 128-bit counter carries, 0 and 1),
 * plus the integer keep rule the mask kernels use, the generated module's freshness and the
 * JavaScript fallback.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  philoxDropoutMask,
  philoxDropoutMaskReference,
  philoxUniform,
  philoxUniformReference,
  philoxWords,
  philoxWordsReference,
} from '../../src/random/philox.js';
import {
  threefryBits,
  threefryBitsReference,
  threefryDropoutMask,
  threefryDropoutMaskReference,
  threefryUniform,
  threefryUniformReference,
} from '../../src/random/threefry.js';
import { randomKernelsAvailable, setRandomKernelsEnabled } from '../../src/random/kernels/random_kernels.js';
import { jaxKeepBelow, tfKeepAtOrAbove } from '../../src/random/kernels/mask_thresholds.js';
import { RANDOM_KERNELS_WASM_BASE64 } from '../../src/random/kernels/random_kernels_wasm.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The loader works in chunks of 2^15 words; counts around its edges and a few chunks long. */
const CHUNK = 1 << 15;
const COUNTS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 1001, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 13, 100_003];
const TWO_POW_23 = 8388608;
/** Chrome has refused synchronous `new WebAssembly.Module` of more than 4 KB on the main thread (its long-standing limit). */
const MAX_SYNC_COMPILE_BYTES = 4096;

/** A small deterministic generator of uint32 test keys (xorshift32). */
function uint32s(seed: number, n: number): number[] {
  let x = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.push(x);
  }
  return out;
}

function sameBits(a: Float32Array | Uint32Array, b: Float32Array | Uint32Array): void {
  expect(a.length).toBe(b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let firstDiff = -1;
  for (let i = 0; i < ua.length && firstDiff < 0; i++) if (ua[i] !== ub[i]) firstDiff = i;
  expect(firstDiff).toBe(-1);
}

afterEach(() => {
  setRandomKernelsEnabled(true);
});

describe('random kernels: build and loading', () => {
  it('the committed random_kernels_wasm.ts is exactly what the .wat assembles to', () => {
    // Exits non-zero (execFileSync throws) when the module is stale.
    execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build_wasm_kernels.mjs'), '--check'], { stdio: 'pipe' });
  });

  it('the module stays under 4 KB, so browsers may compile it synchronously on the main thread', () => {
    expect(atob(RANDOM_KERNELS_WASM_BASE64).length).toBeLessThan(MAX_SYNC_COMPILE_BYTES);
  });

  it('run in Node 20 (so every comparison below exercises the WebAssembly path)', () => {
    expect(randomKernelsAvailable()).toBe(true);
  });

  it('can be switched off: the public functions then run the reference', () => {
    const fast = philoxUniform([3, 9], 77);
    setRandomKernelsEnabled(false);
    expect(randomKernelsAvailable()).toBe(false);
    sameBits(philoxUniform([3, 9], 77), fast);
    sameBits(threefryUniform([3, 9], 77), threefryUniformReference([3, 9], 77));
  });

  it('results are fresh arrays: a later draw does not change an earlier result', () => {
    const first = philoxUniform([1, 2], 40);
    const copy = Float32Array.from(first);
    philoxUniform([5, 6], 40);
    threefryDropoutMask([5, 6], 40, 0.5, 2);
    sameBits(first, copy);
  });

  it('fill a caller buffer view without touching its neighbours', () => {
    const backing = new Float32Array(50).fill(-1);
    const view = backing.subarray(3, 40);
    expect(philoxDropoutMask([4, 4], 33, 0.3, 7, view)).toBe(view);
    sameBits(view.subarray(0, 33), philoxDropoutMaskReference([4, 4], 33, 0.3, 7));
    expect(Array.from(backing.subarray(0, 3))).toEqual([-1, -1, -1]);
    expect(Array.from(backing.subarray(36))).toEqual(new Array(14).fill(-1));
  });
});

describe('philox kernel == philoxWordsReference', () => {
  const keys = uint32s(0x9e3779b9, 2 * 6);
  const counters = uint32s(0x2545f491, 4 * 6);
  it.each(COUNTS)('count %i, six keys and counters', (count) => {
    for (let s = 0; s < 6; s++) {
      const key: [number, number] = [keys[2 * s], keys[2 * s + 1]];
      const counter: [number, number, number, number] = [counters[4 * s], counters[4 * s + 1], counters[4 * s + 2], counters[4 * s + 3]];
      sameBits(philoxWords(key, counter, count), philoxWordsReference(key, counter, count));
    }
  });

  it.each([
    // carries inside one SIMD group (lanes 0..3 straddle 2^32), through all four words
    { name: 'low word wraps inside a group', counter: [0xfffffffe, 5, 6, 7] },
    // the kernel's 8-block group: lanes up to 0xffffffff need no carry, one more does
    { name: 'last lane of a group at 0xffffffff (no carry)', counter: [0xfffffff8, 1, 2, 3] },
    { name: 'last lane of a group carries', counter: [0xfffffff9, 1, 2, 3] },
    { name: 'all words carry', counter: [0xfffffffd, 0xffffffff, 0xffffffff, 0x12] },
    { name: 'the whole 128-bit counter wraps to 0', counter: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff] },
    // the loader advances the counter between chunks: carry exactly at a chunk boundary
    { name: 'carry at a chunk boundary', counter: [2 ** 32 - CHUNK / 4, 0xffffffff, 3, 4] },
    { name: 'carry one block after a chunk boundary', counter: [2 ** 32 - CHUNK / 4 - 1, 9, 0xffffffff, 0xffffffff] },
  ])('128-bit counter: $name', ({ counter }) => {
    const c = counter as [number, number, number, number];
    for (const count of [1, 5, 16, 17, 64, CHUNK + 21, 2 * CHUNK + 3]) {
      sameBits(philoxWords([11, 12], c, count), philoxWordsReference([11, 12], c, count));
    }
  });
});

describe('philox uniforms and masks == reference', () => {
  const seeds = uint32s(77, 10).map((v, i) => [(v | 0) >> (i % 3), i * 1000 - 3] as [number, number]);
  it.each(COUNTS)('uniforms, count %i', (count) => {
    for (const seed of seeds) sameBits(philoxUniform(seed, count), philoxUniformReference(seed, count));
  });

  it.each([0, 0.1, 0.25, 0.45, 0.5, 1 / 3, 0.7, 0.9, 2 ** -23, 1 - 2 ** -24, 1])('mask, rate %f', (rate) => {
    const keep = Math.fround(1 / (1 - Math.min(rate, 0.5)));
    for (const count of [1, 15, 17, 1001, CHUNK + 5]) {
      for (const seed of seeds.slice(0, 4)) {
        sameBits(philoxDropoutMask(seed, count, rate, keep), philoxDropoutMaskReference(seed, count, rate, keep));
      }
    }
  });
});

describe('threefry kernel == reference', () => {
  const keys = uint32s(1701, 16);
  it.each(COUNTS)('bits and uniforms, both layouts, count %i', (count) => {
    for (let s = 0; s < 8; s++) {
      const key: [number, number] = [keys[2 * s], keys[2 * s + 1]];
      for (const partitionable of [true, false]) {
        sameBits(threefryBits(key, count, { partitionable }), threefryBitsReference(key, count, { partitionable }));
        sameBits(threefryUniform(key, count, { partitionable }), threefryUniformReference(key, count, { partitionable }));
      }
    }
  });

  it.each([0, 0.1, 0.25, 0.45, 0.5, 1 / 3, 0.7, 0.9, 2 ** -23, 1 - 2 ** -24, 1])('mask, rate %f, both layouts', (rate) => {
    const keep = Math.fround(1 / Math.fround(1 - Math.min(rate, 0.5)));
    for (const count of [1, 15, 17, 1001, 2 * CHUNK + 7]) {
      for (const partitionable of [true, false]) {
        const key: [number, number] = [keys[0], count];
        sameBits(
          threefryDropoutMask(key, count, rate, keep, { partitionable }),
          threefryDropoutMaskReference(key, count, rate, keep, { partitionable }),
        );
      }
    }
  });
});

describe('the integer keep rule equals the float compare', () => {
  // Both rules are thresholds in the mantissa m (u = m * 2^-23 grows with m), so agreeing at the
  // integer threshold and its neighbours — and at the ends 0 and 2^23 - 1 — means agreeing for
  // every m. Checked over edge rates and many random ones.
  const EDGE_RATES = [
    0, 2 ** -30, 2 ** -24, 2 ** -23, 3 * 2 ** -24, 1e-8, 0.1, 0.2, 0.25, 1 / 3, 0.45, 0.5, 0.6, 2 / 3, 0.7, 0.9,
    1 - 2 ** -23, 1 - 2 ** -24, 1 - 1e-9, 0.99999999, 1,
  ];
  const randomRates = uint32s(4242, 2000).map((v) => v / 2 ** 32);

  function mantissasToCheck(threshold: number): number[] {
    const ms = [0, TWO_POW_23 - 1];
    for (let d = -2; d <= 2; d++) ms.push(threshold + d);
    return ms.filter((m) => m >= 0 && m < TWO_POW_23);
  }

  it('TensorFlow: (m * 2^-23 >= f32(rate)) <=> m >= tfKeepAtOrAbove(rate)', () => {
    for (const rate of [...EDGE_RATES, ...randomRates]) {
      const threshold = tfKeepAtOrAbove(rate);
      const dropBelow = Math.fround(rate);
      for (const m of mantissasToCheck(threshold)) {
        const u = Math.fround(m / TWO_POW_23);
        expect(m >= threshold, `rate ${rate} m ${m}`).toBe(u >= dropBelow);
      }
    }
  });

  it('JAX: (m * 2^-23 < f32(1 - rate)) <=> m < jaxKeepBelow(rate)', () => {
    for (const rate of [...EDGE_RATES, ...randomRates]) {
      const threshold = jaxKeepBelow(rate);
      const keepBelow = Math.fround(1 - rate);
      for (const m of mantissasToCheck(threshold)) {
        const u = Math.fround(m / TWO_POW_23);
        expect(m < threshold, `rate ${rate} m ${m}`).toBe(u < keepBelow);
      }
    }
  });

  it('thresholds stay within [0, 2^23], so the kernels\' signed 32-bit compares are exact', () => {
    for (const rate of EDGE_RATES) {
      for (const t of [tfKeepAtOrAbove(rate), jaxKeepBelow(rate)]) {
        expect(t).toBeGreaterThanOrEqual(0);
        expect(t).toBeLessThanOrEqual(TWO_POW_23);
      }
    }
  });
});

describe('mask arguments', () => {
  it('reject a rate outside [0, 1] and a non-finite kept value with INVALID_ARGUMENT', () => {
    expect(() => philoxDropoutMask([1, 2], 4, 1.5, 2)).toThrow(/`rate`/);
    expect(() => threefryDropoutMask([1, 2], 4, -0.1, 2)).toThrow(/`rate`/);
    expect(() => philoxDropoutMask([1, 2], 4, 0.5, Infinity)).toThrow(/`keepValue`/);
    expect(() => threefryDropoutMask([1, 2], 4, Number.NaN, 2)).toThrow(/`rate`/);
  });
});
