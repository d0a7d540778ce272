/**
 * An existing tfjs program gains ManualDropout from a side-effect-only import of the
 * package entry, then loads a model.json that names the layer.
 */
import '../../src/index.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, switchBackend } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/tensor_asserts.js';
import { APP_INPUT, EXPECTED_PREDICTION, PYTHON_STYLE_MODEL_JSON, pythonStyleWeights } from './python_style_model.js';

describe.each(TEST_BACKENDS)('side-effect import on %s', (backend) => {
  beforeAll(async () => {
    await switchBackend(backend);
  });

  it('tf.loadLayersModel reads a model.json naming ManualDropout', async () => {
    const handler = tf.io.fromMemory({
      modelTopology: PYTHON_STYLE_MODEL_JSON.modelTopology,
      weightSpecs: PYTHON_STYLE_MODEL_JSON.weightsManifest[0].weights as tf.io.WeightsManifestEntry[],
      weightData: pythonStyleWeights(),
    });
    const model = await tfl.loadLayersModel(handler);
    expect(model.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'Dense', 'ManualDropout']);
    expect(model.getLayer('manual_dropout').getConfig()).toMatchObject({
      rate: 0.5,
      noiseShape: null,
      seed: 1337,
      alwaysOn: false,
      rng: 'tensorflow',
    });
    await expectNoLeaks(() => {
      const x = tf.tensor2d([APP_INPUT]);
      const y = model.predict(x) as tf.Tensor;
      expect(Array.from(y.dataSync())).toEqual(EXPECTED_PREDICTION);
      tf.dispose([x, y]);
    });
    model.dispose();
  });
});
