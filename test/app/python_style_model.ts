/**
 * A model.json as a Python user ships it: a Keras Sequential model (Dense + the Python twin's
 * ManualDropout) in the TensorFlow.js layers format, with snake_case config keys. It is a
 * format test input, written by hand like a user's file would be; the expected prediction is
 * plain integer arithmetic on the weights below.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const PYTHON_STYLE_MODEL_JSON = {
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
              noise_shape: null,
              seed: 1337,
              scaling: 'train',
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

const KERNEL = [1, -2, 3, 4, -5, 6]; // [[1, -2], [3, 4], [-5, 6]]
const BIAS = [10, -20];

/** The input the apps predict on. */
export const APP_INPUT = [1, 2, 3];

/** x W + b for APP_INPUT (dropout is the identity at inference): [1+6-15+10, -2+8+18-20]. */
export const EXPECTED_PREDICTION = [2, 4];

/** The weight bytes: kernel then bias, float32 little-endian, as the manifest lists them. */
export function pythonStyleWeights(): ArrayBuffer {
  return new Float32Array([...KERNEL, ...BIAS]).buffer;
}

/** Writes model.json and its one shard into `dir`. */
export async function writePythonStyleModel(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.json'), JSON.stringify(PYTHON_STYLE_MODEL_JSON));
  await writeFile(join(dir, 'group1-shard1of1.bin'), new Uint8Array(pythonStyleWeights()));
}
