/**
 * Between a parity fixture's arrays and a tfjs model: input tensors in the model's input order,
 * outputs matched to Keras' by name (by position when the names differ), layers and weights
 * found by the names Keras gave them.
 */
import { tensor, type Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { NpyArray } from '../formats/numpy/npy.js';
import type { ArrayEntry, ParityFixture, WeightEntry } from './parity_fixture.js';

type Layer = LayersModel['layers'][number];
type LayerVariable = Layer['weights'][number];

/** Why the model and the fixture cannot be compared this way (becomes a failed check). */
export class Mismatch extends Error {}

/** The fixture's inputs as tensors in `model.inputs` order, rows [start, stop). Caller disposes. */
export async function inputTensors(model: LayersModel, fixture: ParityFixture, start: number, stop: number): Promise<Tensor[]> {
  const entries = byModelOrder(model.inputNames, fixture.json.model.inputs, 'input');
  const out: Tensor[] = [];
  for (const entry of entries) out.push(rowsOf(await fixture.array(entry.file), start, stop));
  return out;
}

/** The targets of the resumed training in `model.outputs` order, rows [start, stop). Caller disposes. */
export async function targetTensors(model: LayersModel, fixture: ParityFixture, targets: ArrayEntry[], start: number, stop: number): Promise<Tensor[]> {
  const out: Tensor[] = [];
  for (const entry of byModelOrder(model.outputNames, targets, 'output')) out.push(rowsOf(await fixture.array(entry.file), start, stop));
  return out;
}

/** Keras' recorded outputs (`entries`) reordered as `model.outputs`; by name, else by position. */
export function outputsInModelOrder(model: LayersModel, entries: ArrayEntry[]): ArrayEntry[] {
  return byModelOrder(model.outputNames, entries, 'output');
}

function byModelOrder<T extends { name: string }>(names: string[], entries: T[], kind: string): T[] {
  if (names.length !== entries.length) {
    throw new Mismatch(`the model has ${names.length} ${kind}(s) [${names.join(', ')}], Keras' had ${entries.length} [${entries.map((e) => e.name).join(', ')}]`);
  }
  const byName = new Map(entries.map((e) => [e.name, e]));
  const matched = names.map((n) => byName.get(n));
  return matched.every((e) => e !== undefined) ? (matched as T[]) : entries;
}

function rowsOf(array: NpyArray, start: number, stop: number): Tensor {
  const width = array.shape.slice(1).reduce((p, d) => p * d, 1);
  const dtype = array.dtype === 'int32' || array.dtype === 'int64' || array.dtype === 'uint8' || array.dtype === 'bool' ? 'int32' : 'float32';
  const data = array.data.subarray(start * width, stop * width);
  return tensor(dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data), [stop - start, ...array.shape.slice(1)], dtype);
}

/** The layer named `name` anywhere in the model (nested models included), or null. */
export function findLayer(model: LayersModel, name: string): Layer | null {
  for (const layer of model.layers) {
    if (layer.name === name) return layer;
    const nested = (layer as unknown as { layers?: Layer[] }).layers;
    if (nested) {
      const found = findLayer(layer as unknown as LayersModel, name);
      if (found) return found;
    }
  }
  return null;
}

/** The tfjs variable Keras recorded as `entry`: by layer and name, else by its path. */
export function findWeight(model: LayersModel, entry: WeightEntry): LayerVariable | null {
  const short = (w: LayerVariable) => (w.originalName ?? w.name).split('/').pop();
  const layer = findLayer(model, entry.layer);
  const own = layer?.weights.find((w) => short(w) === entry.name);
  if (own) return own;
  return model.weights.find((w) => {
    const name = w.originalName ?? w.name;
    return name === entry.path || name.endsWith(`/${entry.path}`);
  }) ?? null;
}
