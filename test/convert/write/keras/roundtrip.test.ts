/**
 * TypeScript → .keras → TypeScript: exporting a tfjs model and converting the file back with the
 * converter (`loadKerasModel`) gives the same model — same layers and settings, bit-identical
 * weights, identical predictions — on the cpu and wasm backends; exported again, it writes the
 * same config.json and model.weights.h5.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KerasAdam, KerasRMSprop, exportKeras, loadKerasModel, manualDropout } from '../../../../src/index.js';
import { TEST_BACKENDS, switchBackend } from '../../../helpers/backends.js';
import { expectNoLeaks, expectSameFloats } from '../../../helpers/tensor_asserts.js';
import { readKerasArchive } from './keras_archive_reader.js';

type Layer = tfl.LayersModel['layers'][number];
type Config = Record<string, unknown>;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'write-keras-roundtrip-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Deterministic, non-trivial weights (moving variances kept positive). */
function setPatternWeights(model: tfl.LayersModel): void {
  const values = model.weights.map((w, k) => {
    const size = w.shape.reduce((a, b) => (a as number) * (b as number), 1) as number;
    const data = Float32Array.from({ length: size }, (_, i) => Math.sin(k * 1.3 + i * 0.71) * 0.4);
    if (w.originalName.endsWith('moving_variance')) data.forEach((v, i) => (data[i] = 0.5 + Math.abs(v)));
    return tf.tensor(data, w.shape as number[]);
  });
  model.setWeights(values);
  tf.dispose(values);
}

function pattern(shape: number[], seed: number, dtype: 'float32' | 'int32' = 'float32'): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = Array.from({ length: size }, (_, i) => (dtype === 'int32' ? (i * 7 + seed) % 20 : Math.cos(i * 0.37 + seed)));
  return tf.tensor(data, shape, dtype);
}

interface Case {
  build(): tfl.LayersModel;
  inputs(): tf.Tensor[];
}

const L = tfl.layers;
const CASES: Record<string, Case> = {
  seed_sequential: {
    build: () =>
      tfl.sequential({
        layers: [
          L.dense({ units: 16, inputShape: [30], activation: 'relu', kernelRegularizer: tfl.regularizers.l2({ l2: 0.001 }) }),
          L.dense({ units: 16, activation: 'relu', kernelRegularizer: tfl.regularizers.l2({ l2: 0.001 }) }),
          manualDropout({ rate: 0.5, seed: 1337 }),
          L.dense({ units: 1, activation: 'sigmoid' }),
        ],
      }),
    inputs: () => [pattern([3, 30], 1)],
  },
  two_branches: {
    build: () => {
      const a = tfl.input({ shape: [5] });
      const b = tfl.input({ shape: [3] });
      const x = L.dense({ units: 4, activation: 'tanh' }).apply(a) as tfl.SymbolicTensor;
      const y = L.dense({ units: 2, activation: 'swish', kernelInitializer: 'leCunNormal' }).apply(b) as tfl.SymbolicTensor;
      const z = L.batchNormalization().apply(L.concatenate().apply([x, y])) as tfl.SymbolicTensor;
      return tfl.model({ inputs: [a, b], outputs: L.dense({ units: 2, activation: 'softmax' }).apply(z) as tfl.SymbolicTensor });
    },
    inputs: () => [pattern([2, 5], 2), pattern([2, 3], 3)],
  },
  small_cnn: {
    build: () =>
      tfl.sequential({
        layers: [
          L.conv2d({ inputShape: [9, 9, 2], filters: 3, kernelSize: 3, activation: 'relu' }),
          L.maxPooling2d({ poolSize: 2 }),
          L.flatten(),
          L.dense({ units: 2 }),
        ],
      }),
    inputs: () => [pattern([2, 9, 9, 2], 4)],
  },
  embedding_lstm: {
    build: () => {
      const t = tfl.input({ shape: [6], dtype: 'int32' });
      const e = L.embedding({ inputDim: 20, outputDim: 4 }).apply(t);
      const l = L.lstm({ units: 3, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' }).apply(e);
      return tfl.model({ inputs: t, outputs: L.dense({ units: 1, activation: 'sigmoid' }).apply(l) as tfl.SymbolicTensor });
    },
    inputs: () => [pattern([2, 6], 5, 'int32')],
  },
  wrappers: {
    build: () =>
      tfl.sequential({
        layers: [
          L.bidirectional({
            layer: L.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' }) as tfl.RNN,
            inputShape: [5, 4],
          }),
          L.timeDistributed({ layer: L.dense({ units: 2 }) }),
          L.bidirectional({ layer: L.gru({ units: 2, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' }) as tfl.RNN, mergeMode: 'sum' }),
        ],
      }),
    inputs: () => [pattern([2, 5, 4], 7)],
  },
  nested_and_shared: {
    build: () => {
      const inner = tfl.sequential({ layers: [L.dense({ units: 3, inputShape: [3], activation: 'relu' }), L.dense({ units: 3 })] });
      const a = tfl.input({ shape: [3] });
      const shared = L.dense({ units: 3, activation: 'tanh' });
      const s2 = shared.apply(shared.apply(a)) as tfl.SymbolicTensor;
      const v = inner.apply(s2) as tfl.SymbolicTensor;
      return tfl.model({ inputs: a, outputs: [L.add().apply([v, s2]) as tfl.SymbolicTensor, v] });
    },
    inputs: () => [pattern([2, 3], 6)],
  },
};

/** Leaf layers (nested models opened), InputLayers left out: Keras 3 gives every model one. */
function leaves(model: tfl.LayersModel | Layer): Layer[] {
  return (model as tfl.LayersModel).layers.flatMap((l) => ('layers' in l ? leaves(l) : [l])).filter((l) => l.getClassName() !== 'InputLayer');
}

/**
 * Settings tfjs may leave unset (undefined) and then applies a default for, and that default:
 * the file spells every value out, so one side may have it explicitly and the other not.
 */
const TFJS_DEFAULTS: Config = { dtype: 'float32', maskZero: false, unitForgetBias: true, seed: null, dataFormat: 'channelsLast' };
/** Keras 3 carries the input shape on the InputLayer, not on the first layer. */
const INPUT_KEYS = new Set(['batchInputShape', 'inputShape', 'batchSize']);

function expectSameSettings(original: Config, back: Config, where: string): void {
  const keys = new Set([...Object.keys(original), ...Object.keys(back)].filter((k) => !INPUT_KEYS.has(k)));
  for (const key of keys) {
    const settled = (c: Config) => {
      const value = c[key] === undefined && key in TFJS_DEFAULTS ? TFJS_DEFAULTS[key] : c[key];
      // Keras names a Bidirectional's wrapped layer after its forward copy: 'forward_' + name.
      return key === 'name' && where.endsWith('.layer.config') && typeof value === 'string' ? value.replace(/^forward_/, '') : value;
    };
    const expected = settled(original);
    const actual = settled(back);
    if (expected !== null && typeof expected === 'object' && actual !== null && typeof actual === 'object' && !Array.isArray(expected)) {
      expectSameSettings(expected as Config, actual as Config, `${where}.${key}`);
    } else {
      expect(actual, `${where}.${key}`).toEqual(expected);
    }
  }
}

describe.each(TEST_BACKENDS)('export then convert back on %s', (backend) => {
  beforeAll(async () => {
    await switchBackend(backend);
  });

  it.each(Object.keys(CASES))('%s: same layers, settings, weights and predictions', async (name) => {
    const { build, inputs } = CASES[name];
    const model = build();
    setPatternWeights(model);
    const path = join(dir, `${backend}-${name}.keras`);
    await exportKeras(model, path);
    const back = await loadKerasModel(path);

    expect(back.getClassName() === 'Sequential').toBe(model.getClassName() === 'Sequential');
    expect(back.inputs.map((t) => [t.shape, t.dtype])).toEqual(model.inputs.map((t) => [t.shape, t.dtype]));
    expect(back.outputs.map((t) => t.shape)).toEqual(model.outputs.map((t) => t.shape));

    const ours = leaves(model);
    const theirs = leaves(back);
    expect(theirs.map((l) => [l.name, l.getClassName()])).toEqual(ours.map((l) => [l.name, l.getClassName()]));
    ours.forEach((layer, i) => {
      expectSameSettings(layer.getConfig() as Config, theirs[i].getConfig() as Config, layer.name);
      expect(theirs[i].weights.map((w) => w.shape)).toEqual(layer.weights.map((w) => w.shape));
      layer.weights.forEach((w, k) => expectSameFloats(theirs[i].weights[k].read().dataSync() as Float32Array, w.read().dataSync() as Float32Array));
    });

    const xs = inputs();
    await expectNoLeaks(() => {
      const a = [model.predict(xs.length === 1 ? xs[0] : xs)].flat() as tf.Tensor[];
      const b = [back.predict(xs.length === 1 ? xs[0] : xs)].flat() as tf.Tensor[];
      expect(b).toHaveLength(a.length);
      a.forEach((t, k) => expectSameFloats(b[k].dataSync() as Float32Array, t.dataSync() as Float32Array));
      tf.dispose([...a, ...b]);
    });
    tf.dispose(xs);

    // Exporting the converted model again writes the same file contents.
    const again = join(dir, `${backend}-${name}-again.keras`);
    await exportKeras(back, again);
    const [first, second] = await Promise.all([readKerasArchive(path), readKerasArchive(again)]);
    expect(second.config).toEqual(first.config);
    expect([...second.weights.keys()]).toEqual([...first.weights.keys()]);
    for (const [key, entry] of first.weights) expect(second.weights.get(key), key).toEqual(entry);
    model.dispose();
    back.dispose();
  });

  it('ManualDropout comes back with its seed: the first training pass drops the same units', async () => {
    const { build, inputs } = CASES.seed_sequential;
    const model = build();
    setPatternWeights(model);
    const path = join(dir, `${backend}-dropout.keras`);
    await exportKeras(model, path);
    const back = await loadKerasModel(path);
    const [x] = inputs();
    const hidden = (m: tfl.LayersModel) => tf.tidy(() => {
      let h: tf.Tensor = x;
      for (const layer of leaves(m).slice(0, 3)) h = layer.apply(h, { training: true }) as tf.Tensor;
      return h;
    });
    const a = hidden(model);
    const b = hidden(back);
    expect(Array.from(a.dataSync()).filter((v) => v === 0).length).toBeGreaterThan(0);
    expectSameFloats(b.dataSync() as Float32Array, a.dataSync() as Float32Array);
    tf.dispose([a, b, x]);
    model.dispose();
    back.dispose();
  });

  it.each([
    ['two_branches', () => new KerasAdam({ learningRate: 0.003, beta2: 0.99 }), 'categoricalCrossentropy'],
    ['seed_sequential', () => new KerasRMSprop({ learningRate: 0.001, momentum: 0.5 }), 'binaryCrossentropy'],
  ] as const)('%s: compile settings of a Keras-exact optimizer come back', async (name, optimizer, loss) => {
    const model = CASES[name].build();
    model.compile({ optimizer: optimizer(), loss, metrics: ['accuracy'] });
    const path = join(dir, `${backend}-${name}-compiled.keras`);
    await exportKeras(model, path);
    const back = await loadKerasModel(path, { compile: true });
    expect(back.optimizer.getClassName()).toBe(model.optimizer.getClassName());
    expect(back.optimizer.getConfig()).toEqual(model.optimizer.getConfig());
    model.dispose();
    back.dispose();
  });
});
