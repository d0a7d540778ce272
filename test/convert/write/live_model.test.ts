/**
 * loadKerasModel builds the model the way tfjs' loadLayersModel does (fast weight init: the
 * layers keep their initializer configs, variables start at zero) and then writes each weight
 * into its variable as it is read, so the model's own tensors are the only copy of the weights.
 * Checked against tfjs' own loading of the same converted artifacts: the same config, the same
 * weights, the same predictions; and no tensor beyond the model's variables is left in memory.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { convert, loadKerasModel, type ConvertOptions } from '../../../src/convert/convert.js';
import { switchBackend } from '../../helpers/backends.js';
import { fixturePath } from '../../helpers/fixtures.js';

const DATA = new URL('../data/', import.meta.url).pathname;
const DROPOUT: ConvertOptions = { lambdas: { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } } };

beforeAll(async () => {
  await switchBackend('cpu');
});

const MODELS: Array<[string, string, ConvertOptions]> = [
  ['seed Lambda model (.keras)', fixturePath('seed_lambda', 'model.keras'), DROPOUT],
  ['tf_keras seed model (.h5)', fixturePath('seed_lambda_tfkeras', 'model.h5'), DROPOUT],
  ['Keras 3 zoo: conv, batch norm, LSTM, GRU, embedding...', `${DATA}zoo_k3.keras`, {}],
  ['tf.keras zoo', `${DATA}zoo_tfk.h5`, {}],
  ['Bidirectional GRU (reset_after)', `${DATA}k3_bigru.keras`, {}],
];

function weightsOf(m: LayersModel): Array<[string, number[], number[]]> {
  return m.weights.map((w) => [w.originalName, w.shape as number[], Array.from(w.read().dataSync())]);
}

describe('loadKerasModel: weights straight into the model', () => {
  it.each(MODELS)('%s: the model tfjs loadLayersModel builds from the same artifacts', async (_name, path, options) => {
    const { artifacts } = await convert(path, options);
    const start = tf.memory().numTensors;
    const theirs = await loadLayersModel(tf.io.fromMemory(artifacts));
    const theirTensors = tf.memory().numTensors - start;
    const before = tf.memory().numTensors;
    const ours = await loadKerasModel(path, options);
    // The same tensors as tfjs' own loading keeps (the variables, and what some layers hold):
    // no weight is kept twice, nothing read is left behind.
    expect(tf.memory().numTensors - before).toBe(theirTensors);
    try {
      expect(JSON.stringify(ours.getConfig())).toBe(JSON.stringify(theirs.getConfig()));
      expect(weightsOf(ours)).toEqual(weightsOf(theirs));
      expect(ours.getUserDefinedMetadata()).toEqual(theirs.getUserDefinedMetadata());
      const inputs = ours.inputs.map((i) => tf.randomUniform([2, ...(i.shape.slice(1) as number[])], 0, 1, 'float32', 7));
      const a = ours.predict(inputs) as tf.Tensor | tf.Tensor[];
      const b = theirs.predict(inputs) as tf.Tensor | tf.Tensor[];
      const [aa, bb] = [a, b].map((t) => (Array.isArray(t) ? t : [t]).map((x) => Array.from(x.dataSync())));
      expect(aa).toEqual(bb);
      tf.dispose([inputs, a, b]);
    } finally {
      theirs.dispose();
    }
    ours.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
