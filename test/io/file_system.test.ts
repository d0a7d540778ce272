/**
 * fileSystem(dir): save and load LayersModels on disk without tfjs-node, as a user would:
 * `model.save(fileSystem(dir))`, `tf.loadLayersModel(fileSystem(dir))`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualDropout, convertToDirectory, fileSystem, manualDropout, writeArtifactsToDirectory } from '../../src/index.js';
import { fixturePath } from '../helpers/fixtures.js';
import { Keras2TfjsError } from '../../src/errors.js';
import { TEST_BACKENDS, switchBackend } from '../helpers/backends.js';
import { expectNoLeaks, expectSameFloats, values } from '../helpers/tensor_asserts.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'keras2tfjs-fs-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let counter = 0;
/** A fresh directory path under the test root (not created). */
function freshPath(label: string): string {
  counter += 1;
  return join(root, `${label}-${counter}`);
}

function buildModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 8, inputShape: [5], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.batchNormalization(),
      manualDropout({ rate: 0.3, noiseShape: [null, 8], seed: 1337, rng: 'jax', name: 'mc_drop' }),
      tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

function input(): tf.Tensor {
  return tf.tensor2d(Array.from({ length: 4 * 5 }, (_, i) => Math.sin(i) * 2), [4, 5]);
}

async function caught(p: Promise<unknown>): Promise<Keras2TfjsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(Keras2TfjsError);
    return e as Keras2TfjsError;
  }
  throw new Error('expected the promise to reject');
}

/** Artifacts exactly as model.save hands them to a handler. */
async function artifactsOf(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      captured = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  return captured as tf.io.ModelArtifacts;
}

describe.each(TEST_BACKENDS)('fileSystem save/load on %s', (backend) => {
  beforeAll(async () => {
    await switchBackend(backend);
  });

  it('save → load into a fresh model: identical predictions, config and layer class', async () => {
    const dir = freshPath('roundtrip');
    const model = buildModel();
    const x = input();
    await expectNoLeaks(async () => {
      const result = await model.save(fileSystem(dir));
      expect(result.modelArtifactsInfo.weightDataBytes).toBe(4 * (5 * 8 + 8 + 4 * 8 + 8 * 3 + 3));
      expect((await readdir(dir)).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);

      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      expect(json.format).toBe('layers-model');
      expect(json.weightsManifest).toHaveLength(1);
      expect(json.weightsManifest[0].paths).toEqual(['group1-shard1of1.bin']);
      expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toHaveLength(8);
      // tfjs writes layer configs the Python way: snake_case keys.
      const drop = json.modelTopology.config.layers.find((l: { class_name: string }) => l.class_name === 'ManualDropout');
      expect(drop.config).toMatchObject({ rate: 0.3, noise_shape: [null, 8], seed: 1337, always_on: false, rng: 'jax' });

      const loaded = await tfl.loadLayersModel(fileSystem(dir));
      expect(loaded.getLayer('mc_drop')).toBeInstanceOf(ManualDropout);
      expect(loaded.getConfig()).toEqual(model.getConfig());
      const a = model.predict(x) as tf.Tensor;
      const b = loaded.predict(x) as tf.Tensor;
      expect(values(b)).toEqual(values(a));
      // In training the loaded layer replays the same seeded stream as a fresh original.
      const ta = model.apply(x, { training: true }) as tf.Tensor;
      const tb = loaded.apply(x, { training: true }) as tf.Tensor;
      expect(values(tb)).toEqual(values(ta));
      tf.dispose([a, b, ta, tb]);
      loaded.dispose();
    });
    x.dispose();
    model.dispose();
  });

  it('cuts weights into shards of shardSizeBytes named group1-shardKofN.bin, and loads them back', async () => {
    const dir = freshPath('sharded');
    const model = buildModel();
    const x = input();
    await model.save(fileSystem(dir, { shardSizeBytes: 200 }));
    const files = (await readdir(dir)).sort();
    const total = 4 * (5 * 8 + 8 + 4 * 8 + 8 * 3 + 3); // 428 bytes
    expect(files).toEqual(['group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin', 'model.json']);
    const sizes = await Promise.all(files.slice(0, 3).map(async (f) => (await stat(join(dir, f))).size));
    expect(sizes).toEqual([200, 200, total - 400]);
    const loaded = await tfl.loadLayersModel(fileSystem(dir));
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(values(b)).toEqual(values(a));
    tf.dispose([a, b, x]);
    model.dispose();
    loaded.dispose();
  });

  it('uses 4 MiB shards by default, like the Python tensorflowjs converter', async () => {
    const dir = freshPath('big');
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1024, inputShape: [1100], useBias: false })] });
    await model.save(fileSystem(dir));
    const sizes = await Promise.all(
      ['group1-shard1of2.bin', 'group1-shard2of2.bin'].map(async (f) => (await stat(join(dir, f))).size),
    );
    expect(sizes).toEqual([4 * 1024 * 1024, 1100 * 1024 * 4 - 4 * 1024 * 1024]);
    const loaded = await tfl.loadLayersModel(fileSystem(join(dir, 'model.json'))); // the model.json path works too
    const [w0] = model.getWeights();
    const [w1] = loaded.getWeights();
    expectSameFloats(values(w1), values(w0));
    model.dispose();
    loaded.dispose();
  });

  it('loads a model.json written the Python way (snake_case ManualDropout config)', async () => {
    const dir = freshPath('python-style');
    await mkdir(dir);
    // As tensorflowjs_converter writes a Keras Sequential model whose Python twin layer is ManualDropout.
    const modelJson = {
      format: 'layers-model',
      generatedBy: 'keras v3.15.1',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: {
        keras_version: '3.15.1',
        backend: 'tensorflow',
        model_config: {
          class_name: 'Sequential',
          config: {
            name: 'sequential',
            layers: [
              { class_name: 'InputLayer', config: { batch_input_shape: [null, 3], dtype: 'float32', name: 'input_layer' } },
              {
                class_name: 'Dense',
                config: { name: 'dense', trainable: true, dtype: 'float32', units: 2, activation: 'linear', use_bias: true },
              },
              {
                class_name: 'ManualDropout',
                config: {
                  name: 'manual_dropout',
                  trainable: true,
                  dtype: 'float32',
                  rate: 0.5,
                  noise_shape: [null, 1],
                  seed: 1337,
                  scaling: 'test',
                  always_on: false,
                  rng: 'tensorflow',
                },
              },
            ],
          },
        },
      },
      weightsManifest: [
        {
          paths: ['group1-shard1of1.bin'],
          weights: [
            { name: 'dense/kernel', shape: [3, 2], dtype: 'float32' },
            { name: 'dense/bias', shape: [2], dtype: 'float32' },
          ],
        },
      ],
    };
    await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
    const kernel = [1, -2, 3, 4, -5, 6];
    const bias = [10, -20];
    await writeFile(join(dir, 'group1-shard1of1.bin'), new Uint8Array(new Float32Array([...kernel, ...bias]).buffer));

    const model = await tfl.loadLayersModel(fileSystem(dir));
    const drop = model.getLayer('manual_dropout') as ManualDropout;
    expect(drop).toBeInstanceOf(ManualDropout);
    expect(drop.getConfig()).toMatchObject({ rate: 0.5, noiseShape: [null, 1], seed: 1337, scaling: 'test', alwaysOn: false });
    // Inference with 'test' scaling: (x W + b) * (1 - rate); small integers keep every step exact.
    const x = tf.tensor2d([[1, 2, 3]]);
    const y = model.predict(x) as tf.Tensor;
    const xw = [1 * 1 + 2 * 3 + 3 * -5 + 10, 1 * -2 + 2 * 4 + 3 * 6 - 20];
    expect(Array.from(values(y))).toEqual(xw.map((v) => v * 0.5));
    tf.dispose([x, y]);
    model.dispose();
  });

  it('writeArtifactsToDirectory writes given artifacts (plus extra files) in the same layout', async () => {
    const dir = freshPath('artifacts');
    const model = buildModel();
    const artifacts = await artifactsOf(model);
    await writeArtifactsToDirectory(artifacts, dir, { shardSizeBytes: 256, extraFiles: { 'report.json': '{"ok":true}' } });
    expect((await readdir(dir)).sort()).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin', 'model.json', 'report.json']);
    const loaded = await tfl.loadLayersModel(fileSystem(dir));
    expect(loaded.getConfig()).toEqual(model.getConfig());
    // Saving again over it replaces the previous model.
    await writeArtifactsToDirectory(artifacts, dir, { extraFiles: { 'report.json': '{"ok":true}' } });
    expect((await readdir(dir)).sort()).toEqual(['group1-shard1of1.bin', 'model.json', 'report.json']);
    model.dispose();
    loaded.dispose();
  });
});

describe('fileSystem errors name the file', () => {
  beforeAll(async () => {
    await switchBackend('cpu');
  });

  async function savedModelDir(label: string): Promise<string> {
    const dir = freshPath(label);
    const model = buildModel();
    await model.save(fileSystem(dir, { shardSizeBytes: 200 }));
    model.dispose();
    return dir;
  }

  it('a missing directory', async () => {
    const dir = freshPath('nowhere');
    const err = await caught(tfl.loadLayersModel(fileSystem(dir)));
    expect(err.code).toBe('FILE_NOT_FOUND');
    expect(err.file).toBe(join(dir, 'model.json'));
    expect(err.message).toBe(
      `${join(dir, 'model.json')}: directory ${dir} not found; save the model there with model.save(fileSystem(dir)) or check the path`,
    );
  });

  it('a missing model.json', async () => {
    const dir = freshPath('empty');
    await mkdir(dir);
    const err = await caught(tfl.loadLayersModel(fileSystem(dir)));
    expect(err.code).toBe('FILE_NOT_FOUND');
    expect(err.message).toMatch(/model\.json: file not found; /);
  });

  it('a missing shard', async () => {
    const dir = await savedModelDir('missing-shard');
    await unlink(join(dir, 'group1-shard2of3.bin'));
    const err = await caught(tfl.loadLayersModel(fileSystem(dir)));
    expect(err.code).toBe('FILE_NOT_FOUND');
    expect(err.file).toBe(join(dir, 'group1-shard2of3.bin'));
    expect(err.message.startsWith(`${join(dir, 'group1-shard2of3.bin')}: file not found`)).toBe(true);
  });

  it('a model.json that is not JSON, or not a tfjs model', async () => {
    const dir = await savedModelDir('bad-json');
    const jsonPath = join(dir, 'model.json');
    const text = await readFile(jsonPath, 'utf8');
    await writeFile(jsonPath, text.slice(0, text.length / 2));
    let err = await caught(tfl.loadLayersModel(fileSystem(dir)));
    expect(err.code).toBe('CORRUPT_FILE');
    expect(err.file).toBe(jsonPath);
    expect(err.message).toMatch(/model\.json: not valid JSON/);

    await writeFile(jsonPath, JSON.stringify({ hello: 'world' }));
    err = await caught(tfl.loadLayersModel(fileSystem(dir)));
    expect(err.message).toBe(`${jsonPath}: has no "modelTopology" object, so it is not a TensorFlow.js model.json`);
  });

  it('a truncated shard names that shard', async () => {
    const dir = await savedModelDir('short-shard');
    await truncate(join(dir, 'group1-shard3of3.bin'), 10);
    let err = await caught(tfl.loadLayersModel(fileSystem(dir)));
    expect(err.code).toBe('CORRUPT_FILE');
    expect(err.file).toBe(join(dir, 'group1-shard3of3.bin'));
    expect(err.message).toBe(
      `${join(dir, 'group1-shard3of3.bin')}: weight group 1 needs 428 bytes but its shards hold 410; ` +
        'the shard is truncated or belongs to another model: save or convert the model again',
    );
    await truncate(join(dir, 'group1-shard2of3.bin'), 100); // a middle shard shorter than the first
    err = await caught(tfl.loadLayersModel(fileSystem(dir)));
    expect(err.file).toBe(join(dir, 'group1-shard2of3.bin'));
  });

  it('a manifest path that leaves the model directory', async () => {
    const dir = await savedModelDir('escape');
    const jsonPath = join(dir, 'model.json');
    const json = JSON.parse(await readFile(jsonPath, 'utf8'));
    json.weightsManifest[0].paths[0] = '../../etc/passwd';
    await writeFile(jsonPath, JSON.stringify(json));
    const err = await caught(tfl.loadLayersModel(fileSystem(dir)));
    expect(err.code).toBe('CORRUPT_FILE');
    expect(err.message).toBe(`${jsonPath}: weightsManifest path '../../etc/passwd' points outside the model directory`);
  });
});

describe('fileSystem saves atomically', () => {
  beforeAll(async () => {
    await switchBackend('cpu');
  });

  /** Artifacts whose topology JSON.stringify rejects: the failure comes after the shards are on disk. */
  async function unserializable(): Promise<tf.io.ModelArtifacts> {
    const model = buildModel();
    const artifacts = await artifactsOf(model);
    model.dispose();
    return { ...artifacts, modelTopology: { ...(artifacts.modelTopology as object), bad: BigInt(1) } };
  }

  it('a save that fails midway leaves no directory (and no temp files) behind', async () => {
    const parent = freshPath('parent');
    await mkdir(parent);
    const dir = join(parent, 'model');
    const err = await caught(writeArtifactsToDirectory(await unserializable(), dir, { shardSizeBytes: 100 }));
    expect(err.code).toBe('WRITE_FAILED');
    expect(err.message).toMatch(/BigInt/);
    expect(err.message).toContain(`nothing was written to ${dir}`);
    expect(existsSync(dir)).toBe(false);
    expect(await readdir(parent)).toEqual([]);
  });

  it('parent directories it created are removed again on failure', async () => {
    const top = freshPath('new-parents');
    const dir = join(top, 'a', 'b', 'model');
    await caught(writeArtifactsToDirectory(await unserializable(), dir));
    expect(existsSync(top)).toBe(false);
  });

  it('a failed save over a previous model leaves the previous model intact', async () => {
    const dir = freshPath('keep-old');
    const model = buildModel();
    await model.save(fileSystem(dir));
    const before = await readFile(join(dir, 'model.json'), 'utf8');
    await caught(writeArtifactsToDirectory(await unserializable(), dir));
    expect(await readFile(join(dir, 'model.json'), 'utf8')).toBe(before);
    const loaded = await tfl.loadLayersModel(fileSystem(dir));
    expect(loaded.getConfig()).toEqual(model.getConfig());
    model.dispose();
    loaded.dispose();
  });

  it('refuses to replace a directory holding files that are not a saved model', async () => {
    const dir = freshPath('user-files');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const model = buildModel();
    const err = await caught(model.save(fileSystem(dir)));
    expect(err.code).toBe('WRITE_FAILED');
    expect(err.message).toBe(
      `${dir}: holds 'notes.txt', which is not part of a saved model, so it will not be replaced; save into a new or empty directory`,
    );
    expect(await readdir(dir)).toEqual(['notes.txt']);
    model.dispose();
  });

  it('refuses a model.json path as a save target', async () => {
    const model = buildModel();
    await expect(model.save(fileSystem(join(root, 'x', 'model.json')))).rejects.toThrow(
      /Invalid value for `dir`: expected a directory to save model.json and its shards into/,
    );
    model.dispose();
  });
});

describe('saved folders honour the umask', () => {
  beforeAll(async () => {
    await switchBackend('cpu');
  });

  it.each([
    ['022', 0o755, 0o644],
    ['002', 0o775, 0o664],
    ['077', 0o700, 0o600],
  ])('umask %s: folders and files take the modes the umask gives (a web server as another user can serve them)', async (mask, folderMode, fileMode) => {
    const umask = parseInt(mask, 8);
    const model = buildModel();
    const previous = process.umask(umask);
    try {
      const dir = join(root, `umask-${umask.toString(8)}`, 'model');
      await model.save(fileSystem(dir));
      expect((await stat(dir)).mode & 0o777).toBe(folderMode);
      expect((await stat(join(dir, 'model.json'))).mode & 0o777).toBe(fileMode);
      expect((await stat(join(dir, 'group1-shard1of1.bin'))).mode & 0o777).toBe(fileMode);
    } finally {
      process.umask(previous);
      model.dispose();
    }
  });

  it('convertToDirectory too', async () => {
    const previous = process.umask(0o022);
    try {
      const dir = join(root, 'umask-convert', 'web_model');
      await convertToDirectory(fixturePath('seed_lambda', 'model.keras'), dir, { lambdas: { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } } });
      expect((await stat(dir)).mode & 0o777).toBe(0o755);
      expect((await stat(join(dir, 'model.json'))).mode & 0o777).toBe(0o644);
    } finally {
      process.umask(previous);
    }
  });
});
