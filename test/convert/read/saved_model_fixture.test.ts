/**
 * The seed model (Dense, Dense, Lambda(dropout), Dense) saved by tf_keras 2.21 both as a
 * SavedModel and as a legacy .h5 (fixtures/seed_lambda_tfkeras). readSavedModel must give:
 * the file's config, the Lambda untouched, and weights equal bit for bit to the ones Python
 * wrote into model.h5 (read here with h5wasm directly, not through our converter); and those
 * weights, run forward, must reproduce Python's inference outputs.
 */
import h5wasm from 'h5wasm';
import { describe, expect, it } from 'vitest';
import { readSavedModel } from '../../../src/convert/read/saved_model.js';
import type { SourceWeight } from '../../../src/convert/intermediate.js';
import { fixtureCase, fixturePath, loadFixture, readFixtureBytes } from '../../helpers/fixtures.js';
import { asWeightData } from '../../helpers/stored_arrays.js';

const CASE = 'seed_lambda_tfkeras';
/**
 * Python ran the model in float32 (1,000-term sums in TensorFlow's order); we recompute in
 * float64. Outputs are sigmoids in (0, 1): float32 rounding over the sums stays far below 1e-5.
 */
const FLOAT32_FORWARD_TOLERANCE = 1e-5;

/** The weights Python wrote to model.h5: model_weights/<layer>/<layer>/<var>:0. */
async function h5Weights(): Promise<Map<string, Float32Array>> {
  const { FS } = await h5wasm.ready;
  const path = '/seed_lambda_tfkeras_model.h5';
  FS!.writeFile(path, readFixtureBytes(CASE, 'model.h5'));
  const file = new h5wasm.File(path, 'r');
  try {
    const out = new Map<string, Float32Array>();
    for (const layer of ['dense', 'dense_1', 'dense_2']) {
      for (const v of ['kernel', 'bias']) {
        const ds = file.get(`model_weights/${layer}/${layer}/${v}:0`) as InstanceType<typeof h5wasm.Dataset>;
        out.set(`${layer}/${v}`, ds.value as Float32Array);
      }
    }
    return out;
  } finally {
    file.close();
    FS!.unlink(path);
  }
}

/** x·W + b for one row, in float64. */
async function dense(x: ArrayLike<number>, w: SourceWeight, b: SourceWeight, activation: (v: number) => number): Promise<Float64Array> {
  const [inDim, units] = w.shape;
  const [kernel, bias] = [asWeightData(await w.read()), asWeightData(await b.read())];
  const out = new Float64Array(units);
  for (let j = 0; j < units; j++) {
    let s = bias[j];
    for (let i = 0; i < inDim; i++) s += x[i] * kernel[i * units + j];
    out[j] = activation(s);
  }
  return out;
}

describe('the tf_keras seed SavedModel', () => {
  it('reads config, Lambda and versions as the file records them', async () => {
    const source = await readSavedModel(fixturePath(CASE, 'saved_model'));
    const versions = fixtureCase<{ versions: Record<string, string> }>(CASE).versions;
    expect(source.kerasVersion).toBe(versions.tf_keras);
    expect(source.backend).toBe('tensorflow');
    const layers = (source.modelConfig.config as { layers: Array<{ class_name: string; config: Record<string, unknown> }> }).layers;
    expect(source.modelConfig.class_name).toBe('Sequential');
    expect(layers.map((l) => l.class_name)).toEqual(['InputLayer', 'Dense', 'Dense', 'Lambda', 'Dense']);
    expect(layers[0].config.batch_input_shape).toEqual([null, 1000]);
    const lambda = layers[3].config;
    expect(lambda.name).toBe('lambda');
    expect(lambda.function_type).toBe('lambda'); // tf.keras 2 marshals any Python function
    expect(source.trainingConfig).toMatchObject({ loss: 'binary_crossentropy' });
  });

  it('has exactly the weights Python saved in model.h5, bit for bit', async () => {
    const source = await readSavedModel(fixturePath(CASE, 'saved_model'));
    const saved = await h5Weights();
    expect([...source.layerWeights.keys()]).toEqual(['dense', 'dense_1', 'dense_2']);
    for (const [layer, weights] of source.layerWeights) {
      expect(weights.map((w) => w.storedName)).toEqual(['kernel', 'bias']);
      for (const w of weights) {
        const want = saved.get(`${layer}/${w.storedName}`)!;
        expect(w.dtype).toBe('float32');
        expect(await w.read()).toEqual(want);
      }
    }
    expect(source.layerWeights.get('dense')![0].shape).toEqual([1000, 16]);
  });

  it("reproduces Python's inference outputs", async () => {
    const source = await readSavedModel(fixturePath(CASE, 'saved_model'));
    const x = loadFixture(CASE, 'x.npy', { as: 'float32' });
    const y = loadFixture(CASE, 'y_infer.npy');
    const [d0, d1, d2] = ['dense', 'dense_1', 'dense_2'].map((l) => source.layerWeights.get(l)!);
    const relu = (v: number) => Math.max(0, v);
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    const [rows, cols] = x.shape;
    let worst = 0;
    for (let r = 0; r < rows; r++) {
      const row = x.data.subarray(r * cols, (r + 1) * cols);
      // Lambda(dropout) is the identity at inference.
      const out = await dense(await dense(await dense(row, d0[0], d0[1], relu), d1[0], d1[1], relu), d2[0], d2[1], sigmoid);
      worst = Math.max(worst, Math.abs(out[0] - y.data[r]));
    }
    console.log(`seed SavedModel forward pass vs Python: max |Δ| = ${worst.toExponential(2)} over ${rows} rows`);
    expect(worst).toBeLessThan(FLOAT32_FORWARD_TOLERANCE);
  });
});
