/**
 * The Keras → tfjs config rewrites, on real Keras-saved models: what the topology becomes, that
 * the converted model computes what Keras computed (so the rewrite kept the meaning), and that
 * what tfjs would compute differently is refused rather than changed. (Keras 1 and 2.2 files, which
 * no Keras here can write any more, are checked on the corpus: test/corpus/keras1_keras2.test.ts.)
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../../../src/convert/convert.js';
import { Keras2TfjsError } from '../../../src/errors.js';
import { switchBackend } from '../../helpers/backends.js';
import { fixturePath } from '../../helpers/fixtures.js';

const DATA = new URL('../data/', import.meta.url).pathname;
const expected = JSON.parse(readFileSync(`${DATA}expected.json`, 'utf8')) as {
  models: Record<string, { inputs: Array<{ shape: number[]; values: number[] }>; output: { shape: number[]; values: number[] } }>;
};

/** Small dense models: float32 summation order only (see formats.test.ts). */
const PARITY_ATOL = 1e-5;

type Layer = { class_name: string; name?: string; config: Record<string, unknown> };

function layersOf(topology: unknown): Layer[] {
  return ((topology as { config: { layers: Layer[] } }).config.layers);
}

async function expectKerasOutput(artifacts: tf.io.ModelArtifacts, file: string): Promise<void> {
  const model = await loadLayersModel(tf.io.fromMemory(artifacts));
  const want = expected.models[file];
  const x = tf.tensor(want.inputs[0].values, want.inputs[0].shape, 'float32');
  const y = model.predict(x) as tf.Tensor;
  const got = y.dataSync();
  want.output.values.forEach((v, i) => expect(Math.abs(got[i] - v), `${file}[${i}]`).toBeLessThanOrEqual(PARITY_ATOL));
  tf.dispose([x, y]);
  model.dispose();
}

beforeAll(() => switchBackend('cpu'));

describe('Keras 3 configs become tfjs configs with the same meaning', () => {
  it('seed model: batch_shape, DTypePolicy, L2 and module/registered_name/build_config are rewritten', async () => {
    const { model } = await convert(fixturePath('seed_lambda', 'model.keras'), { lambdas: { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } } });
    const [input, dense] = layersOf(model.modelTopology);
    expect(input).toEqual({ class_name: 'InputLayer', config: { batch_input_shape: [null, 10000], dtype: 'float32', name: 'input_layer' } });
    expect(dense.config.dtype).toBe('float32');
    expect(dense.config.kernel_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0, l2: 0.001 } });
    expect(dense.config.kernel_initializer).toEqual({ class_name: 'GlorotUniform', config: { seed: null } });
    const text = JSON.stringify(model.modelTopology);
    for (const key of ['"module"', '"registered_name"', '"build_config"', '"compile_config"', '"shared_object_id"', '"DTypePolicy"']) {
      expect(text).not.toContain(key);
    }
  });

  it('silu → swish, LecunNormal → LeCunNormal, L1 / "l2" → L1L2, untruncated_normal → normal, negative_slope → alpha; outputs unchanged', async () => {
    const { artifacts, model } = await convert(`${DATA}k3_values.keras`);
    const byName = Object.fromEntries(layersOf(model.modelTopology).map((l) => [l.name, l.config]));
    expect(byName.silu_dense.activation).toBe('swish');
    expect(byName.silu_dense.kernel_initializer).toEqual({ class_name: 'LeCunNormal', config: { seed: null } });
    expect(byName.silu_dense.kernel_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0.009999999776482582, l2: 0 } });
    expect(byName.vs_dense.kernel_initializer).toMatchObject({ class_name: 'VarianceScaling', config: { distribution: 'normal' } });
    expect(byName.leaky).toMatchObject({ alpha: 0.1 });
    expect(byName.leaky).not.toHaveProperty('negative_slope');
    expect(byName.relu6ish).toMatchObject({ max_value: 0.5 });
    expect(byName.gelu_dense.kernel_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0, l2: 0.01 } });
    await expectKerasOutput(artifacts, 'k3_values.keras');
  });

  it("gives Keras 3's hard_sigmoid (relu6(x + 3) / 6) keras2tfjs' activation, not tfjs' hardSigmoid (0.2x + 0.5)", async () => {
    const { model } = await convert(`${DATA}k3_hard_sigmoid.keras`);
    expect(layersOf(model.modelTopology).find((l) => l.config.name === 'hard')?.config.activation).toBe('keras3_hard_sigmoid');
  });

  it("keeps Keras 2's hard_sigmoid, which is tfjs' (same outputs)", async () => {
    const { artifacts, model } = await convert(`${DATA}tfk_hard_sigmoid.h5`);
    expect(layersOf(model.modelTopology).find((l) => l.config.name === 'hard')?.config.activation).toBe('hard_sigmoid');
    await expectKerasOutput(artifacts, 'tfk_hard_sigmoid.h5');
  });

  it("bilinear UpSampling2D resizes with Keras' half-pixel centers (tfjs' own would not)", async () => {
    const { artifacts, report } = await convert(`${DATA}k3_bilinear.keras`);
    expect(report.layers.find((l) => l.name === 'up')?.targetClass).toBe('BilinearUpSampling2D');
    await expectKerasOutput(artifacts, 'k3_bilinear.keras');
  });

  it('refuses int8-quantized Keras 3 layers', async () => {
    const err = (await convert(`${DATA}k3_int8.keras`).catch((e: unknown) => e)) as Keras2TfjsError;
    expect(err).toBeInstanceOf(Keras2TfjsError);
    expect(err.code).toBe('UNSUPPORTED_SEMANTICS');
    expect(err.message).toMatch(/^k3_int8\.keras: layer 'q_dense' /);
    expect(err.message).toContain('quantized');
  });
});
