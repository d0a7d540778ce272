/**
 * Every input format the converter reads, on models saved by real Keras (data/, written by
 * make_test_models.py), with every weight layout it maps: Keras 3 `.keras` zip, the same
 * unzipped (`zipped=False`), Keras 3 legacy `.h5`, Keras 3 weights-only `.weights.h5` with its
 * config.json, tf_keras legacy `.h5`, tf_keras weights-only `.h5` with model.to_json(), and
 * bytes instead of a path. Each converts, loads in tfjs and predicts what Keras predicted.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { convert, loadKerasModel, type ConvertOptions } from '../../src/convert/convert.js';
import { switchBackend } from '../helpers/backends.js';

/**
 * The zoo runs LSTM/GRU/SimpleRNN recurrences, a causal dilated convolution and normalizations
 * in float32; tfjs and TensorFlow order their sums differently (a few ulps per op, compounded
 * over 6 recurrent steps). 1e-5 absolute bounds that for these O(1) outputs; a swapped gate,
 * transposed kernel or missing bias moves them by > 1e-2.
 */
const PARITY_ATOL = 1e-5;

const DATA = new URL('./data/', import.meta.url).pathname;
const expected = JSON.parse(readFileSync(`${DATA}expected.json`, 'utf8')) as {
  models: Record<string, { inputs: Array<{ shape: number[]; values: number[] }>; output: { shape: number[]; values: number[] } }>;
};

const CASES: Array<{ file: string; format: string; options?: ConvertOptions; reference?: string }> = [
  { file: 'zoo_k3.keras', format: 'keras-zip' },
  { file: 'zoo_k3_dir', format: 'keras-dir' },
  { file: 'zoo_k3.h5', format: 'h5-full' },
  { file: 'k3_weights.weights.h5', format: 'h5-weights', options: { config: `${DATA}k3_config.json` } },
  { file: 'zoo_tfk.h5', format: 'h5-full' },
  { file: 'tfk_weights.h5', format: 'h5-weights', options: { config: `${DATA}tfk_model.json` } },
];

async function predictAndCompare(artifacts: tf.io.ModelArtifacts, reference: string): Promise<number> {
  const model = await loadLayersModel(tf.io.fromMemory(artifacts));
  const want = expected.models[reference];
  const xs = want.inputs.map((i) => tf.tensor(i.values, i.shape, 'float32'));
  const y = model.predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor;
  try {
    expect(y.shape).toEqual(want.output.shape);
    const got = y.dataSync();
    let worst = 0;
    want.output.values.forEach((v, i) => (worst = Math.max(worst, Math.abs(got[i] - v))));
    expect(worst).toBeLessThanOrEqual(PARITY_ATOL);
    return worst;
  } finally {
    tf.dispose([...xs, y]);
    model.dispose();
  }
}

describe('every input format, on cpu', () => {
  beforeAll(() => switchBackend('cpu'));

  for (const c of CASES) {
    it(`${c.file} (${c.format}) converts and predicts like Keras`, async () => {
      const { artifacts, report } = await convert(`${DATA}${c.file}`, c.options);
      expect(report.format).toBe(c.format);
      await predictAndCompare(artifacts, c.file);
    });
  }

  it('reads bytes as well as paths, naming the bytes in messages with fileName', async () => {
    const bytes = new Uint8Array(readFileSync(`${DATA}zoo_k3.keras`));
    const { artifacts, report } = await convert(bytes, { fileName: 'upload.keras' });
    expect(report.file).toBe('upload.keras');
    await predictAndCompare(artifacts, 'zoo_k3.keras');
  });

  it('maps the Keras 3 zoo layer by layer', async () => {
    const { report, model } = await convert(`${DATA}zoo_k3.keras`);
    const byName = Object.fromEntries(report.layers.map((l) => [l.name, l.targetClass]));
    expect(byName).toMatchObject({ bidi: 'Bidirectional', td: 'TimeDistributed', causal: 'CausalConv1D', gru: 'ResetAfterGRU', bn: 'BatchNormalization', 'inner/inner_dense': 'Dense', flat: 'Flatten' });
    // tfjs names Bidirectional's halves 'forward_'/'backward_' + the wrapped config's name, and
    // Keras 3 serializes the wrapped layer as its forward half ('forward_lstm');
    // TimeDistributed's weights are its own.
    const names = model.weights.map((w) => w.name);
    expect(names).toContain('bidi/forward_forward_lstm/kernel');
    expect(names).toContain('bidi/backward_forward_lstm/recurrent_kernel');
    expect(names).toContain('td/kernel');
    expect(names).toContain('gru/bias');
    expect(model.weights.find((w) => w.name === 'gru/bias')?.shape).toEqual([2, 12]);
    expect(names).toContain('inner_dense/kernel');
    expect(names).not.toContain('bn/beta');
  });

  it('loadKerasModel compiles from the saved compile config and reports what it dropped', async () => {
    let dropped: string[] | undefined;
    const model = await loadKerasModel(`${DATA}zoo_k3.keras`, { compile: true, onReport: (r) => (dropped = r.compileDropped) });
    try {
      expect(model.optimizer).toBeDefined();
      expect(model.optimizer.getClassName()).toContain('Adam');
      expect(Array.isArray(dropped)).toBe(true);
    } finally {
      model.dispose();
    }
  });
});
