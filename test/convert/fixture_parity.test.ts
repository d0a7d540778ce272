/**
 * Every Python-exported fixture model (fixtures/, real Keras 3 on TensorFlow and JAX, and
 * tf_keras), in every format it was saved in, converts, loads in tfjs and reproduces Python:
 *
 * - inference: `model(x, training=False)` = y_infer.npy, with the dropout Lambda mapped to
 *   ManualDropout (`--lambda dropout=ManualDropout:{"rate":0.5}`), which steps aside at test time;
 * - training phase, where the masks are replayable: the Python twin ManualDropout and (with
 *   `exactDropout`) Keras' own seeded Dropout draw the same masks in tfjs once the layer's stream
 *   is set to the step Python was at (case.json), so y_train.npy matches too.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { convert, type ConvertOptions } from '../../src/convert/convert.js';
import { ManualDropout } from '../../src/layers/manual_dropout.js';
import { switchBackend } from '../helpers/backends.js';
import { fixtureCase, fixturePath, loadFixture } from '../helpers/fixtures.js';

/**
 * Python and tfjs compute the same float32 Dense layers with a different summation order
 * (TensorFlow's Eigen matmul vs tfjs' cpu/wasm kernels over up to 10,000 inputs), so outputs
 * differ by float32 rounding: measured at most 1.8e-7, 1.5 ulp of the sigmoid outputs near 1.
 * 1e-6 (8 ulps) bounds that; a wrong weight, mask or mapping moves outputs by more than 1e-2.
 */
const PARITY_ATOL = 1e-6;

const DROPOUT_LAMBDA: ConvertOptions = { lambdas: { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } } };

interface Case {
  name: string;
  formats: string[];
  options: ConvertOptions;
  /** Training-phase outputs replayable in tfjs: files and the stream step of each ManualDropout. */
  training?: Array<{ file: string; steps: Record<string, number> }>;
}

const builtin = fixtureCase<{ dropouts: Record<string, { state_before_training_call: [number, number] }> }>('builtin_dropout');
const manualTf = fixtureCase<{ seed_state_after_fit: [number, number]; layer_config: { name: string } }>('manual_dropout_tf');
const manualJax = fixtureCase<{ seed_state_after_fit: [number, number]; layer_config: { name: string } }>('manual_dropout_jax');

const CASES: Case[] = [
  { name: 'seed_lambda', formats: ['model.keras', 'model.h5'], options: DROPOUT_LAMBDA },
  { name: 'seed_lambda_tfkeras', formats: ['model.h5', 'saved_model'], options: DROPOUT_LAMBDA },
  {
    name: 'manual_dropout_tf',
    formats: ['model.keras', 'model.h5'],
    options: {},
    training: [
      { file: 'y_train.npy', steps: { [manualTf.layer_config.name]: manualTf.seed_state_after_fit[1] } },
      { file: 'y_train_1.npy', steps: { [manualTf.layer_config.name]: manualTf.seed_state_after_fit[1] + 1 } },
    ],
  },
  {
    name: 'manual_dropout_jax',
    formats: ['model.keras'],
    options: {},
    training: [
      { file: 'y_train.npy', steps: { [manualJax.layer_config.name]: manualJax.seed_state_after_fit[1] } },
      { file: 'y_train_1.npy', steps: { [manualJax.layer_config.name]: manualJax.seed_state_after_fit[1] + 1 } },
    ],
  },
  {
    name: 'builtin_dropout',
    formats: ['model.keras', 'model.h5'],
    options: { exactDropout: true, rng: 'tensorflow' },
    training: [
      {
        file: 'y_train.npy',
        steps: Object.fromEntries(Object.entries(builtin.dropouts).map(([name, d]) => [name, d.state_before_training_call[1]])),
      },
    ],
  },
];

function asTensor(a: { shape: number[]; data: ArrayLike<number> }): tf.Tensor {
  return tf.tensor(Float32Array.from(a.data as ArrayLike<number>), a.shape, 'float32');
}

function expectClose(actual: tf.Tensor, expected: { shape: number[]; data: ArrayLike<number> }, what: string): number {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  expect(actual.dtype, `${what}: dtype`).toBe('float32');
  const got = actual.dataSync();
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - Number(expected.data[i])));
  expect(worst, `${what}: max |tfjs - Keras|`).toBeLessThanOrEqual(PARITY_ATOL);
  return worst;
}

const measured: string[] = [];

describe.each(['cpu', 'wasm'] as const)('fixture models on %s', (backend) => {
  beforeAll(() => switchBackend(backend));

  for (const c of CASES) {
    for (const format of c.formats) {
      it(`${c.name}/${format} converts, loads and matches Python`, async () => {
        const { artifacts, report } = await convert(fixturePath(c.name, format), c.options);
        const model: LayersModel = await loadLayersModel(tf.io.fromMemory(artifacts));
        const x = asTensor(loadFixture(c.name, 'x.npy', { as: 'float32' }));
        const before = tf.memory().numTensors;
        try {
          const yInfer = model.predict(x) as tf.Tensor;
          const worst = expectClose(yInfer, loadFixture(c.name, 'y_infer.npy'), `${c.name}/${format} y_infer`);
          yInfer.dispose();
          measured.push(`${backend} ${c.name}/${format} y_infer max |Δ| ${worst.toExponential(2)}`);

          const dropouts = model.layers.filter((l): l is ManualDropout => l instanceof ManualDropout);
          expect(dropouts.length, 'the dropout became ManualDropout').toBeGreaterThan(0);
          for (const t of c.training ?? []) {
            for (const d of dropouts) {
              expect(t.steps[d.name], `step for ${d.name}`).toBeDefined();
              d.setCallCount(t.steps[d.name]);
            }
            const yTrain = model.apply(x, { training: true }) as tf.Tensor;
            const w = expectClose(yTrain, loadFixture(c.name, t.file), `${c.name}/${format} ${t.file}`);
            yTrain.dispose();
            measured.push(`${backend} ${c.name}/${format} ${t.file} max |Δ| ${w.toExponential(2)}`);
          }
          expect(tf.memory().numTensors).toBe(before);
          expect(report.mappings.map((m) => m.targetClass)).toEqual(dropouts.map(() => 'ManualDropout'));
        } finally {
          x.dispose();
          model.dispose();
        }
      });
    }
  }
});

describe('fixture parity summary', () => {
  it('measured every case', () => {
    console.log(['fixture parity (tolerance ' + PARITY_ATOL + '):', ...measured].join('\n'));
    expect(measured.length).toBeGreaterThan(0);
  });
});
