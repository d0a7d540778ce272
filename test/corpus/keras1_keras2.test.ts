/**
 * Keras 1 and Keras 2.2 configs, on third-party files (no Keras installable here writes them): a
 * bare-list Sequential, a Keras 1 LSTM with per-gate weights, and a Keras 1 Convolution2D model.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../../src/convert/convert.js';
import { switchBackend } from '../helpers/backends.js';
import { CORPUS_DIR, corpusPath } from '../helpers/corpus.js';

type Layer = { class_name: string; name?: string; config: Record<string, unknown> };

function layersOf(topology: unknown): Layer[] {
  return ((topology as { config: { layers: Layer[] } }).config.layers);
}

beforeAll(() => switchBackend('cpu'));

describe('Keras 1 and 2 configs', () => {
  it('a Keras 2.2 Sequential given as a bare list of layers', async () => {
    const { model, report } = await convert(corpusPath('0xArt+CryptoANN+dense-dropout.h5'));
    expect(report.kerasVersion).toBe('2.2.2');
    const topology = model.modelTopology as { class_name: string; config: { name: string; layers: Layer[] } };
    expect(topology.class_name).toBe('Sequential');
    expect(topology.config.layers[0].config.batch_input_shape).toBeDefined();
  });

  it('a Keras 1 LSTM: output_dim, inner_* and per-gate weights become Keras 2 / tfjs ones', async () => {
    const { model } = await convert(corpusPath('DCodezy+DeepLearningPlayground+keras1-lstm.hdf5'));
    const [lstm, dense] = layersOf(model.modelTopology);
    expect(lstm.class_name).toBe('LSTM');
    expect(lstm.config).toMatchObject({ units: 128, recurrent_activation: 'hard_sigmoid', unit_forget_bias: true, batch_input_shape: [null, 20, 28] });
    expect(lstm.config).not.toHaveProperty('output_dim');
    expect(dense.config).toMatchObject({ units: 28, use_bias: true });
    // 12 per-gate arrays (W_i, U_i, b_i, W_c, ...) → kernel [28, 4·128] in gate order i, f, c, o.
    const kernel = model.weights.find((w) => w.name === 'lstm_1/kernel');
    expect(kernel?.shape).toEqual([28, 512]);
    expect(model.weights.find((w) => w.name === 'lstm_1/bias')?.shape).toEqual([512]);
  });

  it('a Keras 1 Convolution2D model (nb_filter, nb_row/nb_col, border_mode, subsample, dim_ordering) with its Lambda mapped', async () => {
    const corpus = CORPUS_DIR;
    const { artifacts, report, model } = await convert(`${corpus}/olala7846+Behavioral-Cloning+keras1-lambda-cropping.h5`, {
      lambdas: { _normalize: { className: 'Rescaling', config: { scale: 0.2 / 255, offset: -0.1 } } },
    });
    expect(report.kerasVersion).toBe('1.1.2');
    const conv = layersOf(model.modelTopology).find((l) => l.config.name === 'convolution2d_2') as Layer;
    expect(conv.class_name).toBe('Conv2D');
    expect(conv.config).toMatchObject({ padding: 'valid', data_format: 'channels_last', strides: [1, 1] });
    for (const key of ['nb_filter', 'nb_row', 'nb_col', 'border_mode', 'subsample', 'dim_ordering', 'init']) expect(conv.config).not.toHaveProperty(key);
    const kernel = model.weights.find((w) => w.name === 'convolution2d_2/kernel');
    expect(kernel?.shape.slice(0, 2)).toEqual(conv.config.kernel_size);
    expect(kernel?.shape[3]).toBe(conv.config.filters);
    const loaded = await loadLayersModel(tf.io.fromMemory(artifacts));
    const x = tf.ones([1, 160, 320, 3]);
    const y = loaded.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 1]);
    expect(Number.isFinite(y.dataSync()[0])).toBe(true);
    tf.dispose([x, y]);
    loaded.dispose();
  });
});
