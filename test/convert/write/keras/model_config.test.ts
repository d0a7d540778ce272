/**
 * config.json as Keras 3.15 writes it (serialization_lib.serialize_keras_object): the facts
 * asserted here are Keras' (keras/src/models/sequential.py, functional.py, layers/**), the same
 * ones python/tests/test_ts_export_loads.py checks by letting Keras re-serialize our files.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportKeras, manualDropout } from '../../../../src/index.js';
import { initializer, activation, regularizer } from '../../../../src/convert/write/keras/objects.js';
import { switchBackend } from '../../../helpers/backends.js';
import { layersOf, readKerasArchive, type LayerEntry } from './keras_archive_reader.js';

const FLOAT32_POLICY = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

let dir: string;
beforeAll(async () => {
  await switchBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'write-keras-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let counter = 0;
async function configOf(model: tfl.LayersModel): Promise<Record<string, unknown>> {
  const path = join(dir, `m${++counter}.keras`);
  await exportKeras(model, path);
  return (await readKerasArchive(path)).config;
}

function byName(layers: LayerEntry[], name: string): LayerEntry {
  const found = layers.find((l) => (l.name ?? l.config.name) === name);
  if (!found) throw new Error(`no layer ${name}`);
  return found;
}

describe('Sequential', () => {
  it('is keras.Sequential with its InputLayer first, DTypePolicy objects and build shapes', async () => {
    const model = tfl.sequential({
      name: 'seq',
      layers: [
        tfl.layers.dense({ units: 16, inputShape: [20], activation: 'relu', kernelRegularizer: tfl.regularizers.l2({ l2: 0.001 }), name: 'd1' }),
        tfl.layers.dropout({ rate: 0.25, name: 'drop' }),
        tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'd2' }),
      ],
    });
    const config = await configOf(model);
    expect(config).toMatchObject({
      module: 'keras',
      class_name: 'Sequential',
      registered_name: null,
      build_config: { input_shape: [null, 20] },
      compile_config: {},
    });
    const inner = config.config as Record<string, unknown>;
    expect(inner).toMatchObject({ name: 'seq', trainable: true, dtype: FLOAT32_POLICY, build_input_shape: [null, 20] });

    const [input, d1, drop, d2] = layersOf(config);
    expect(input).toEqual({
      module: 'keras.layers',
      class_name: 'InputLayer',
      // InputLayer keeps a plain-string dtype.
      config: { batch_shape: [null, 20], dtype: 'float32', sparse: false, ragged: false, name: model.inputs[0].sourceLayer.name, optional: false },
      registered_name: null,
    });
    expect(d1).toEqual({
      module: 'keras.layers',
      class_name: 'Dense',
      config: {
        name: 'd1',
        trainable: true,
        dtype: FLOAT32_POLICY,
        units: 16,
        activation: 'relu',
        use_bias: true,
        // tfjs serializes its default glorotNormal as VarianceScaling(1, fan_avg, normal); Keras names it.
        kernel_initializer: {
          module: 'keras.initializers',
          class_name: 'GlorotNormal',
          config: { seed: null, input_axes: null, output_axes: null },
          registered_name: null,
        },
        bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
        kernel_regularizer: { module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.001 }, registered_name: null },
        bias_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
        quantization_config: null,
      },
      registered_name: null,
      build_config: { input_shape: [null, 20] },
    });
    // Layers without a build() of their own carry no build_config.
    expect(drop).toEqual({
      module: 'keras.layers',
      class_name: 'Dropout',
      config: { name: 'drop', trainable: true, dtype: FLOAT32_POLICY, rate: 0.25, seed: null, noise_shape: null },
      registered_name: null,
    });
    expect(d2.build_config).toEqual({ input_shape: [null, 16] });
  });

  it('writes ManualDropout as the registered keras2tfjs>ManualDropout of the Python twin, snake_case keys', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 4, inputShape: [3] }),
        manualDropout({ rate: 0.3, noiseShape: [null, 1], seed: 5, scaling: 'test', alwaysOn: true, rng: 'jax', name: 'md' }),
      ],
    });
    const md = layersOf(await configOf(model))[2];
    expect(md).toEqual({
      module: 'keras2tfjs.manual_dropout',
      class_name: 'ManualDropout',
      config: { name: 'md', trainable: true, dtype: FLOAT32_POLICY, rate: 0.3, noise_shape: [null, 1], seed: 5, scaling: 'test', always_on: true, rng: 'jax' },
      registered_name: 'keras2tfjs>ManualDropout',
    });
    // The module is where the twin lives, and the twin registers under that package name.
    const twin = await readFile(new URL('../../../../python/keras2tfjs/manual_dropout.py', import.meta.url), 'utf8');
    expect(twin).toContain('@keras.saving.register_keras_serializable(package="keras2tfjs")\nclass ManualDropout(');
  });
});

describe('Functional', () => {
  it('is keras.src.models.functional.Functional with dict-style inbound nodes of __keras_tensor__', async () => {
    const a = tfl.input({ shape: [4], name: 'a' });
    const b = tfl.input({ shape: [3], name: 'b' });
    const x = tfl.layers.dense({ units: 2, name: 'xa' }).apply(a) as tfl.SymbolicTensor;
    const y = tfl.layers.dense({ units: 5, name: 'yb' }).apply(b) as tfl.SymbolicTensor;
    const z = tfl.layers.concatenate({ name: 'cat' }).apply([x, y]) as tfl.SymbolicTensor;
    const n = tfl.layers.batchNormalization({ name: 'bn' }).apply(z) as tfl.SymbolicTensor;
    const d = tfl.layers.dropout({ rate: 0.5, name: 'drop' }).apply(n) as tfl.SymbolicTensor;
    const config = await configOf(tfl.model({ inputs: [a, b], outputs: d, name: 'fn' }));

    expect(config).toMatchObject({
      module: 'keras.src.models.functional',
      class_name: 'Functional',
      registered_name: 'Functional',
      build_config: { input_shape: null },
      compile_config: {},
    });
    const inner = config.config as Record<string, unknown>;
    expect(inner.name).toBe('fn');
    expect(inner.input_layers).toEqual([['a', 0, 0], ['b', 0, 0]]);
    // One output is written flat, as keras.Model(inputs, output) writes it.
    expect(inner.output_layers).toEqual(['drop', 0, 0]);

    const layers = layersOf(config);
    expect(byName(layers, 'a')).toMatchObject({ class_name: 'InputLayer', name: 'a', inbound_nodes: [] });
    const tensor = (shape: Array<number | null>, history: [string, number, number]) => ({
      class_name: '__keras_tensor__',
      config: { shape, dtype: 'float32', keras_history: history },
    });
    expect(byName(layers, 'xa').inbound_nodes).toEqual([{ args: [tensor([null, 4], ['a', 0, 0])], kwargs: {} }]);
    // Merge layers get one positional list.
    expect(byName(layers, 'cat').inbound_nodes).toEqual([{ args: [[tensor([null, 2], ['xa', 0, 0]), tensor([null, 5], ['yb', 0, 0])]], kwargs: {} }]);
    expect(byName(layers, 'cat').build_config).toEqual({ input_shape: [[null, 2], [null, 5]] });
    // Keras records mask=None for layers taking a mask and training=False for those defaulting to it.
    expect(byName(layers, 'bn').inbound_nodes?.[0].kwargs).toEqual({ mask: null });
    expect(byName(layers, 'drop').inbound_nodes?.[0].kwargs).toEqual({ training: false });
  });

  it('numbers a shared layer\'s calls and a nested model\'s call as Keras does', async () => {
    const inner = tfl.sequential({ name: 'inner_seq', layers: [tfl.layers.dense({ units: 3, inputShape: [3], name: 'in_d' })] });
    const fi = tfl.input({ shape: [3], name: 'fi' });
    const innerFn = tfl.model({ inputs: fi, outputs: tfl.layers.dense({ units: 3, name: 'fn_d' }).apply(fi) as tfl.SymbolicTensor, name: 'inner_fn' });
    const a = tfl.input({ shape: [3], name: 'a' });
    const shared = tfl.layers.dense({ units: 3, name: 'shared' });
    const s1 = shared.apply(a) as tfl.SymbolicTensor;
    const s2 = shared.apply(s1) as tfl.SymbolicTensor;
    const v1 = inner.apply(s2) as tfl.SymbolicTensor;
    const v2 = innerFn.apply(v1) as tfl.SymbolicTensor;
    const config = await configOf(tfl.model({ inputs: a, outputs: [v2, s1], name: 'outer' }));
    const layers = layersOf(config);
    const history = (l: LayerEntry) =>
      l.inbound_nodes?.map((node) => ((node.args[0] as { config: { keras_history: unknown } }).config.keras_history));

    expect(history(byName(layers, 'shared'))).toEqual([['a', 0, 0], ['shared', 0, 0]]);
    // tfjs gives a nested model an extra node 0 of its own; Keras counts the model's calls from 0.
    expect(history(byName(layers, 'inner_seq'))).toEqual([['shared', 1, 0]]);
    expect(history(byName(layers, 'inner_fn'))).toEqual([['inner_seq', 0, 0]]);
    // ...except in output_layers, where a nested Functional keeps its pre-existing node (+1).
    expect((config.config as Record<string, unknown>).output_layers).toEqual([['inner_fn', 1, 0], ['shared', 0, 0]]);

    const nestedSeq = byName(layers, 'inner_seq');
    expect(nestedSeq).toMatchObject({ module: 'keras', class_name: 'Sequential', build_config: { input_shape: [null, 3] }, compile_config: {} });
    expect(nestedSeq.inbound_nodes?.[0].kwargs).toEqual({ mask: null });
    const nestedFn = byName(layers, 'inner_fn');
    expect(nestedFn).toMatchObject({ class_name: 'Functional', registered_name: 'Functional', build_config: { input_shape: null }, compile_config: {} });
    expect((nestedFn.config as Record<string, unknown>).input_layers).toEqual(['fi', 0, 0]);
  });
});

describe('layers whose Keras names or defaults differ from tfjs', () => {
  it('LSTM: Keras keys and defaults, training/mask call kwargs; GRU is reset_after=False', async () => {
    const t = tfl.input({ shape: [5], name: 't' });
    const e = tfl.layers.embedding({ inputDim: 9, outputDim: 3, name: 'emb' }).apply(t) as tfl.SymbolicTensor;
    const l = tfl.layers.lstm({ units: 2, returnSequences: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform', name: 'lstm' }).apply(e) as tfl.SymbolicTensor;
    const g = tfl.layers.gru({ units: 2, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform', name: 'gru' }).apply(l) as tfl.SymbolicTensor;
    const layers = layersOf(await configOf(tfl.model({ inputs: t, outputs: g })));
    const lstm = byName(layers, 'lstm');
    expect(Object.keys(lstm.config)).toEqual([
      'name', 'trainable', 'dtype', 'return_sequences', 'return_state', 'go_backwards', 'stateful', 'unroll', 'zero_output_for_mask',
      'units', 'activation', 'recurrent_activation', 'use_bias', 'kernel_initializer', 'recurrent_initializer', 'bias_initializer',
      'unit_forget_bias', 'kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer', 'activity_regularizer', 'kernel_constraint',
      'recurrent_constraint', 'bias_constraint', 'dropout', 'recurrent_dropout', 'seed',
    ]);
    expect(lstm.config).toMatchObject({ units: 2, activation: 'tanh', recurrent_activation: 'sigmoid', unit_forget_bias: true, return_sequences: true });
    expect(lstm.inbound_nodes?.[0].kwargs).toEqual({ training: false, mask: null });
    expect(byName(layers, 'gru').config).toMatchObject({ reset_after: false, recurrent_activation: 'sigmoid' });
    expect(byName(layers, 'emb').config).toMatchObject({ input_dim: 9, output_dim: 3, mask_zero: false, quantization_config: null });
  });

  it('Bidirectional writes the forward copy as `layer` and the backward one, as Keras names and flags them', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.bidirectional({
          layer: tfl.layers.lstm({ units: 2, returnSequences: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform', name: 'rnn' }) as tfl.RNN,
          inputShape: [5, 3],
          mergeMode: 'ave',
          name: 'bi',
        }),
        tfl.layers.timeDistributed({ layer: tfl.layers.dense({ units: 4, name: 'step_dense' }), name: 'td' }),
      ],
    });
    const [, bi, td] = layersOf(await configOf(model));
    expect(bi).toMatchObject({ module: 'keras.layers', class_name: 'Bidirectional', build_config: { input_shape: [null, 5, 3] } });
    expect(Object.keys(bi.config)).toEqual(['name', 'trainable', 'dtype', 'merge_mode', 'layer', 'backward_layer']);
    const forward = bi.config.layer as LayerEntry;
    const backward = bi.config.backward_layer as LayerEntry;
    expect(forward).toMatchObject({
      class_name: 'LSTM',
      build_config: { input_shape: [null, 5, 3] },
      config: { name: 'forward_rnn', go_backwards: false, return_sequences: true, zero_output_for_mask: true },
    });
    expect(backward).toMatchObject({ class_name: 'LSTM', config: { name: 'backward_rnn', go_backwards: true, zero_output_for_mask: true } });
    expect(bi.config.merge_mode).toBe('ave');
    // TimeDistributed's layer is built on one time step.
    expect(td).toMatchObject({ class_name: 'TimeDistributed', build_config: { input_shape: [null, 5, 2] } });
    expect(td.config.layer).toMatchObject({ class_name: 'Dense', config: { name: 'step_dense', units: 4 }, build_config: { input_shape: [null, 2] } });
  });

  it('activations, initializers and regularizers take Keras 3 names', () => {
    const where = { file: 'm.keras', layer: 'l' };
    expect(activation('swish', where)).toBe('silu');
    expect(activation('log_softmax', where)).toBe('log_softmax');
    expect(initializer({ class_name: 'LeCunNormal', config: { seed: 3 } }, where)).toEqual({
      module: 'keras.initializers', class_name: 'LecunNormal', config: { seed: 3, input_axes: null, output_axes: null }, registered_name: null,
    });
    const scaling = (scale: number, mode: string, distribution: string) =>
      initializer({ class_name: 'VarianceScaling', config: { scale, mode, distribution, seed: null } }, where) as { class_name: string; config: unknown };
    expect(scaling(2, 'fan_in', 'uniform').class_name).toBe('HeUniform');
    expect(scaling(1, 'fan_in', 'normal').class_name).toBe('LecunNormal');
    expect(scaling(1, 'fan_avg', 'uniform').class_name).toBe('GlorotUniform');
    // Any other scaling stays VarianceScaling; tfjs' truncated 'normal' is Keras' 'truncated_normal'.
    expect(scaling(0.5, 'fan_out', 'normal')).toMatchObject({
      class_name: 'VarianceScaling',
      config: { seed: null, scale: 0.5, mode: 'fan_out', distribution: 'truncated_normal', input_axes: null, output_axes: null },
    });
    // tfjs has only L1L2; Keras writes the class the penalty needs.
    const l1l2 = (l1: number, l2: number) => regularizer({ class_name: 'L1L2', config: { l1, l2 } }, where);
    expect(l1l2(0, 0.01)).toEqual({ module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.01 }, registered_name: null });
    expect(l1l2(0.02, 0)).toEqual({ module: 'keras.regularizers', class_name: 'L1', config: { l1: 0.02 }, registered_name: null });
    expect(l1l2(0.02, 0.01)).toEqual({ module: 'keras.regularizers', class_name: 'L1L2', config: { l1: 0.02, l2: 0.01 }, registered_name: null });
  });

  it('keeps SpatialDropout1D\'s short base config (plain-string dtype, no trainable)', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.spatialDropout1d({ rate: 0.2, inputShape: [4, 3], name: 'sd' })] });
    expect(layersOf(await configOf(model))[1].config).toEqual({ rate: 0.2, seed: null, name: 'sd', dtype: 'float32' });
  });

  it('tfjs defaults fill the keys Keras writes: pooling data_format, LeakyReLU negative_slope, ReLU threshold', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv1d({ filters: 2, kernelSize: 3, inputShape: [8, 2], name: 'c' }),
        tfl.layers.maxPooling1d({ poolSize: 2, name: 'p' }),
        tfl.layers.leakyReLU({ alpha: 0.1, name: 'lr' }),
        tfl.layers.reLU({ maxValue: 6, name: 'r' }),
        tfl.layers.globalAveragePooling1d({ name: 'g' }),
      ],
    });
    const layers = layersOf(await configOf(model));
    expect(byName(layers, 'c').config).toMatchObject({ kernel_size: [3], strides: [1], dilation_rate: [1], data_format: 'channels_last', groups: 1 });
    expect(byName(layers, 'p').config).toMatchObject({ pool_size: [2], strides: [2], padding: 'valid', data_format: 'channels_last' });
    expect(byName(layers, 'lr').config).toMatchObject({ negative_slope: 0.1 });
    expect(byName(layers, 'r').config).toMatchObject({ max_value: 6, negative_slope: 0, threshold: 0 });
    expect(byName(layers, 'g').config).toMatchObject({ data_format: 'channels_last', keepdims: false });
  });
});
