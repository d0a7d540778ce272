/**
 * keras2tfjs' kernels for tfjs' wasm backend (src/wasm_backend) against tfjs' own results: the
 * same inputs through our kernel on wasm, through tfjs' replaced wasm kernel, and through tfjs' cpu
 * backend. They get installed with no call from the user (the first test imports the wasm
 * backend only after keras2tfjs, as an app may), and cases they do not take go to tfjs' kernels.
 *
 * Tolerance. Gather copies values: bit for bit. A matrix product may differ from tfjs' only in the
 * order its float32 terms are summed. Each order's result lies within γ·Σ|a·b| of the exact sum,
 * γ = (S + 1)·2⁻²⁴ for S terms (Higham's bound for a float32 dot product, the products rounded
 * too), so two orders differ by at most 2γ·Σ|a·b|, computed per element in float64 here. A wrong
 * index, a dropped or doubled term misses it by orders of magnitude. On small integers every
 * product and sum is exact in float32, so there the results must be bit for bit tfjs'.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tfjsWasmKernel, wasmKernelInstalled } from '../../src/wasm_backend/install.js';
import { heapOffset, kernelsFor, trainKernels, type WasmBackend, type WasmMemory } from '../../src/wasm_backend/wasm_heap.js';
import { useBackend } from '../../src/backend.js';

const UNIT_ROUNDOFF = 2 ** -24;

/** Deterministic values (mulberry32): `density` of them nonzero; small integers, or floats in (−2, 2). */
function values(n: number, seed: number, opts: { density?: number; integers?: boolean } = {}): Float32Array {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (next() >= (opts.density ?? 1)) continue;
    out[i] = opts.integers ? Math.floor(next() * 7) - 3 || 1 : next() * 4 - 2;
  }
  return out;
}

interface Result {
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

async function onBackend(name: 'cpu' | 'wasm', compute: () => tf.Tensor): Promise<Result> {
  await tf.setBackend(name);
  const t = tf.tidy(compute);
  const result = { shape: t.shape, data: t.dataSync() as Result['data'] };
  t.dispose();
  return result;
}

/** Runs tfjs' replaced wasm kernel function directly on wasm tensors. */
function tfjsOnWasm(kernelName: string, makeInputs: () => Record<string, tf.Tensor>, attrs: Record<string, unknown>): Result {
  const original = tfjsWasmKernel(kernelName);
  if (original === undefined) throw new Error(`${kernelName} was not replaced`);
  const inputs = makeInputs();
  try {
    const info = original({ inputs, backend: tf.backend(), attrs: attrs as never }) as tf.TensorInfo;
    const t = tf.engine().makeTensorFromTensorInfo(info);
    const result = { shape: t.shape, data: t.dataSync() as Result['data'] };
    t.dispose();
    return result;
  } finally {
    tf.dispose(Object.values(inputs));
  }
}

function expectSameBits(got: Result, want: Result): void {
  expect(got.shape).toEqual(want.shape);
  expect(got.data.constructor).toBe(want.data.constructor);
  expect(Array.from(got.data)).toEqual(Array.from(want.data));
}

/** The largest |got − want| / (2γ·Σ|terms|) over all outputs: ≤ 1 within the stated tolerance. */
function worstOfBound(got: Float32Array, want: Float32Array, absTermSums: Float64Array, terms: number): number {
  const gamma = (terms + 1) * UNIT_ROUNDOFF;
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const bound = 2 * gamma * absTermSums[i];
    const diff = Math.abs(got[i] - want[i]);
    if (diff === 0) continue;
    worst = Math.max(worst, bound === 0 ? Infinity : diff / bound);
  }
  return worst;
}

/**
 * Starts the wasm backend the way an app that imported keras2tfjs first would: import
 * tfjs-backend-wasm, point it at its .wasm files, set the backend — no keras2tfjs call.
 * (Not src/backend.ts' useBackend, which installs the kernels itself.) Once per file.
 */
let started: Promise<{ registeredBeforeStart: boolean; installedBeforeStart: boolean }> | undefined;
function startWasmAsAnApp() {
  started ??= (async () => {
    const registeredBeforeImport = tf.getKernel('BatchMatMul', 'wasm') !== undefined;
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const pkg = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    wasm.setWasmPaths(join(pkg, 'dist') + '/');
    const installedBeforeStart = wasmKernelInstalled('BatchMatMul');
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
    await useBackend('cpu'); // registered the way keras2tfjs does it (no tfjs banner), for the comparisons
    await tf.setBackend('wasm');
    return { registeredBeforeStart: registeredBeforeImport, installedBeforeStart };
  })();
  return started;
}

describe('installation', () => {
  it('importing keras2tfjs before @tensorflow/tfjs-backend-wasm still installs the kernels when the backend starts', async () => {
    const { registeredBeforeStart, installedBeforeStart } = await startWasmAsAnApp();
    expect(registeredBeforeStart).toBe(false); // this file imported keras2tfjs' install.ts first
    expect(installedBeforeStart).toBe(false); // tfjs' kernels registered by the import, not yet replaced
    for (const name of ['GatherV2', 'BatchMatMul', 'Conv2DBackpropFilter']) expect(wasmKernelInstalled(name)).toBe(true);
    expect(tfjsWasmKernel('BatchMatMul')).toBeTypeOf('function');
    expect(tfjsWasmKernel('Conv2DBackpropFilter')).toBeUndefined(); // tfjs has none: ours is added
  });
});

beforeAll(async () => {
  await startWasmAsAnApp();
});

describe("the module on tfjs' multi-threaded build (shared memory)", () => {
  it('binds to a shared memory and computes the same bits as on an ordinary one', () => {
    const api = (globalThis as unknown as { WebAssembly: { Memory: new (d: object) => WasmMemory } }).WebAssembly;
    const [S, M, N] = [37, 11, 9];
    const a = values(S * M, 5, { density: 0.4 });
    const b = values(S * N, 6);
    const results = [false, true].map((shared) => {
      const memory = new api.Memory({ initial: 1, maximum: 65536, shared });
      const kernels = kernelsFor(memory);
      if (kernels === null) throw new Error(`the module did not bind to a ${shared ? 'shared' : 'plain'} memory`);
      const floats = new Float32Array(memory.buffer);
      floats.set(a, 0);
      floats.set(b, S * M);
      kernels.matmul_tn(0, S * M * 4, (S * M + S * N) * 4, S, M, N, 8, 0);
      return Array.from(floats.subarray(S * M + S * N, S * M + S * N + M * N));
    });
    expect(results[1]).toEqual(results[0]);
    expect(results[0].some((v) => v !== 0)).toBe(true);
  });
});

describe('BatchMatMul with a transposed operand', () => {
  /** [S, M, N]: shared dim, rows and columns of the product; tails of 4, cache blocks, one row. */
  const SHAPES: Array<[number, number, number]> = [
    [1, 1, 1], [3, 5, 7], [4, 4, 4], [5, 9, 2], [17, 33, 19], [8, 300, 16], [64, 300, 16], [130, 70, 3], [9, 5000, 1], [6, 2, 1030],
  ];
  const TRANSPOSES: Array<[boolean, boolean]> = [[true, false], [false, true], [true, true], [false, false]];

  /** a, b stored as the transposes say; Σ|a·b| per output for the tolerance. */
  function operands(S: number, M: number, N: number, tA: boolean, tB: boolean, opts: { density?: number; integers?: boolean }) {
    const a = values(S * M, S * 1000 + M, opts);
    const b = values(S * N, N * 1000 + S + 7, { integers: opts.integers });
    const aAt = (s: number, m: number) => (tA ? a[s * M + m] : a[m * S + s]);
    const bAt = (s: number, n: number) => (tB ? b[n * S + s] : b[s * N + n]);
    const absSums = new Float64Array(M * N);
    for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) absSums[m * N + n] += Math.abs(aAt(s, m) * bAt(s, n));
    return { a, b, aShape: tA ? [S, M] : [M, S], bShape: tB ? [N, S] : [S, N], absSums };
  }

  for (const [tA, tB] of TRANSPOSES) {
    it(`transposeA=${tA} transposeB=${tB}: within the summation-order bound of cpu and tfjs' wasm kernel; exact on integers`, async () => {
      for (const [S, M, N] of SHAPES) {
        for (const opts of [{}, { density: 0.03 }, { integers: true, density: 0.5 }]) {
          const { a, b, aShape, bShape, absSums } = operands(S, M, N, tA, tB, opts);
          const product = () => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), tA, tB);
          const cpu = await onBackend('cpu', product);
          const ours = await onBackend('wasm', product);
          const tfjsWasm = tfjsOnWasm('BatchMatMul', () => ({ a: tf.tensor(a, [1, ...aShape]), b: tf.tensor(b, [1, ...bShape]) }), {
            transposeA: tA,
            transposeB: tB,
          });
          expect(ours.shape).toEqual([M, N]);
          expect(tfjsWasm.shape).toEqual([1, M, N]);
          if ('integers' in opts) {
            expectSameBits(ours, cpu);
            expect(Array.from(ours.data)).toEqual(Array.from(tfjsWasm.data));
          } else {
            expect(worstOfBound(ours.data as Float32Array, cpu.data as Float32Array, absSums, S)).toBeLessThanOrEqual(1);
            expect(worstOfBound(ours.data as Float32Array, tfjsWasm.data as Float32Array, absSums, S)).toBeLessThanOrEqual(1);
          }
        }
      }
    });
  }

  it('the sparse (matmul_tn) and dense (matmul_tiled) kernels agree bit for bit, whichever one a product takes', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as WasmBackend;
    const kernels = trainKernels(backend);
    if (kernels === null) throw new Error('the SIMD kernels do not run here');
    const at = (t: tf.Tensor) => heapOffset(backend, t) as number;
    for (const [S, M, N] of [[5, 9, 16], [33, 12, 13], [300, 7, 5], [16, 144, 32], [129, 8, 8]] as Array<[number, number, number]>) {
      for (const density of [1, 0.3, 0.02]) {
        const a = tf.tensor(values(S * M, S + M + N, { density }), [S, M]);
        const b = tf.tensor(values(S * N, S * N), [S, N]);
        const [tn, tiled] = [tf.add(tf.zeros([M, N]), 0), tf.add(tf.zeros([M, N]), 0)]; // fresh outputs
        kernels.matmul_tn(at(a), at(b), at(tn), S, M, N, 8, 0);
        kernels.matmul_tiled(at(a), at(b), at(tiled), S, M, N, 0);
        expect(Array.from(tiled.dataSync())).toEqual(Array.from(tn.dataSync()));
        tf.dispose([a, b, tn, tiled]);
      }
    }
  });

  it('Inf or NaN in B makes 0·B a NaN, as in tfjs: zeros of A are not skipped then', async () => {
    const S = 8, M = 12, N = 5;
    const a = values(S * M, 3, { density: 0.2, integers: true });
    const b = values(S * N, 4);
    b[2 * N + 1] = Infinity;
    b[5 * N + 3] = NaN;
    const product = () => tf.matMul(tf.tensor(a, [S, M]), tf.tensor(b, [S, N]), true, false);
    const cpu = await onBackend('cpu', product);
    const ours = await onBackend('wasm', product);
    const nanAt = (r: Result) => Array.from(r.data, (v) => Number.isNaN(v));
    expect(nanAt(ours)).toEqual(nanAt(cpu));
    // Column 1 meets the Inf in row 2 of B: NaN exactly where a[2, m] is 0 (skipping it would give
    // a finite value), ±Inf elsewhere; column 3 meets the NaN.
    for (let m = 0; m < M; m++) {
      expect(Number.isNaN(ours.data[m * N + 1])).toBe(a[2 * M + m] === 0);
      expect(Number.isNaN(ours.data[m * N + 3])).toBe(true);
    }
    expect(Array.from({ length: M }, (_, m) => a[2 * M + m] === 0).filter(Boolean).length).toBeGreaterThan(0);
  });

  it('rank-3 operands of batch 1 keep tfjs’ output shape; batch 2 goes to tfjs’ kernel unchanged', async () => {
    const a = values(2 * 6 * 5, 11);
    const b = values(2 * 6 * 3, 12);
    const one = () => tf.matMul(tf.tensor(a.subarray(0, 30), [1, 6, 5]), tf.tensor(b.subarray(0, 18), [6, 3]), true, false);
    expect((await onBackend('wasm', one)).shape).toEqual([1, 5, 3]);
    const batched = () => tf.matMul(tf.tensor(a, [2, 6, 5]), tf.tensor(b, [2, 6, 3]), true, false);
    const ours = await onBackend('wasm', batched);
    const tfjsWasm = tfjsOnWasm('BatchMatMul', () => ({ a: tf.tensor(a, [2, 6, 5]), b: tf.tensor(b, [2, 6, 3]) }), { transposeA: true, transposeB: false });
    expectSameBits(ours, tfjsWasm);
  });

  it('mismatched inner dimensions fail with tfjs’ message', async () => {
    await tf.setBackend('wasm');
    expect(() => tf.matMul(tf.ones([3, 4]), tf.ones([5, 2]), true, false)).toThrow(/inner shapes \(3\) and \(5\)/);
  });
});

describe('GatherV2', () => {
  const CASES: Array<{ what: string; shape: number[]; dtype: 'float32' | 'int32' | 'bool'; axis: number; indices: number[]; indicesShape?: number[] }> = [
    { what: 'rows of a batch (model.fit)', shape: [50, 70], dtype: 'float32', axis: 0, indices: [3, 49, 0, 3, 17, 22, 8] },
    { what: 'slices along axis 1', shape: [3, 20, 80], dtype: 'float32', axis: 1, indices: [19, 0, 5, 5] },
    { what: 'int32 rows', shape: [40, 100], dtype: 'int32', axis: 0, indices: [39, 1, 2] },
    { what: 'bool rows', shape: [10, 300], dtype: 'bool', axis: 0, indices: [9, 0, 4] },
    { what: '2-d indices', shape: [12, 64], dtype: 'float32', axis: 0, indices: [1, 2, 3, 11, 10, 9], indicesShape: [2, 3] },
    { what: 'small slices (tfjs’ kernel)', shape: [30, 3], dtype: 'float32', axis: 0, indices: [2, 29, 0] },
    { what: 'negative axis', shape: [4, 6, 90], dtype: 'float32', axis: -2, indices: [5, 0] },
  ];

  for (const c of CASES) {
    it(`${c.what}: bit for bit the cpu backend's result`, async () => {
      const size = c.shape.reduce((p, d) => p * d, 1);
      const x = Array.from(values(size, size, { integers: c.dtype !== 'float32' }), (v) => (c.dtype === 'bool' ? Number(v > 0) : v));
      const gather = () => tf.gather(tf.tensor(x, c.shape, c.dtype), tf.tensor(c.indices, c.indicesShape ?? [c.indices.length], 'int32'), c.axis);
      expectSameBits(await onBackend('wasm', gather), await onBackend('cpu', gather));
    });
  }

  it('an index out of range fails with tfjs’ message', async () => {
    await tf.setBackend('wasm');
    expect(() => tf.gather(tf.ones([50, 70]), tf.tensor1d([1, 50], 'int32'))).toThrow('GatherV2: the index value 50 is not in [0, 49]');
  });
});

describe('Conv2DBackpropFilter (tfjs has none for wasm)', () => {
  interface ConvCase {
    what: string;
    x: [number, number, number, number];
    filter: [number, number, number, number];
    strides: number | [number, number];
    pad: 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];
    dataFormat?: 'NHWC' | 'NCHW';
  }
  const CASES: ConvCase[] = [
    { what: '3×3 valid', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
    { what: '3×3 same (windows over the padding)', x: [2, 7, 6, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same' },
    { what: 'stride 2, same', x: [3, 9, 8, 2], filter: [3, 3, 2, 4], strides: 2, pad: 'same' },
    { what: 'explicit padding, strides [2, 1]', x: [1, 8, 9, 4], filter: [2, 3, 4, 3], strides: [2, 1], pad: [[0, 0], [1, 2], [2, 1], [0, 0]] },
    { what: '5×5 on one channel (the per-value copy path)', x: [4, 12, 12, 1], filter: [5, 5, 1, 8], strides: 1, pad: 'valid' },
    { what: '3×3 on 8 channels (row copies)', x: [2, 10, 10, 8], filter: [3, 3, 8, 16], strides: 1, pad: 'same' },
    { what: '1×1', x: [2, 5, 5, 6], filter: [1, 1, 6, 7], strides: 1, pad: 'valid' },
    { what: 'NCHW', x: [2, 3, 7, 6], filter: [3, 3, 3, 4], strides: 1, pad: 'same', dataFormat: 'NCHW' },
    { what: 'more patch rows than one chunk', x: [8, 64, 64, 4], filter: [3, 3, 4, 2], strides: 1, pad: 'valid' },
  ];

  function outShape(c: ConvCase): number[] {
    const probe = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.strides, c.pad, c.dataFormat ?? 'NHWC'));
    const shape = probe.shape;
    probe.dispose();
    return shape;
  }

  for (const c of CASES) {
    it(`${c.what}: within the summation-order bound of the cpu backend; exact on integers`, async () => {
      await tf.setBackend('cpu');
      const dyShape = outShape(c);
      const xSize = c.x.reduce((p, d) => p * d, 1);
      const dySize = dyShape.reduce((p, d) => p * d, 1);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? 'NHWC', dimRoundingMode: undefined, filterShape: c.filter };
      for (const integers of [false, true]) {
        const x = values(xSize, xSize + 1, { integers, density: 0.7 });
        const dy = values(dySize, dySize + 2, { integers });
        const grad = () => tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor(x, c.x), dy: tf.tensor(dy, dyShape) }, attrs as never) as tf.Tensor;
        const cpu = await onBackend('cpu', grad);
        const ours = await onBackend('wasm', grad);
        if (integers) {
          expectSameBits(ours, cpu);
          continue;
        }
        // Σ|x·dy| per filter value, by the same gradient on |x| and |dy| in float64-exact-enough cpu math.
        const absSums = await onBackend('cpu', () =>
          tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.abs(tf.tensor(x, c.x)), dy: tf.abs(tf.tensor(dy, dyShape)) }, attrs as never) as tf.Tensor,
        );
        const positions = dySize / c.filter[3];
        // The |·| sums are float32 themselves: widen the bound by their own rounding (1 + γ).
        const widened = Float64Array.from(absSums.data, (v) => v * (1 + (positions + 1) * UNIT_ROUNDOFF));
        expect(ours.shape).toEqual(c.filter);
        expect(worstOfBound(ours.data as Float32Array, cpu.data as Float32Array, widened, positions)).toBeLessThanOrEqual(1);
      }
    });
  }

  it('a Conv2D model trains with model.fit on wasm to the cpu backend’s weights', async () => {
    const { layers, sequential } = await import('@tensorflow/tfjs-layers');
    const build = () => {
      const model = sequential({
        layers: [
          layers.conv2d({ inputShape: [10, 10, 2], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: 'glorotUniform', name: 'conv' }),
          layers.flatten(),
          layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
        ],
      });
      model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
      return model;
    };
    const init = [values(3 * 3 * 2 * 4, 1), new Float32Array(4), values(256 * 3, 2).map((v) => v / 10), new Float32Array(3)];
    const x = values(16 * 10 * 10 * 2, 5);
    const y = Float32Array.from({ length: 48 }, (_, i) => Number(i % 3 === Math.floor(i / 3) % 3));
    const trained = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const model = build();
      model.setWeights(init.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
      await model.fit(tf.tensor(x, [16, 10, 10, 2]), tf.tensor(y, [16, 3]), { batchSize: 8, epochs: 2, shuffle: false, verbose: 0 });
      const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
      model.dispose();
      return weights;
    };
    const cpu = await trained('cpu');
    const wasm = await trained('wasm');
    // 4 SGD steps carry the gradients' summation-order differences (≈1e-7 relative) forward;
    // weights are |w| < 1. A wrong gradient moves them by ~0.01 per step.
    const WEIGHT_TOLERANCE = 1e-5;
    cpu.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(wasm[i][j] - v)).toBeLessThan(WEIGHT_TOLERANCE)));
    expect(cpu[0].some((v, j) => v !== init[0][j])).toBe(true); // it did train
  });
});

describe('Conv2DBackpropInput', () => {
  const CASES: Array<{ what: string; x: [number, number, number, number]; filter: [number, number, number, number]; strides: number | [number, number]; pad: 'valid' | 'same' }> = [
    { what: '3×3 valid', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
    { what: '3×3 same', x: [2, 6, 7, 5], filter: [3, 3, 5, 6], strides: 1, pad: 'same' },
    { what: 'stride 2, same, one channel', x: [3, 9, 8, 1], filter: [3, 3, 1, 4], strides: 2, pad: 'same' },
    { what: '2×3, strides [1, 2]', x: [1, 8, 9, 16], filter: [2, 3, 16, 8], strides: [1, 2], pad: 'valid' },
    { what: '2×2 same, stride 1 (uneven padding: the convolution path)', x: [2, 5, 6, 3], filter: [2, 2, 3, 4], strides: 1, pad: 'same' },
    { what: '5×5 valid, stride 1, one input channel (a first layer)', x: [3, 12, 11, 1], filter: [5, 5, 1, 16], strides: 1, pad: 'valid' },
  ];
  for (const c of CASES) {
    it(`${c.what}: within the summation-order bound of the cpu backend; exact on integers`, async () => {
      await tf.setBackend('cpu');
      const probe = tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.strides, c.pad);
      const dyShape = probe.shape;
      probe.dispose();
      const dySize = dyShape.reduce((p, d) => p * d, 1);
      const fSize = c.filter.reduce((p, d) => p * d, 1);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: c.x };
      for (const integers of [false, true]) {
        const dy = values(dySize, dySize + 3, { integers, density: 0.8 });
        const filter = values(fSize, fSize + 4, { integers });
        const grad = (abs = false) => () => {
          const [d, f] = [tf.tensor(dy, dyShape), tf.tensor(filter, c.filter)];
          return tf.engine().runKernel('Conv2DBackpropInput', { dy: abs ? tf.abs(d) : d, filter: abs ? tf.abs(f) : f }, attrs as never) as tf.Tensor;
        };
        const cpu = await onBackend('cpu', grad());
        const ours = await onBackend('wasm', grad());
        if (integers) {
          expectSameBits(ours, cpu);
          continue;
        }
        const terms = c.filter[0] * c.filter[1] * c.filter[3];
        const absSums = await onBackend('cpu', grad(true));
        const widened = Float64Array.from(absSums.data, (v) => v * (1 + (terms + 1) * UNIT_ROUNDOFF));
        expect(ours.shape).toEqual(c.x);
        expect(worstOfBound(ours.data as Float32Array, cpu.data as Float32Array, widened, terms)).toBeLessThanOrEqual(1);
      }
    });
  }
});

describe('MaxPoolGrad', () => {
  const CASES: Array<{ what: string; x: [number, number, number, number]; size: number; strides: number; pad: 'valid' | 'same' }> = [
    { what: '2×2 stride 2 (the conv model), 16 channels', x: [3, 8, 8, 16], size: 2, strides: 2, pad: 'valid' },
    { what: 'odd image, 6 channels (a tail of two lanes)', x: [2, 7, 9, 6], size: 2, strides: 2, pad: 'valid' },
    { what: '3×3 stride 1 same (overlapping windows over the padding), one channel', x: [2, 6, 5, 1], size: 3, strides: 1, pad: 'same' },
    { what: '3×3 stride 2 same, 5 channels', x: [1, 9, 8, 5], size: 3, strides: 2, pad: 'same' },
  ];
  for (const c of CASES) {
    it(`${c.what}: the cpu backend's result (first maximum); bit for bit where windows do not overlap`, async () => {
      const size = c.x.reduce((p, d) => p * d, 1);
      // Small integers: many ties, all-negative and all-zero windows.
      const x = values(size, size + 5, { integers: true, density: 0.6 });
      const g = () => {
        const xt = tf.tensor(x, c.x) as tf.Tensor4D;
        const pooled = tf.maxPool(xt, c.size, c.strides, c.pad);
        const dy = tf.reshape(tf.range(1, 1 + pooled.size), pooled.shape);
        return tf.engine().runKernel('MaxPoolGrad', { dy, input: xt, output: pooled }, { filterSize: c.size, strides: c.strides, pad: c.pad } as never) as tf.Tensor;
      };
      const cpu = await onBackend('cpu', g);
      const ours = await onBackend('wasm', g);
      // dy = 1, 2, 3, ...: integers, so even overlapping windows sum exactly.
      expectSameBits(ours, cpu);
    });
  }

  it("tfjs' own wasm kernel loses the gradient of windows whose inputs are all ≤ 0 (why it is replaced)", async () => {
    const x = [-2, -1, -3, -4, -5, -6, 3, 4];
    const shape: [number, number, number, number] = [1, 2, 4, 1];
    const attrs = { filterSize: 2, strides: 2, pad: 'valid', dimRoundingMode: undefined };
    const inputs = () => {
      const input = tf.tensor(x, shape);
      return { dy: tf.ones([1, 1, 2, 1]), input, output: tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid') };
    };
    await tf.setBackend('wasm');
    const tfjsWasm = tfjsOnWasm('MaxPoolGrad', inputs, attrs);
    const ours = await onBackend('wasm', () => {
      const i = inputs();
      return tf.engine().runKernel('MaxPoolGrad', i, attrs as never) as tf.Tensor;
    });
    const cpu = await onBackend('cpu', () => {
      const i = inputs();
      return tf.engine().runKernel('MaxPoolGrad', i, attrs as never) as tf.Tensor;
    });
    // Windows [[-2, -1], [-5, -6]] and [[-3, -4], [3, 4]]: each gradient goes to its maximum (−1 and 4).
    expect(Array.from(cpu.data)).toEqual([0, 1, 0, 0, 0, 0, 0, 1]);
    expectSameBits(ours, cpu);
    expect(Array.from(tfjsWasm.data)).not.toEqual(Array.from(cpu.data));
  });
});

describe('Sum over leading axes, Identity', () => {
  it("sums over leading axes bit for bit as tfjs' wasm kernel, keepDims included; other axes go to it", async () => {
    await tf.setBackend('wasm');
    const x = values(6 * 5 * 7, 21);
    for (const [axis, keepDims] of [[[0], false], [[0, 1], false], [[0, 1], true], [0, true], [[1], false], [[0, 2], false]] as Array<[number | number[], boolean]>) {
      const ours = await onBackend('wasm', () => tf.sum(tf.tensor(x, [6, 5, 7]), axis, keepDims));
      const tfjsWasm = tfjsOnWasm('Sum', () => ({ x: tf.tensor(x, [6, 5, 7]) }), { axis, keepDims });
      expectSameBits(ours, tfjsWasm);
    }
  });

  it('clone shares memory: the copy outlives the original, and memory is freed with the last of them', async () => {
    await tf.setBackend('wasm');
    const before = tf.engine().backend.numDataIds();
    const x = tf.tensor([1.5, -2, 3]);
    const y = tf.clone(x);
    expect(tf.engine().backend.numDataIds()).toBe(before + 1);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1.5, -2, 3]);
    y.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(before);
  });
});
