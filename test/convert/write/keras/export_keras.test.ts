/**
 * exportKeras as a user calls it: the archive Keras' saving_lib writes (member order, STORED),
 * metadata.json, compile settings, refusals that name the layer, and atomic writing.
 * Python Keras itself loads these files in python/tests/test_ts_export_loads.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KerasAdam, KerasRMSprop, KerasSGD, exportKeras, kerasBinaryCrossentropy, manualDropout } from '../../../../src/index.js';
import { ErrorCode, Keras2TfjsError } from '../../../../src/errors.js';
import { TEST_BACKENDS, switchBackend } from '../../../helpers/backends.js';
import { expectNoLeaks } from '../../../helpers/tensor_asserts.js';
import { layersOf, readKerasArchive } from './keras_archive_reader.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'write-keras-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The book's IMDB model (small input), hand-written dropout as ManualDropout. */
function seedLike(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 16, inputShape: [20], activation: 'relu', kernelRegularizer: tfl.regularizers.l2({ l2: 0.001 }) }),
      tfl.layers.dense({ units: 16, activation: 'relu', kernelRegularizer: tfl.regularizers.l2({ l2: 0.001 }) }),
      manualDropout({ rate: 0.5, seed: 7 }),
      tfl.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
}

async function expectError(promise: Promise<unknown>, code: string, ...fragments: string[]): Promise<Keras2TfjsError> {
  const error = await promise.then(
    () => {
      throw new Error('expected exportKeras to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Keras2TfjsError);
  const k = error as Keras2TfjsError;
  expect(k.code).toBe(code);
  for (const f of fragments) expect(k.message).toContain(f);
  expect(k.message).not.toContain('\n');
  return k;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe.each(TEST_BACKENDS)('exportKeras on %s', (backend) => {
  beforeAll(async () => {
    await switchBackend(backend);
  });

  it('writes metadata.json, config.json, model.weights.h5 in that order, uncompressed, as saving_lib does', async () => {
    const path = join(dir, `${backend}-order.keras`);
    await exportKeras(seedLike(), path, { dateSaved: new Date(2026, 4, 13, 21, 23, 40) });
    const archive = await readKerasArchive(path);
    expect(archive.members).toEqual(['metadata.json', 'config.json', 'model.weights.h5']);
    expect(archive.methods).toEqual([0, 0, 0]);
    // Keras' metadata: its version and datetime.now().strftime("%Y-%m-%d@%H:%M:%S").
    expect(archive.metadata).toEqual({ keras_version: '3.15.1', date_saved: '2026-05-13@21:23:40' });
  });

  it('records the export time when no date is given', async () => {
    const path = join(dir, `${backend}-now.keras`);
    const before = Date.now();
    await exportKeras(seedLike(), path);
    const { metadata } = await readKerasArchive(path);
    const [date, time] = String(metadata.date_saved).split('@');
    const saved = new Date(`${date}T${time}`).getTime();
    // The format keeps whole seconds only.
    expect(saved).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(saved).toBeLessThanOrEqual(Date.now());
  });

  it('reads the weights without leaving tensors behind', async () => {
    const model = seedLike();
    await expectNoLeaks(() => exportKeras(model, join(dir, `${backend}-leak.keras`)));
    model.dispose();
  });

  it('writes compile settings Keras can rebuild: optimizer, loss and metrics', async () => {
    const model = seedLike();
    model.compile({ optimizer: tf.train.rmsprop(0.002, 0.8, 0.1, 1e-6), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const path = join(dir, `${backend}-compiled.keras`);
    const warnings: string[] = [];
    await exportKeras(model, path, { onWarning: (m) => warnings.push(m) });
    const { config, weights } = await readKerasArchive(path);
    // tfjs' own RMSProp is not Keras': its settings go over, its state does not.
    expect(warnings).toEqual([
      `${backend}-compiled.keras: optimizer state not exported (tfjs' RMSProp updates differently from Keras'): Keras starts the optimizer afresh`,
    ]);
    expect(weights.has('optimizer')).toBe(false);
    const compile = config.compile_config as Record<string, unknown>;
    expect(compile.loss).toBe('binary_crossentropy');
    expect(compile.metrics).toEqual(['accuracy']);
    expect(compile).toMatchObject({ loss_weights: null, weighted_metrics: null, run_eagerly: false, steps_per_execution: 1, jit_compile: false });
    expect(compile.optimizer).toMatchObject({
      module: 'keras.optimizers',
      class_name: 'RMSprop',
      registered_name: null,
      config: { name: 'rm_sprop', learning_rate: 0.002, rho: 0.8, momentum: 0.1, epsilon: 1e-6, centered: false, use_ema: false },
    });
  });

  it("hands a Keras-exact optimizer's state to Keras: iterations, learning rate, slots in Keras' order", async () => {
    const model = seedLike();
    const optimizer = new KerasAdam({ learningRate: 0.01, amsgrad: true });
    model.compile({ optimizer, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const x = tf.tensor2d(Array.from({ length: 40 }, (_, i) => Math.sin(i)), [2, 20]);
    const y = tf.tensor2d([1, 0], [2, 1]);
    await model.fit(x, y, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
    tf.dispose([x, y]);
    const path = join(dir, `${backend}-adam.keras`);
    const warnings: string[] = [];
    await expectNoLeaks(() => exportKeras(model, path, { onWarning: (m) => warnings.push(m) }));
    expect(warnings).toEqual([]);
    const { config, weights } = await readKerasArchive(path);
    expect((config.compile_config as Record<string, unknown>).optimizer).toMatchObject({
      module: 'keras.optimizers',
      class_name: 'Adam',
      registered_name: null,
      config: { name: 'adam', learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, amsgrad: true, use_ema: false, loss_scale_factor: null },
    });
    expect(weights.get('optimizer/vars')?.attrs).toEqual({ name: 'adam' });
    // Scalars, as Keras keeps them: int64 iterations, float32 learning rate.
    expect(weights.get('optimizer/vars/0')).toMatchObject({ shape: [], dtype: '<q', value: 3n });
    expect(weights.get('optimizer/vars/1')).toMatchObject({ shape: [], dtype: '<f', value: Math.fround(0.01) });
    // Keras' Adam.build: momentum and velocity interleaved per variable, then every velocity_hat.
    const saved = await optimizer.getWeights();
    const slot = (name: string) => saved.find((w) => w.name === name)?.tensor.dataSync();
    const trainable = model.trainableWeights.map((w) => (w.read() as tf.Variable).name);
    const expected = [
      ...trainable.flatMap((v) => [slot(`${v}/momentum`), slot(`${v}/velocity`)]),
      ...trainable.map((v) => slot(`${v}/velocity_hat`)),
    ];
    expect(expected.every((v) => v !== undefined && v.some((n) => n !== 0))).toBe(true);
    expected.forEach((values, i) => expect(weights.get(`optimizer/vars/${i + 2}`)?.value).toEqual(values));
    expect(weights.has(`optimizer/vars/${expected.length + 2}`)).toBe(false);
    tf.dispose(saved[0].tensor);
  });

  it('writes the zero state Keras starts from for a Keras-exact optimizer that never stepped', async () => {
    const model = seedLike();
    model.compile({ optimizer: new KerasSGD({ learningRate: 0.1, momentum: 0.9 }), loss: 'meanSquaredError' });
    const path = join(dir, `${backend}-sgd.keras`);
    await exportKeras(model, path);
    const { config, weights } = await readKerasArchive(path);
    expect((config.compile_config as Record<string, unknown>).loss).toBe('mean_squared_error');
    expect(weights.get('optimizer/vars/0')?.value).toBe(0n);
    model.trainableWeights.forEach((w, i) => {
      const entry = weights.get(`optimizer/vars/${i + 2}`);
      expect(entry?.shape).toEqual(w.shape);
      expect(Array.from(entry?.value as Float32Array).every((v) => v === 0)).toBe(true);
    });
  });

  it("writes a loss function's Keras twin when the function names it (kerasIdentifier)", async () => {
    const model = seedLike();
    const loss = Object.assign(kerasBinaryCrossentropy(), { kerasIdentifier: 'binary_crossentropy' });
    model.compile({ optimizer: new KerasRMSprop({ learningRate: 0.001 }), loss, metrics: ['accuracy'] });
    const path = join(dir, `${backend}-identified-loss.keras`);
    await exportKeras(model, path);
    const compile = (await readKerasArchive(path)).config.compile_config as Record<string, unknown>;
    expect(compile.loss).toBe('binary_crossentropy');
    expect(compile.optimizer).toMatchObject({ module: 'keras.optimizers', class_name: 'RMSprop', config: { learning_rate: 0.001, rho: 0.9 } });
  });

  it('writes {} for an uncompiled model, as Keras does', async () => {
    const path = join(dir, `${backend}-uncompiled.keras`);
    await exportKeras(seedLike(), path);
    expect((await readKerasArchive(path)).config.compile_config).toEqual({});
  });

  it('leaves compile settings out, and says why, when the loss is a function', async () => {
    const model = seedLike();
    model.compile({ optimizer: 'adam', loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.meanSquaredError(yTrue, yPred) });
    const path = join(dir, `${backend}-fnloss.keras`);
    const warnings: string[] = [];
    await exportKeras(model, path, { onWarning: (m) => warnings.push(m) });
    expect((await readKerasArchive(path)).config.compile_config).toEqual({});
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${backend}-fnloss.keras: compile settings not exported (the loss is not a single built-in loss name)`);
  });
});

describe('exportKeras refuses what Keras 3 would compute differently, and writes nothing', () => {
  beforeAll(async () => {
    await switchBackend('cpu');
  });

  it('names a layer class it cannot write', async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ units: 3, inputShape: [2] }), tfl.layers.thresholdedReLU({ theta: 0.5, name: 'gate' })],
    });
    const path = join(dir, 'unknown.keras');
    const error = await expectError(exportKeras(model, path), ErrorCode.UNKNOWN_LAYER, "unknown.keras: layer 'gate' (class ThresholdedReLU) has no Keras 3 form", 'ManualDropout');
    expect(error.layer).toBe('gate');
    expect(await exists(path)).toBe(false);
  });

  it("refuses tfjs' hard sigmoid (slope 0.2) where Keras 3's has slope 1/6, with the fix", async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.lstm({ units: 2, inputShape: [3, 4], recurrentInitializer: 'glorotUniform', name: 'rnn' })],
    });
    const path = join(dir, 'hard_sigmoid.keras');
    await expectError(exportKeras(model, path), ErrorCode.UNSUPPORTED_SEMANTICS, "layer 'rnn' uses recurrent_activation 'hard_sigmoid'", "recurrentActivation: 'sigmoid'");
    expect(await exists(path)).toBe(false);
  });

  it('refuses a layer computing in int32 (tfjs hands a Sequential\'s input dtype to its first layer)', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.embedding({ inputDim: 10, outputDim: 3, inputShape: [5], dtype: 'int32', name: 'emb' })] });
    await expectError(exportKeras(model, join(dir, 'int_layer.keras')), ErrorCode.UNSUPPORTED_SEMANTICS, "layer 'emb' computes in int32", "tf.input({shape, dtype: 'int32'})");
  });

  it('refuses layers whose Keras result reads a mask tfjs ignores: Bidirectional sequences, GlobalAveragePooling1D', async () => {
    const bidirectional = (returnSequences: boolean, name: string) =>
      tfl.layers.bidirectional({
        layer: tfl.layers.lstm({ units: 2, returnSequences, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' }) as tfl.RNN,
        name,
      });
    const masked = tfl.sequential({
      layers: [tfl.layers.embedding({ inputDim: 9, outputDim: 3, maskZero: true, inputShape: [4] }), tfl.layers.dense({ units: 3 }), bidirectional(true, 'bi')],
    });
    await expectError(exportKeras(masked, join(dir, 'masked_bi.keras')), ErrorCode.UNSUPPORTED_SEMANTICS, "layer 'bi' (Bidirectional) gets a mask", 'Keras returns zeros at masked steps');
    // The IMDB classic Embedding(maskZero) → GlobalAveragePooling1D: Keras averages unmasked words only.
    const pooled = tfl.sequential({
      layers: [tfl.layers.embedding({ inputDim: 9, outputDim: 3, maskZero: true, inputShape: [4] }), tfl.layers.globalAveragePooling1d({ name: 'gap' })],
    });
    await expectError(exportKeras(pooled, join(dir, 'masked_gap.keras')), ErrorCode.UNSUPPORTED_SEMANTICS, "layer 'gap' (GlobalAveragePooling1D) gets a mask", 'drop the Masking layer or maskZero');
    // Only the last step: both libraries agree, so it is written.
    const last = tfl.sequential({ layers: [tfl.layers.masking({ inputShape: [4, 2] }), bidirectional(false, 'bi_last')] });
    await exportKeras(last, join(dir, 'masked_bi_last.keras'));
    expect(await exists(join(dir, 'masked_bi_last.keras'))).toBe(true);
  });

  it('refuses bilinear upsampling, whose sampling grid differs', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.upSampling2d({ inputShape: [4, 4, 1], interpolation: 'bilinear', name: 'up' })] });
    await expectError(exportKeras(model, join(dir, 'bilinear.keras')), ErrorCode.UNSUPPORTED_SEMANTICS, "layer 'up' uses interpolation 'bilinear'");
  });

  it('refuses an empty Sequential, which has no input shape to write', async () => {
    const path = join(dir, 'empty.keras');
    await expectError(exportKeras(tfl.sequential({ name: 'nothing' }), path), ErrorCode.BAD_CONFIG, "empty.keras: Sequential 'nothing' has no input shape");
    expect(await exists(path)).toBe(false);
  });

  it('asks for the .keras extension Keras requires', async () => {
    await expectError(exportKeras(seedLike(), join(dir, 'model.h5')), ErrorCode.INVALID_ARGUMENT, 'Invalid value for `path`: expected a file name ending in .keras');
  });

  it('keeps an existing file intact when the export fails', async () => {
    const path = join(dir, 'keep.keras');
    await writeFile(path, 'previous model');
    const model = tfl.sequential({ layers: [tfl.layers.thresholdedReLU({ inputShape: [2] })] });
    await expectError(exportKeras(model, path), ErrorCode.UNKNOWN_LAYER);
    expect(await readFile(path, 'utf8')).toBe('previous model');
  });

  it('reports a write that fails and leaves no temporary file', async () => {
    // A directory where the file should go: the final rename cannot replace it.
    const sub = join(dir, 'blocked');
    await mkdir(join(sub, 'model.keras'), { recursive: true });
    await expectError(exportKeras(seedLike(), join(sub, 'model.keras')), ErrorCode.WRITE_FAILED, 'could not write the .keras file', 'nothing was written');
    expect(await readdir(sub)).toEqual(['model.keras']);
    expect((await stat(join(sub, 'model.keras'))).isDirectory()).toBe(true);
  });

  it('creates missing parent directories', async () => {
    const path = join(dir, 'a', 'b', 'model.keras');
    await exportKeras(seedLike(), path);
    expect(layersOf((await readKerasArchive(path)).config)).toHaveLength(5);
  });
});
