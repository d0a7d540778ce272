/**
 * Lambdas of real third-party models mapped to tfjs layers, as a user would: a built-in tfjs
 * class with a config (`--lambda lambda_1=Rescaling:{...}`), or a class the app registers with
 * tf.serialization.registerClass. The mapped model loads, keeps the Lambda's place in the graph
 * (first layer of a Sequential with its input shape; both branches of a siamese network through
 * a nested model called twice) and computes what the Lambda's code says.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { layers, loadLayersModel, model as functionalModel, type LayersModel, type Shape, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../../src/convert/convert.js';
import { switchBackend } from '../helpers/backends.js';
import { CORPUS_DIR } from './corpus_helpers.js';

/** ‖a − b‖ per row, what the LucieSvc siamese Lambda computes (its bytecode names sqrt, reduce_sum, square). */
class EuclideanDistance extends layers.Layer {
  static className = 'EuclideanDistance';
  override computeOutputShape(shape: Shape | Shape[]): Shape {
    return [(shape as Shape[])[0][0], 1];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [a, b] = inputs as tf.Tensor[];
      return tf.sqrt(tf.sum(tf.square(tf.sub(a, b)), 1, true));
    });
  }
}
tf.serialization.registerClass(EuclideanDistance);

// wasm: the siamese network convolves two 720×720 images, minutes on the cpu backend.
beforeAll(() => switchBackend('wasm'));

async function load(file: string, lambdas: Record<string, { className: string; config?: Record<string, unknown> }>): Promise<LayersModel> {
  const { artifacts, report } = await convert(join(CORPUS_DIR, file), { lambdas });
  expect(report.mappings).toHaveLength(1);
  return loadLayersModel(tf.io.fromMemory(artifacts));
}

describe('mapping Lambdas of real models', () => {
  it('maps x / 127.5 − 1 (first layer of a Keras 2 Sequential) to Rescaling, keeping the input shape', async () => {
    const model = await load('1560800+CarND-Behavioral-Cloning-P3+nvidia-lambda.h5', {
      lambda_1: { className: 'Rescaling', config: { scale: 1 / 127.5, offset: -1 } },
    });
    try {
      expect(model.inputs[0].shape).toEqual([null, 68, 204, 3]);
      const rescale = model.layers[0];
      expect(rescale.getClassName()).toBe('Rescaling');
      const x = tf.fill([1, 68, 204, 3], 255);
      const y = rescale.apply(x) as tf.Tensor;
      expect(Array.from(y.dataSync().slice(0, 3))).toEqual([1, 1, 1]);
      const out = model.predict(x) as tf.Tensor;
      expect(out.dataSync().every(Number.isFinite)).toBe(true);
      tf.dispose([x, y, out]);
    } finally {
      model.dispose();
    }
  });

  it('maps a siamese distance Lambda to a registered class; the nested model feeds it from both calls', async () => {
    const model = await load('LucieSvc+PMD-IA_Nanotag+siamese-lambda-bn.keras', { lambda_3: { className: 'EuclideanDistance' } });
    try {
      const distance = model.getLayer('lambda_3');
      expect(distance.getClassName()).toBe('EuclideanDistance');
      // A model ending at the distance: same images → 0, different images → > 0.
      const probe = functionalModel({ inputs: model.inputs, outputs: distance.output as SymbolicTensor });
      const shape = [1, 720, 720, 1];
      const a = tf.randomUniform(shape, 0, 1, 'float32', 1);
      const b = tf.randomUniform(shape, 0, 1, 'float32', 2);
      const same = probe.predict([a, a]) as tf.Tensor;
      const diff = probe.predict([a, b]) as tf.Tensor;
      expect(same.dataSync()[0]).toBe(0);
      expect(diff.dataSync()[0]).toBeGreaterThan(0);
      tf.dispose([a, b, same, diff]);
    } finally {
      model.dispose();
    }
  });
});
