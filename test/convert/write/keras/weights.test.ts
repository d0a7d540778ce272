/**
 * model.weights.h5 as Keras 3.15's saving_lib lays it out, read back with h5wasm: groups named
 * by class with per-container counters (not by layer name), `vars` groups carrying the layer's
 * name (Keras ≥ 3.6), datasets 0..N in Keras' variable order, bit-identical to the tfjs weights.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportKeras, manualDropout } from '../../../../src/index.js';
import { toSnakeCase } from '../../../../src/convert/write/keras/weights.js';
import { TEST_BACKENDS, switchBackend } from '../../../helpers/backends.js';
import { expectSameFloats } from '../../../helpers/tensor_asserts.js';
import { readKerasArchive, type H5Entry } from './keras_archive_reader.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'write-keras-weights-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let counter = 0;
async function weightsOf(model: tfl.LayersModel): Promise<Map<string, H5Entry>> {
  const path = join(dir, `w${++counter}.keras`);
  await exportKeras(model, path);
  return (await readKerasArchive(path)).weights;
}

/** The group paths, sorted (h5wasm lists children alphabetically, as h5py does). */
function groups(tree: Map<string, H5Entry>): string[] {
  return [...tree].filter(([, e]) => e.kind === 'group').map(([p]) => p).sort();
}

function expectDataset(tree: Map<string, H5Entry>, path: string, weight: tfl.LayerVariable): void {
  const entry = tree.get(path);
  expect(entry?.kind, path).toBe('dataset');
  expect(entry?.shape).toEqual(weight.shape);
  expect(entry?.dtype).toBe('<f');
  expectSameFloats(entry?.value as Float32Array, weight.read().dataSync() as Float32Array);
}

describe.each(TEST_BACKENDS)('model.weights.h5 on %s', (backend) => {
  beforeAll(async () => {
    await switchBackend(backend);
  });

  it('Sequential: layers/<class counter>/vars/<i>, no group for the hidden InputLayer', async () => {
    const model = tfl.sequential({
      name: 'book',
      layers: [
        tfl.layers.dense({ units: 16, inputShape: [20], activation: 'relu', name: 'first' }),
        tfl.layers.dense({ units: 16, activation: 'relu', useBias: false, name: 'second' }),
        manualDropout({ rate: 0.5, seed: 3, name: 'md' }),
        tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'third' }),
      ],
    });
    const tree = await weightsOf(model);
    expect(groups(tree)).toEqual([
      'layers', 'layers/dense', 'layers/dense/vars', 'layers/dense_1', 'layers/dense_1/vars', 'layers/dense_2', 'layers/dense_2/vars',
      'layers/manual_dropout', 'layers/manual_dropout/vars', 'vars',
    ]);
    expect(tree.get('vars')?.attrs).toEqual({ name: 'book' });
    expect(tree.get('layers/dense/vars')?.attrs).toEqual({ name: 'first' });
    expect(tree.get('layers/dense_1/vars')?.attrs).toEqual({ name: 'second' });
    expect(tree.get('layers/manual_dropout/vars')?.attrs).toEqual({ name: 'md' });
    const [first, second, , third] = model.layers;
    expectDataset(tree, 'layers/dense/vars/0', first.weights[0]);
    expectDataset(tree, 'layers/dense/vars/1', first.weights[1]);
    // use_bias=False: the kernel alone, still numbered from 0.
    expectDataset(tree, 'layers/dense_1/vars/0', second.weights[0]);
    expect(tree.has('layers/dense_1/vars/1')).toBe(false);
    expectDataset(tree, 'layers/dense_2/vars/0', third.weights[0]);
    expect([...tree.keys()].filter((p) => p.startsWith('layers/manual_dropout/vars/'))).toEqual([]);
  });

  it('Functional: InputLayers have groups too; counters follow the model\'s layer order', async () => {
    const a = tfl.input({ shape: [4], name: 'a' });
    const b = tfl.input({ shape: [4], name: 'b' });
    const x = tfl.layers.dense({ units: 3, name: 'x' }).apply(a) as tfl.SymbolicTensor;
    const y = tfl.layers.dense({ units: 3, name: 'y' }).apply(b) as tfl.SymbolicTensor;
    const cat = tfl.layers.concatenate({ name: 'cat' }).apply([x, y]) as tfl.SymbolicTensor;
    const bn = tfl.layers.batchNormalization({ name: 'bn' }).apply(cat) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [a, b], outputs: bn, name: 'two' });
    const tree = await weightsOf(model);
    const keys = new Map<string, string>();
    let inputs = 0;
    let denses = 0;
    for (const layer of model.layers) {
      const cls = layer.getClassName();
      if (cls === 'InputLayer') keys.set(layer.name, inputs++ === 0 ? 'input_layer' : `input_layer_${inputs - 1}`);
      if (cls === 'Dense') keys.set(layer.name, denses++ === 0 ? 'dense' : `dense_${denses - 1}`);
    }
    for (const [name, key] of keys) expect(tree.get(`layers/${key}/vars`)?.attrs).toEqual({ name });
    expect(tree.get('layers/concatenate/vars')?.attrs).toEqual({ name: 'cat' });
    // BatchNormalization: gamma, beta, then the non-trainable moving_mean, moving_variance.
    const bnLayer = model.getLayer('bn');
    ['gamma', 'beta', 'moving_mean', 'moving_variance'].forEach((short, i) => {
      const weight = bnLayer.weights.find((w) => w.originalName.endsWith(`/${short}`));
      if (!weight) throw new Error(`no ${short}`);
      expectDataset(tree, `layers/batch_normalization/vars/${i}`, weight);
    });
  });

  it('RNNs keep their weights on the cell: layers/lstm/cell/vars/0..2 (kernel, recurrent_kernel, bias)', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 10, outputDim: 4, inputShape: [6], name: 'emb' }),
        tfl.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform', returnSequences: true, name: 'seq' }),
        tfl.layers.simpleRNN({ units: 2, recurrentInitializer: 'glorotUniform', name: 'simple' }),
      ],
    });
    const tree = await weightsOf(model);
    expect(tree.get('layers/lstm/vars')?.attrs).toEqual({ name: 'seq' });
    expect(tree.get('layers/lstm/cell/vars')?.attrs).toEqual({ name: 'lstm_cell' });
    expect(tree.get('layers/simple_rnn/cell/vars')?.attrs).toEqual({ name: 'simple_rnn_cell' });
    expectDataset(tree, 'layers/embedding/vars/0', model.layers[0].weights[0]);
    model.layers[1].weights.forEach((w, i) => expectDataset(tree, `layers/lstm/cell/vars/${i}`, w));
    expect(model.layers[1].weights.map((w) => w.originalName.split('/').pop())).toEqual(['kernel', 'recurrent_kernel', 'bias']);
  });

  it('wrappers nest their layers: bidirectional/forward_layer|backward_layer/cell/vars, time_distributed/layer/vars', async () => {
    const bi = tfl.layers.bidirectional({
      layer: tfl.layers.gru({ units: 2, returnSequences: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform', name: 'g' }) as tfl.RNN,
      inputShape: [4, 3],
      name: 'bi',
    });
    const td = tfl.layers.timeDistributed({ layer: tfl.layers.dense({ units: 2, name: 'd' }), name: 'td' });
    const tree = await weightsOf(tfl.sequential({ layers: [bi, td] }));
    expect(tree.get('layers/bidirectional/vars')?.attrs).toEqual({ name: 'bi' });
    expect(tree.get('layers/bidirectional/forward_layer/vars')?.attrs).toEqual({ name: 'forward_g' });
    expect(tree.get('layers/bidirectional/backward_layer/vars')?.attrs).toEqual({ name: 'backward_g' });
    expect(tree.get('layers/bidirectional/forward_layer/cell/vars')?.attrs).toEqual({ name: 'gru_cell' });
    const [forward, backward] = [bi.weights.slice(0, 3), bi.weights.slice(3)];
    expect(forward.map((w) => w.originalName)).toEqual(['bi/forward_g/kernel', 'bi/forward_g/recurrent_kernel', 'bi/forward_g/bias']);
    forward.forEach((w, i) => expectDataset(tree, `layers/bidirectional/forward_layer/cell/vars/${i}`, w));
    backward.forEach((w, i) => expectDataset(tree, `layers/bidirectional/backward_layer/cell/vars/${i}`, w));
    expect(tree.get('layers/time_distributed/vars')?.attrs).toEqual({ name: 'td' });
    expect(tree.get('layers/time_distributed/layer/vars')?.attrs).toEqual({ name: 'd' });
    td.weights.forEach((w, i) => expectDataset(tree, `layers/time_distributed/layer/vars/${i}`, w));
  });

  it('nested models recurse: layers/sequential/layers/..., layers/functional/layers/...', async () => {
    const inner = tfl.sequential({ name: 'inner', layers: [tfl.layers.dense({ units: 2, inputShape: [2], name: 'in_d' })] });
    const fi = tfl.input({ shape: [2], name: 'fi' });
    const innerFn = tfl.model({ inputs: fi, outputs: tfl.layers.dense({ units: 2, name: 'fn_d' }).apply(fi) as tfl.SymbolicTensor, name: 'inner_fn' });
    const a = tfl.input({ shape: [2], name: 'a' });
    const model = tfl.model({ inputs: a, outputs: innerFn.apply(inner.apply(a)) as tfl.SymbolicTensor, name: 'outer' });
    const tree = await weightsOf(model);
    expect(groups(tree)).toEqual([
      'layers', 'layers/functional', 'layers/functional/layers', 'layers/functional/layers/dense', 'layers/functional/layers/dense/vars',
      'layers/functional/layers/input_layer', 'layers/functional/layers/input_layer/vars', 'layers/functional/vars',
      'layers/input_layer', 'layers/input_layer/vars',
      'layers/sequential', 'layers/sequential/layers', 'layers/sequential/layers/dense', 'layers/sequential/layers/dense/vars',
      'layers/sequential/vars', 'vars',
    ]);
    expect(tree.get('layers/sequential/vars')?.attrs).toEqual({ name: 'inner' });
    expect(tree.get('layers/functional/vars')?.attrs).toEqual({ name: 'inner_fn' });
    expectDataset(tree, 'layers/sequential/layers/dense/vars/0', inner.layers[0].weights[0]);
    expectDataset(tree, 'layers/functional/layers/dense/vars/1', innerFn.getLayer('fn_d').weights[1]);
  });
});

describe("Keras' naming.to_snake_case", () => {
  it.each([
    ['Dense', 'dense'],
    ['Conv2D', 'conv2d'],
    ['Conv2DTranspose', 'conv2d_transpose'],
    ['DepthwiseConv2D', 'depthwise_conv2d'],
    ['MaxPooling2D', 'max_pooling2d'],
    ['GlobalAveragePooling1D', 'global_average_pooling1d'],
    ['BatchNormalization', 'batch_normalization'],
    ['LSTM', 'lstm'],
    ['SimpleRNN', 'simple_rnn'],
    ['LSTMCell', 'lstm_cell'],
    ['ReLU', 're_lu'],
    ['PReLU', 'p_re_lu'],
    ['LeakyReLU', 'leaky_re_lu'],
    ['ManualDropout', 'manual_dropout'],
    ['InputLayer', 'input_layer'],
  ])('%s → %s', (name, snake) => {
    expect(toSnakeCase(name)).toBe(snake);
  });
});
