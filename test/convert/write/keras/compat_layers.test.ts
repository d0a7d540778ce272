/**
 * exportKeras on keras2tfjs' compat layers, which the converter puts where tfjs' own class
 * computes differently: they go back as the Keras classes they stand for. The expected config and
 * weights are the ones real Keras wrote (test/convert/data/*.keras, made by make_test_models.py);
 * python/tests/test_ts_export_loads.py loads our files in Keras and checks their predictions.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportKeras, loadKerasModel } from '../../../../src/index.js';
import { ErrorCode, Keras2TfjsError } from '../../../../src/errors.js';
import { Normalization } from '../../../../src/layers/compat/normalization/normalization.js';
import { TEST_BACKENDS, switchBackend } from '../../../helpers/backends.js';
import { expectNoLeaks } from '../../../helpers/tensor_asserts.js';
import { layersOf, readKerasArchive, type H5Entry, type LayerEntry } from './keras_archive_reader.js';

const DATA = new URL('../../data/', import.meta.url).pathname;
/** Keras 3 zoo: causal Conv1D, reset_after GRU, Bidirectional LSTM, LayerNormalization, ... (compiled, trained). */
const ZOO_K3 = join(DATA, 'zoo_k3.keras');
/** Keras 3 UpSampling2D(interpolation='bilinear') before a Conv2D. */
const BILINEAR_K3 = join(DATA, 'k3_bilinear.keras');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'write-keras-compat-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Keras' bookkeeping ids of objects shared within one save: they differ from save to save. */
function withoutSharedIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSharedIds);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'shared_object_id').map(([k, v]) => [k, withoutSharedIds(v)]));
}

function layerNamed(layers: LayerEntry[], name: string): LayerEntry {
  const found = layers.find((l) => l.name === name || l.config.name === name);
  if (!found) throw new Error(`no layer ${name}`);
  return found;
}

/** The datasets and groups under `prefix`, keyed by path. */
function subtree(tree: Map<string, H5Entry>, prefix: string): Map<string, H5Entry> {
  return new Map([...tree].filter(([path]) => path === prefix || path.startsWith(`${prefix}/`)));
}

/** Converts a Keras file, exports it again, and reads both archives. */
async function convertAndExport(source: string, name: string, compile: boolean) {
  const model = await loadKerasModel(source, { compile });
  const path = join(dir, `${name}.keras`);
  await exportKeras(model, path, { onWarning: () => undefined });
  return { model, path, ours: await readKerasArchive(path), keras: await readKerasArchive(source) };
}

describe('a Keras 3 model the converter gave compat layers comes back as Keras wrote it', () => {
  beforeAll(async () => {
    await switchBackend('cpu');
  });

  it('zoo: config.json is Keras\' own (Conv1D causal, GRU reset_after, compile settings, LayerNormalization axis [-1])', async () => {
    const { model, ours, keras } = await convertAndExport(ZOO_K3, 'zoo', true);
    expect(model.getLayer('causal').getClassName()).toBe('CausalConv1D');
    expect(model.getLayer('gru').getClassName()).toBe('ResetAfterGRU');
    const expected = withoutSharedIds(keras.config) as Record<string, unknown>;
    // tfjs' LayerNormalization holds the last axis as 2; it goes back as Keras' -1.
    expect(model.getLayer('ln').getConfig().axis).toEqual([2]);
    expect(layerNamed(layersOf(ours.config), 'ln').config.axis).toEqual([-1]);
    expect(ours.config).toEqual(expected);
    expect(layerNamed(layersOf(ours.config), 'causal')).toMatchObject({ class_name: 'Conv1D', config: { padding: 'causal', dilation_rate: [2] } });
    expect(layerNamed(layersOf(ours.config), 'gru')).toMatchObject({ class_name: 'GRU', config: { reset_after: true, units: 4 } });
    model.dispose();
  });

  it('zoo: the layers\' weights are where Keras put them, bit for bit (GRU bias [2, 3·units] on gru/cell)', async () => {
    const { model, ours, keras } = await convertAndExport(ZOO_K3, 'zoo_weights', false);
    // Keras' file also holds its optimizer state (trained in Python); the layers must agree exactly.
    expect(subtree(ours.weights, 'layers')).toEqual(subtree(keras.weights, 'layers'));
    expect(ours.weights.get('layers/gru/cell/vars')?.attrs).toEqual({ name: 'gru_cell' });
    expect(ours.weights.get('layers/gru/cell/vars/2')).toMatchObject({ shape: [2, 12], dtype: '<f' });
    expect(ours.weights.get('layers/conv1d/vars')?.attrs).toEqual({ name: 'causal' });
    model.dispose();
  });

  it('bilinear: UpSampling2D(interpolation="bilinear") and everything else exactly as Keras wrote them', async () => {
    const { model, ours, keras } = await convertAndExport(BILINEAR_K3, 'bilinear', false);
    expect(model.getLayer('up').getClassName()).toBe('BilinearUpSampling2D');
    expect(ours.config).toEqual(withoutSharedIds(keras.config));
    expect(subtree(ours.weights, 'layers')).toEqual(subtree(keras.weights, 'layers'));
    model.dispose();
  });
});

describe.each(TEST_BACKENDS)('compat layers on %s: export, convert back, same model', (backend) => {
  beforeAll(async () => {
    await switchBackend(backend);
  });

  it.each([ZOO_K3, BILINEAR_K3].map((p) => [basename(p), p]))('%s predicts the same after .keras → tfjs → .keras → tfjs', async (_name, source) => {
    const first = await loadKerasModel(source);
    const path = join(dir, `${backend}-again.keras`);
    await expectNoLeaks(() => exportKeras(first, path, { onWarning: () => undefined }));
    const again = await loadKerasModel(path);
    expect(again.layers.map((l) => l.getClassName())).toEqual(first.layers.map((l) => l.getClassName()));
    const xs = first.inputs.map((input) => {
      const shape = input.shape.map((d) => d ?? 2);
      // Small whole numbers: valid token ids for the zoo's Embedding, plain values elsewhere.
      const data = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (i * 3) % 11);
      return tf.tensor(data, shape, input.dtype);
    });
    const [a, b] = [first.predict(xs), again.predict(xs)].map((y) => [y].flat() as tf.Tensor[]);
    a.forEach((y, i) => expect(Array.from(b[i].dataSync())).toEqual(Array.from(y.dataSync())));
    tf.dispose([...xs, ...a, ...b]);
    first.dispose();
    again.dispose();
  });
});

describe('Normalization', () => {
  beforeAll(async () => {
    await switchBackend('cpu');
  });

  function normalizations(): tfl.LayersModel {
    const x = tfl.input({ shape: [5, 4], name: 'x' });
    const adapted = new Normalization({ axis: [1, 2], name: 'norm_adapted' }).apply(x) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten({ name: 'flat' }).apply(adapted) as tfl.SymbolicTensor;
    const fixed = new Normalization({ axis: null, mean: 0.5, variance: 2, invert: true, name: 'norm_fixed' }).apply(flat) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: x, outputs: tfl.layers.dense({ units: 1, name: 'out' }).apply(fixed) as tfl.SymbolicTensor });
    const norm = model.getLayer('norm_adapted');
    const grid = (from: number, to: number) => tf.tensor(Array.from({ length: 20 }, (_, i) => from + ((to - from) * i) / 19), [5, 4]);
    const [mean, variance, count] = [grid(-1, 1), grid(0.5, 3), tf.scalar(117, 'int32')];
    norm.setWeights([mean, variance, count]);
    tf.dispose([mean, variance, count]);
    return model;
  }

  it("writes Keras' config: axis as a list, invert, mean/variance null when adapted, the constants when fixed", async () => {
    const path = join(dir, 'normalization.keras');
    await exportKeras(normalizations(), path);
    const layers = layersOf((await readKerasArchive(path)).config);
    const adapted = layerNamed(layers, 'norm_adapted');
    expect(adapted).toMatchObject({ module: 'keras.layers', class_name: 'Normalization', registered_name: null, build_config: { input_shape: [null, 5, 4] } });
    expect(Object.keys(adapted.config)).toEqual(['name', 'trainable', 'dtype', 'axis', 'invert', 'mean', 'variance']);
    expect(adapted.config).toMatchObject({ axis: [1, 2], invert: false, mean: null, variance: null });
    expect(layerNamed(layers, 'norm_fixed').config).toMatchObject({ axis: [], invert: true, mean: 0.5, variance: 2 });
    // Keras' Normalization.call takes no training or mask argument.
    expect(adapted.inbound_nodes?.[0].kwargs).toEqual({});
  });

  it('writes mean, variance and the int64 count Keras keeps (tfjs holds the count as int32); a fixed one has none', async () => {
    const path = join(dir, 'normalization_weights.keras');
    const model = normalizations();
    await exportKeras(model, path);
    const { weights } = await readKerasArchive(path);
    expect(weights.get('layers/normalization/vars')?.attrs).toEqual({ name: 'norm_adapted' });
    expect(weights.get('layers/normalization/vars/0')).toMatchObject({ shape: [5, 4], dtype: '<f' });
    expect(Array.from(weights.get('layers/normalization/vars/1')?.value as Float32Array)).toEqual(Array.from(model.getLayer('norm_adapted').getWeights()[1].dataSync()));
    expect(weights.get('layers/normalization/vars/2')).toMatchObject({ shape: [], dtype: '<q', value: 117n });
    expect([...subtree(weights, 'layers/normalization_1').keys()]).toEqual(['layers/normalization_1', 'layers/normalization_1/vars']);
  });
});

describe('what stays refused', () => {
  beforeAll(async () => {
    await switchBackend('cpu');
  });

  it("tfjs' generic RNN around a cell with no Keras 3 form is named, with the classes that can be written", async () => {
    // A user's own cell: the running sum of its inputs.
    class SumCell extends tfl.layers.Layer {
      static className = 'SumCell';
      readonly stateSize = 2;
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
        const [x, h] = inputs as tf.Tensor[];
        const next = tf.add(x, h);
        return [next, next];
      }
    }
    const model = tfl.sequential({ layers: [tfl.layers.rnn({ cell: new SumCell({}) as unknown as Parameters<typeof tfl.layers.rnn>[0]['cell'], inputShape: [3, 2], name: 'generic' })] });
    const error = await exportKeras(model, join(dir, 'generic_rnn.keras')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Keras2TfjsError);
    expect((error as Keras2TfjsError).code).toBe(ErrorCode.UNKNOWN_LAYER);
    expect((error as Keras2TfjsError).message).toContain("layer 'generic' (class RNN(SumCell)) has no Keras 3 form");
    expect((error as Keras2TfjsError).message).toContain('RNN(LSTMCell)');
  });
});
