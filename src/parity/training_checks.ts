/**
 * The training phase: the model's first calls with `training: true` against Keras' (each dropout
 * stream where Keras' started), and each seeded dropout layer's masks, bit for bit.
 *
 * A mask is checked on its own: a ManualDropout with the model layer's config, set to the state
 * Keras drew with, draws over the recorded noise shape. The outputs then show that the model's
 * layers use those streams in those places.
 */
import { dispose, ones, type Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ManualDropout } from '../layers/manual_dropout.js';
import { compareMask, compareValues, failed, guarded, type ParityCheck } from './checks.js';
import { findLayer, inputTensors, outputsInModelOrder } from './model_io.js';
import type { MaskEntry, ParityFixture } from './parity_fixture.js';

export async function trainingChecks(model: LayersModel, fixture: ParityFixture): Promise<ParityCheck[]> {
  const training = fixture.json.training;
  if (!training) return [];
  const checks: ParityCheck[] = [];
  for (const [k, call] of training.calls.entries()) {
    for (const mask of call.masks) checks.push(await maskCheck(model, fixture, `mask call ${k}: ${mask.layer}`, mask));
  }
  const outputNames = training.calls.flatMap((call, k) => call.outputs.map((o) => `training call ${k}: ${o.name}`));
  checks.push(...(await guarded(outputNames, () => outputChecks(model, fixture))));
  return checks;
}

async function outputChecks(model: LayersModel, fixture: ParityFixture): Promise<ParityCheck[]> {
  const training = fixture.json.training!;
  // Each stream starts where Keras' did in the first call (after loading: [seed, 0]).
  for (const mask of training.calls[0]?.masks ?? []) {
    const layer = findLayer(model, mask.layer);
    if (layer instanceof ManualDropout) layer.setCallCount(mask.state[1]);
  }
  const inputs = await inputTensors(model, fixture, 0, training.rows);
  const checks: ParityCheck[] = [];
  try {
    for (const [k, call] of training.calls.entries()) {
      const expected = outputsInModelOrder(model, call.outputs);
      const result = model.apply(inputs.length === 1 ? inputs[0] : inputs, { training: true }) as Tensor | Tensor[];
      const outputs = Array.isArray(result) ? result : [result];
      for (const [j, entry] of expected.entries()) {
        const want = await fixture.array(entry.file);
        checks.push(compareValues(`training call ${k}: ${entry.name}`, { shape: outputs[j].shape, data: outputs[j].dataSync() }, want, fixture.json.tolerances.training));
      }
      dispose(outputs);
    }
  } finally {
    dispose(inputs);
  }
  return checks;
}

async function maskCheck(model: LayersModel, fixture: ParityFixture, name: string, entry: MaskEntry): Promise<ParityCheck> {
  const layer = findLayer(model, entry.layer);
  if (!layer) return failed(name, `the model has no layer '${entry.layer}'`, 0);
  if (!(layer instanceof ManualDropout)) {
    return failed(
      name,
      `layer '${entry.layer}' is a tfjs ${layer.getClassName()}, which cannot draw Keras' masks; convert with --exact-dropout (exactDropout: true)`,
      0,
    );
  }
  if (layer.seed !== entry.state[0]) return failed(name, `layer '${entry.layer}' has seed ${layer.seed}, Keras' had ${entry.state[0]}`, 0);
  const twin = ManualDropout.fromConfig(ManualDropout, layer.getConfig()) as ManualDropout;
  twin.setCallCount(entry.state[1]);
  const input = ones(entry.shape);
  const drawn = twin.apply(input, { training: true }) as Tensor;
  const check = compareMask(name, { shape: drawn.shape, data: drawn.dataSync() }, await fixture.array(entry.file));
  dispose([input, drawn]);
  if (!check.pass && layer.rng !== fixture.json.backend) {
    check.detail += `: the layer draws the '${layer.rng}' stream, the fixture was made on ${fixture.json.backend}`;
  }
  return check;
}
