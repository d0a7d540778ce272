/**
 * Keras' default Bidirectional(GRU) — reset_after=True in Keras 3 and tf_keras — converts, loads
 * in tfjs (whose Bidirectional builds the backward copy from the forward layer's config: the
 * reason keras2tfjs' ResetAfterGRU exists) and predicts what Keras predicted; exportKeras writes
 * it back as a Keras GRU that converts again to the same predictions.
 * Fixtures and expected outputs: test/convert/make_bigru_models.py (real Keras and tf_keras).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../../src/convert/convert.js';
import { exportKeras } from '../../src/index.js';
import { switchBackend, TEST_BACKENDS } from '../helpers/backends.js';
import { layersOf, readKerasArchive } from './write/keras/keras_archive_reader.js';

/**
 * Keras (TensorFlow's Eigen/oneDNN kernels) and tfjs (cpu/wasm) run the same float32 GRU steps
 * but sum the matmuls in different orders; over 5 steps and two stacked bidirectional layers the
 * outputs (|y| ≲ 3) may differ by a few ulps each step (measured at most 1.8e-7, cpu and wasm).
 * 1e-5 absolute is far above that rounding and far below any conversion error (a swapped gate,
 * bias row or direction moves outputs by 1e-2 or more).
 */
const PARITY_ATOL = 1e-5;

interface Recorded { shape: number[]; values: number[] }
interface Expected { input: Recorded; models: Record<string, Recorded[]> }

const DATA = join(import.meta.dirname, 'data');
const expected = JSON.parse(readFileSync(join(DATA, 'bigru_expected.json'), 'utf8')) as Expected;
const FILES = ['k3_bigru.keras', 'tfk_bigru.h5'];

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bigru-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Predicts on the recorded input; returns the largest |Δ| vs Keras over all outputs. */
function maxDelta(model: LayersModel, file: string): number {
  const want = expected.models[file];
  const x = tf.tensor(expected.input.values, expected.input.shape);
  // Warm-up: tfjs layers create some tensors on their first call only.
  tf.dispose(model.predict(x));
  const before = tf.memory().numTensors;
  const out = model.predict(x);
  const outs = Array.isArray(out) ? out : [out];
  let worst = 0;
  try {
    expect(outs).toHaveLength(want.length);
    for (const [k, y] of outs.entries()) {
      expect(y.shape, `${file} output ${k} shape`).toEqual(want[k].shape);
      const got = y.dataSync();
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[k].values[i]));
    }
  } finally {
    tf.dispose(outs);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  }
  return worst;
}

describe.each(TEST_BACKENDS)('Bidirectional(GRU reset_after=True) on %s', (backend) => {
  beforeAll(async () => {
    await switchBackend(backend);
  });

  it.each(FILES)('%s converts, loads and predicts like Keras', async (file) => {
    const { artifacts } = await convert(join(DATA, file));
    const model = await loadLayersModel(tf.io.fromMemory(artifacts));
    try {
      const bi = model.getLayer('seq') as unknown as { forwardLayer: { getClassName(): string; goBackwards: boolean }; backwardLayer: { goBackwards: boolean } };
      expect(bi.forwardLayer.getClassName()).toBe('ResetAfterGRU');
      expect([bi.forwardLayer.goBackwards, bi.backwardLayer.goBackwards]).toEqual([false, true]);
      expect(maxDelta(model, file)).toBeLessThanOrEqual(PARITY_ATOL);
    } finally {
      model.dispose();
    }
  });

  it.each(FILES)('%s exported by exportKeras is a Keras GRU(reset_after=True) that converts to the same predictions', async (file) => {
    const { artifacts } = await convert(join(DATA, file));
    const model = await loadLayersModel(tf.io.fromMemory(artifacts));
    const path = join(dir, `${backend}_${file.replace(/\.\w+$/, '')}.keras`);
    try {
      await exportKeras(model, path, { onWarning: () => undefined });
    } finally {
      model.dispose();
    }
    const archive = await readKerasArchive(path);
    const seq = layersOf(archive.config).find((l) => l.config.name === 'seq');
    expect(seq?.config.layer).toMatchObject({ class_name: 'GRU', config: { reset_after: true, units: 4, return_sequences: true } });
    const again = await loadLayersModel(tf.io.fromMemory((await convert(path)).artifacts));
    try {
      expect(maxDelta(again, file)).toBeLessThanOrEqual(PARITY_ATOL);
    } finally {
      again.dispose();
    }
  });
});

describe('a model.json converted before ResetAfterGRU existed', () => {
  beforeAll(async () => {
    await switchBackend('cpu');
  });

  it("still loads: tfjs' generic RNN around ResetAfterGRUCell predicts what ResetAfterGRU predicts", async () => {
    // zoo_k3.keras (real Keras 3) has a plain reset_after GRU named 'gru'; earlier keras2tfjs
    // versions wrote it as class 'RNN' with the same config and weights.
    const { artifacts } = await convert(join(DATA, 'zoo_k3.keras'));
    const legacyTopology = JSON.parse(JSON.stringify(artifacts.modelTopology)) as { config: { layers: Array<{ class_name: string; config: { name: string } }> } };
    const gru = legacyTopology.config.layers.find((l) => l.config.name === 'gru');
    expect(gru?.class_name).toBe('ResetAfterGRU');
    if (gru) gru.class_name = 'RNN';
    const current = await loadLayersModel(tf.io.fromMemory(artifacts));
    const legacy = await loadLayersModel(tf.io.fromMemory({ ...artifacts, modelTopology: legacyTopology }));
    try {
      expect(legacy.getLayer('gru').getClassName()).toBe('RNN');
      const inputs = current.inputs.map((i, k) => tf.tidy(() => tf.add(tf.ones(i.shape.map((d) => d ?? 2), i.dtype), k)));
      const [a, b] = [current, legacy].map((m) => m.predict(inputs) as tf.Tensor);
      expect(b.arraySync()).toEqual(a.arraySync());
      tf.dispose([a, b, ...inputs]);
    } finally {
      current.dispose();
      legacy.dispose();
    }
  });
});
