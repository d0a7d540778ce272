/**
 * Models real Keras built with what keras2tfjs' compat layers stand for (test/layers/compat/data,
 * made by make_compat_models.py): Keras 3 operation nodes and tf.keras TFOpLambdas of every
 * family, the activations tfjs lacks, MobileNetV3's squeeze-and-excite block, Subtract. Each
 * converts, predicts what Keras predicted, and comes back from exportKeras as a .keras file
 * that converts again to the same model.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../../../src/convert/convert.js';
import { exportKeras } from '../../../src/convert/write/keras/export_keras.js';
import { readNpy } from '../../../src/formats/numpy/npy.js';
import { ErrorCode, Keras2TfjsError } from '../../../src/errors.js';
import { TEST_BACKENDS, switchBackend } from '../../helpers/backends.js';

/**
 * Keras (TensorFlow's kernels) and tfjs compute the same float32 ops in a different order and
 * with their own exp/tanh/erf; on these one- or two-layer models that is a few ulps
 * (observed ≤ 1e-6). 1e-5 absolute + 1e-5 relative bounds it; a wrong op, argument or weight
 * moves outputs by 1e-2 or more.
 */
const ATOL = 1e-5;
const RTOL = 1e-5;

const DATA = new URL('./data/', import.meta.url).pathname;
/**
 * Models exportKeras must refuse: Keras 2's hard_sigmoid (0.2x + 0.5) has no Keras 3 activation
 * (Keras 3's hard_sigmoid is relu6(x + 3) / 6), so writing it would change the model.
 */
const EXPORT_REFUSED: Record<string, string> = {
  tfk_activations: "layer 'act_hard_sigmoid' uses activation 'hard_sigmoid', which cannot be written for Keras 3",
};
interface Case {
  name: string;
  framework: string;
  file: string;
  inputs: number;
  outputs: number;
}
const cases = (JSON.parse(await readFile(join(DATA, 'cases.json'), 'utf8')) as { cases: Case[] }).cases;

async function npy(path: string): Promise<tf.Tensor> {
  const a = readNpy(new Uint8Array(await readFile(path)));
  return tf.tensor(Array.from(a.data as ArrayLike<number>), a.shape, a.dtype === 'int32' || a.dtype === 'int64' ? 'int32' : 'float32');
}

function predict(model: LayersModel, xs: tf.Tensor[]): tf.Tensor[] {
  const out = model.predict(xs.length === 1 ? xs[0] : xs);
  return Array.isArray(out) ? out : [out];
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'compat-models-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Both backends: each has kernels of its own that compat layers avoid (wasm's oneHot and
// conv3dTranspose compute wrong values).
describe.each(TEST_BACKENDS)('on %s', (backend) => {
  beforeAll(async () => {
    await switchBackend(backend);
  });
  it.each(cases)('$name ($framework) converts and predicts what Keras predicted', async (c) => {
    const { artifacts } = await convert(join(DATA, c.file));
    const model = await loadLayersModel(tf.io.fromMemory(artifacts));
    const xs = await Promise.all(Array.from({ length: c.inputs }, (_, k) => npy(join(DATA, c.name, `x${k}.npy`))));
    const before = tf.memory().numTensors;
    const ys = predict(model, xs);
    expect(ys).toHaveLength(c.outputs);
    for (const [k, y] of ys.entries()) {
      const want = await npy(join(DATA, c.name, `y${k}.npy`));
      expect(y.shape, `output ${k} shape`).toEqual(want.shape);
      const got = y.dataSync();
      const expected = want.dataSync();
      for (let i = 0; i < expected.length; i++) {
        expect(Math.abs(got[i] - expected[i]), `output ${k}[${i}]: ${got[i]} vs Keras ${expected[i]}`).toBeLessThanOrEqual(ATOL + RTOL * Math.abs(expected[i]));
      }
      want.dispose();
    }
    tf.dispose(ys);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(xs);
    model.dispose();
  });
});

describe.each(cases)('$name ($framework)', (c) => {
  beforeAll(async () => {
    await switchBackend('cpu');
  });

  it('exportKeras writes it back as Keras layers and operations that convert to the same model', async () => {
    const { artifacts } = await convert(join(DATA, c.file));
    const model = await loadLayersModel(tf.io.fromMemory(artifacts));
    const path = join(dir, `${c.name}.keras`);
    if (c.name in EXPORT_REFUSED) {
      const err = await exportKeras(model, path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Keras2TfjsError);
      expect((err as Keras2TfjsError).code).toBe(ErrorCode.UNSUPPORTED_SEMANTICS);
      expect((err as Keras2TfjsError).message).toContain(EXPORT_REFUSED[c.name]);
      model.dispose();
      return;
    }
    await exportKeras(model, path);
    const again = await loadLayersModel(tf.io.fromMemory((await convert(path)).artifacts));
    expect(again.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
    const xs = await Promise.all(Array.from({ length: c.inputs }, (_, k) => npy(join(DATA, c.name, `x${k}.npy`))));
    const [a, b] = [predict(model, xs), predict(again, xs)];
    a.forEach((y, k) => expect(Array.from(b[k].dataSync())).toEqual(Array.from(y.dataSync())));
    tf.dispose([...a, ...b, ...xs]);
    model.dispose();
    again.dispose();
  });
});
