/**
 * The last gate before writing: the normalized topology must be one tfjs builds exactly as
 * written, so that a conversion either stops here with a clear error or loads in tfjs. Found
 * necessary by the fuzz test: damaged configs used to convert "successfully" into models tfjs
 * refused (a layer name with a stray byte, `units` missing, an InputLayer without a shape),
 * and node indices such as 3.5 made tfjs' graph rebuild loop forever.
 *
 *   checkTopology     the graph, before weights are matched: names, inbound node references
 *                     (they must resolve the way tfjs rebuilds the graph, or tfjs never
 *                     finishes), inputs/outputs, input shapes, Keras' ranges tfjs does not check
 *   checkWeightNames  every weight `<layer>/<variable>` belongs to a layer and is a name tfjs
 *                     accepts
 *   checkTfjsBuild    tfjs itself builds the topology, with every initializer replaced by Zeros
 *                     (no random numbers drawn, and zeroed memory is allocated lazily: ~2 ms for
 *                     a 100 MB model on the cpu backend), then disposes it. A tfjs refusal
 *                     becomes BAD_CONFIG naming the layer whose config tfjs refuses; weights that
 *                     differ from the ones tfjs builds (name or shape: a config value read
 *                     differently, a layer's input size changed) become WEIGHT_MISMATCH.
 *
 * Every message ends with what to do about it.
 */
import { engine, ready } from '@tensorflow/tfjs-core';
import { models, type LayersModel } from '@tensorflow/tfjs-layers';
import { useBackend } from '../../backend.js';
import { ErrorCode } from '../../errors.js';
import { convertError, firstLine } from '../../errors.js';
import type { NamedWeight } from '../intermediate.js';
import { buildWithZeros } from './tfjs_build.js';

type Config = Record<string, unknown>;
/** A normalized model: `{class_name, config}` as tfjs deserializes it. */
type Topology = Config;

/** What to do about a config that breaks these rules: it was damaged or edited by hand. */
const FIX = 'the model config is damaged; load the model in Keras and save it again';

/**
 * What to do when tfjs itself refuses a layer's converted config. A file Keras wrote and loads
 * is not damaged: the setting is one keras2tfjs hands tfjs unchanged and tfjs does not take,
 * which is a gap in the converter, not in the file.
 */
const REFUSED_FIX = 'if Keras loads this file, the setting is one keras2tfjs does not yet translate for tfjs (report the layer and its config); if Keras does not, the file is damaged: save the model from Keras again';

/** tfjs' rule for tensor (weight) names (tfjs-layers common.ts). */
const TFJS_TENSOR_NAME = /^[A-Za-z0-9][-A-Za-z0-9._/]*$/;

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

/** Layers whose `rate` Keras requires in [0, 1) and tfjs silently clamps. */
const RATE_LAYERS = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D', 'GaussianDropout', 'AlphaDropout']);

function isObject(v: unknown): v is Config {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

// ---------------------------------------------------------------------------- structure

/** Checks the whole (possibly nested) topology; BAD_CONFIG naming the layer on the first problem. */
export function checkTopology(file: string, topology: Topology): void {
  const fail = (message: string, layer?: string): never => {
    throw convertError(ErrorCode.BAD_CONFIG, file, `${message}; ${FIX}`, layer);
  };
  checkModel(topology, String((topology.config as Config).name ?? 'model'), fail);
}

type Fail = (message: string, layer?: string) => never;

function checkModel(model: Config, modelName: string, fail: Fail): void {
  const cfg = model.config;
  if (!isObject(cfg) || !Array.isArray(cfg.layers)) return fail(`model '${modelName}' has no layer list`);
  if (cfg.layers.length === 0) return fail(`model '${modelName}' has no layers`);
  const names = new Set<string>();
  for (const [i, entry] of cfg.layers.entries()) {
    if (!isObject(entry) || typeof entry.class_name !== 'string' || !isObject(entry.config)) {
      return fail(`layer ${i} of model '${modelName}' is not a {class_name, config} object`);
    }
    const name = entry.config.name;
    if (typeof name !== 'string' || name === '') return fail(`layer ${i} of model '${modelName}' has no name`);
    if (model.class_name !== 'Sequential' && entry.name !== name) {
      return fail(`a layer of model '${modelName}' is listed as '${String(entry.name)}' but named '${name}' in its config`, name);
    }
    if (names.has(name)) return fail(`model '${modelName}' has two layers named '${name}'`, name);
    names.add(name);
    if (MODEL_CLASSES.has(entry.class_name)) checkModel(entry, name, fail);
    else checkLayerConfig(entry.class_name, entry.config, name, fail);
  }
  if (model.class_name === 'Sequential') checkSequentialInput(cfg.layers as Config[], modelName, fail);
  else checkGraph(cfg, cfg.layers as Config[], modelName, fail);
}

/** Input shapes, and the Keras ranges tfjs does not enforce itself. */
function checkLayerConfig(cls: string, c: Config, name: string, fail: Fail): void {
  for (const key of ['batch_input_shape', 'input_shape'] as const) {
    if (c[key] === undefined || c[key] === null) continue;
    const shape = c[key];
    if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => d === null || (Number.isInteger(d) && (d as number) > 0))) {
      fail(`layer '${name}' has the input shape ${JSON.stringify(shape)} (expected a list of positive integers or null)`, name);
    }
  }
  if (cls === 'InputLayer' && !Array.isArray(c.batch_input_shape) && !Array.isArray(c.input_shape)) {
    fail(`input layer '${name}' has no input shape`, name);
  }
  if (RATE_LAYERS.has(cls) && !(typeof c.rate === 'number' && c.rate >= 0 && c.rate < 1)) {
    fail(`layer '${name}' has the dropout rate ${JSON.stringify(c.rate)} (Keras requires a number in [0, 1))`, name);
  }
}

function checkSequentialInput(layers: Config[], modelName: string, fail: Fail): void {
  const first = layers[0];
  const c = first.config as Config;
  if (first.class_name === 'InputLayer' || MODEL_CLASSES.has(first.class_name as string)) return;
  if (!Array.isArray(c.batch_input_shape) && !Array.isArray(c.input_shape)) {
    fail(`Sequential model '${modelName}' has no input shape (its first layer '${String(c.name)}' has none)`, String(c.name));
  }
}

/**
 * Replays how tfjs rebuilds a Functional graph (Container.fromConfig): every layer exists from
 * the start with its own nodes (InputLayer and nested models: 1), and a call (inbound node)
 * can be made once every tensor it takes exists; tfjs repeats passes until all calls are made,
 * so a reference that never resolves (a missing layer, node 3.5, a cycle) would make it loop
 * forever. Here it is refused, naming the layer.
 */
function checkGraph(cfg: Config, layers: Config[], modelName: string, fail: Fail): void {
  type Ref = { layer: string; node: number; tensor: number };
  const nodeCount = new Map<string, number>();
  const pending = new Map<string, Ref[][]>();
  for (const entry of layers) {
    const name = (entry.config as Config).name as string;
    const cls = entry.class_name as string;
    nodeCount.set(name, cls === 'InputLayer' || MODEL_CLASSES.has(cls) ? 1 : 0);
    const inbound = entry.inbound_nodes ?? [];
    if (!Array.isArray(inbound)) return fail(`layer '${name}' has malformed inbound nodes`, name);
    const calls = inbound.map((node) => {
      if (!Array.isArray(node) || node.length === 0) return fail(`layer '${name}' has a call without inputs ${JSON.stringify(node)}`, name);
      return node.map((input): Ref => {
        if (!Array.isArray(input) || typeof input[0] !== 'string' || !isIndex(input[1]) || !isIndex(input[2]) || (input[3] !== undefined && !isObject(input[3]))) {
          return fail(`layer '${name}' has a malformed input reference ${JSON.stringify(input)} (expected [layer, node index, tensor index, kwargs])`, name);
        }
        return { layer: input[0], node: input[1], tensor: input[2] };
      });
    });
    if (calls.length > 0) pending.set(name, calls);
  }
  const made = (r: Ref): boolean => (nodeCount.get(r.layer) ?? 0) > r.node;
  for (let progress = true; pending.size > 0 && progress; ) {
    progress = false;
    for (const [name, calls] of [...pending]) {
      const left: Ref[][] = [];
      for (const call of calls) {
        if (call.every(made)) {
          nodeCount.set(name, (nodeCount.get(name) ?? 0) + 1);
          progress = true;
        } else {
          left.push(call);
        }
      }
      if (left.length > 0) pending.set(name, left);
      else pending.delete(name);
    }
  }
  for (const [name, calls] of pending) {
    const ref = calls[0].find((r) => !made(r)) as Ref;
    if (!nodeCount.has(ref.layer)) return fail(`layer '${name}' takes its input from '${ref.layer}', which is not a layer of model '${modelName}'`, name);
    return fail(`layer '${name}' takes its input from call ${ref.node} of layer '${ref.layer}', which is never made (a missing call or a cycle)`, name);
  }
  for (const key of ['input_layers', 'output_layers'] as const) {
    const refs = cfg[key];
    if (!Array.isArray(refs) || refs.length === 0) return fail(`model '${modelName}' has no ${key}`);
    for (const r of refs) {
      if (!Array.isArray(r) || typeof r[0] !== 'string' || !isIndex(r[1]) || !isIndex(r[2])) {
        return fail(`model '${modelName}' has a malformed entry ${JSON.stringify(r)} in ${key} (expected [layer, node index, tensor index])`);
      }
      const count = nodeCount.get(r[0]);
      if (count === undefined) return fail(`model '${modelName}' lists '${r[0]}' in ${key}, but has no such layer`);
      if (r[1] >= count) return fail(`model '${modelName}' lists call ${r[1]} of layer '${r[0]}' in ${key}, which is never made`, r[0]);
    }
  }
}

// ------------------------------------------------------------------------------- weights

/** Each weight belongs to a layer of the topology and has a name tfjs accepts. */
export function checkWeightNames(file: string, topology: Topology, weights: NamedWeight[]): void {
  const layers = new Set<string>();
  collectLayerNames(topology, layers);
  for (const w of weights) {
    const layer = w.name.slice(0, w.name.lastIndexOf('/'));
    const owner = [...layers].find((l) => layer === l || layer.startsWith(`${l}/`));
    if (owner === undefined) {
      throw convertError(ErrorCode.WEIGHT_MISMATCH, file, `weight '${w.name}' belongs to no layer of the model; ${FIX}`, layer);
    }
    if (!TFJS_TENSOR_NAME.test(w.name)) {
      throw convertError(
        ErrorCode.BAD_CONFIG, file,
        `layer '${owner}' has a name tfjs cannot give its weights ('${w.name}': only letters, digits, '-', '.', '_' and '/', starting with a letter or digit); rename the layer in Keras and save the model again`,
        owner,
      );
    }
  }
}

function collectLayerNames(model: Config, out: Set<string>): void {
  const cfg = model.config;
  for (const entry of isObject(cfg) && Array.isArray(cfg.layers) ? cfg.layers : []) {
    if (!isObject(entry) || !isObject(entry.config)) continue;
    if (typeof entry.config.name === 'string') out.add(entry.config.name);
    if (MODEL_CLASSES.has(String(entry.class_name))) collectLayerNames(entry, out);
  }
}

// ---------------------------------------------------------------------------------- tfjs

/** What a tfjs model built here offers: its weights (as loading matches them) and disposal. */
interface BuiltModel {
  weights: Array<{ originalName: string; shape: number[] }>;
  dispose(): unknown;
}

/**
 * Builds the topology in tfjs as tfjs' loader does (tfjs_build.ts: variables at zero, no
 * weights read), checks that it has exactly the converted weights (names and shapes, as tfjs'
 * loader matches them), and disposes it, or with `keep` returns it (loadKerasModel fills it).
 * BAD_CONFIG if tfjs refuses the topology, WEIGHT_MISMATCH if its weights differ. Runs on the
 * app's tfjs backend; if none is registered, starts `startBackend` (cpu if wasm fails).
 */
export async function checkTfjsBuild(file: string, topology: Topology, weights: NamedWeight[], startBackend?: StartBackend): Promise<void>;
export async function checkTfjsBuild(file: string, topology: Topology, weights: NamedWeight[], startBackend: StartBackend, keep: true): Promise<LayersModel>;
export async function checkTfjsBuild(file: string, topology: Topology, weights: NamedWeight[], startBackend: StartBackend = 'cpu', keep = false): Promise<LayersModel | void> {
  await ensureBackend(startBackend);
  let model: LayersModel;
  try {
    model = buildWithZeros(topology);
  } catch (e) {
    const culprit = await refusedLayer(topology);
    if (culprit) {
      throw convertError(ErrorCode.BAD_CONFIG, file, `layer '${culprit.name}' (${culprit.cls}): tfjs refuses its converted config (${culprit.message}); ${REFUSED_FIX}`, culprit.name);
    }
    throw convertError(ErrorCode.BAD_CONFIG, file, `tfjs cannot build the converted model (${firstLine(e)}); ${FIX}`);
  }
  try {
    compareWeights(file, topology, model.weights as BuiltModel['weights'], weights);
  } catch (e) {
    model.dispose();
    throw e;
  }
  if (keep) return model;
  model.dispose();
}

/** The weights tfjs built vs the converted ones: the first difference, naming its layer. */
function compareWeights(file: string, topology: Topology, built: BuiltModel['weights'], converted: NamedWeight[]): void {
  const layers = new Set<string>();
  collectLayerNames(topology, layers);
  const ownerOf = (weight: string): string => {
    const layer = weight.slice(0, weight.lastIndexOf('/'));
    return [...layers].find((l) => layer === l || layer.startsWith(`${l}/`)) ?? layer;
  };
  const mismatch = (weight: string, message: string): never => {
    const layer = ownerOf(weight);
    throw convertError(ErrorCode.WEIGHT_MISMATCH, file, `layer '${layer}': ${message}; ${FIX}`, layer);
  };
  const shape = (s: number[]): string => JSON.stringify(s);
  const byName = new Map(converted.map((w) => [w.name, w]));
  for (const w of built) {
    const mine = byName.get(w.originalName);
    if (!mine) return mismatch(w.originalName, `tfjs builds the weight '${w.originalName}' ${shape(w.shape)} from the layer's config, but the file has no such weight`);
    if (shape(mine.shape) !== shape(w.shape)) {
      return mismatch(w.originalName, `weight '${w.originalName}' has shape ${shape(mine.shape)} in the file, but the model's graph gives it ${shape(w.shape)} in tfjs`);
    }
    byName.delete(w.originalName);
  }
  for (const w of byName.values()) {
    mismatch(w.name, `the file has the weight '${w.name}' ${shape(w.shape)}, which tfjs does not build from the layer's config`);
  }
}

/** tfjs' deserialization of a `{class_name, config}` (snake_case, as in model.json). */
async function deserialize(json: Config): Promise<{ dispose(): unknown }> {
  return models.modelFromJSON({ modelTopology: json } as unknown as Parameters<typeof models.modelFromJSON>[0]);
}

/** Which backend a conversion starts when the app has registered none. */
export type StartBackend = 'cpu' | 'wasm';

/**
 * The backend a conversion started itself (shared by conversions running at once), or null
 * while the app's own choice stands. A check only needs cpu; when a conversion that runs the
 * model (loadKerasModel) comes after one that started cpu, it moves on to wasm, as it would
 * have started first. A backend the app registered or chose before any conversion is never changed.
 */
let started: { name: StartBackend; ready: Promise<void> } | null = null;

async function ensureBackend(preferred: StartBackend): Promise<void> {
  const appChose = started === null && engine().backendNames().length > 0;
  if (!appChose) {
    const upgrade = started?.name === 'cpu' && preferred === 'wasm' && engine().backendName === 'cpu';
    if (started === null || upgrade) {
      const previous = started?.ready ?? Promise.resolve();
      started = { name: preferred, ready: previous.then(() => useBackend(preferred)).catch(() => useBackend('cpu')) };
    }
    await started.ready;
  }
  await ready();
}

/**
 * The first layer whose config tfjs refuses on its own (its constructor checks `units`,
 * `filters`, `kernel_size`, activation names, ...): tfjs' own message names no layer.
 */
async function refusedLayer(model: Config): Promise<{ name: string; cls: string; message: string } | null> {
  const cfg = model.config;
  for (const entry of isObject(cfg) && Array.isArray(cfg.layers) ? (cfg.layers as Config[]) : []) {
    const cls = String(entry.class_name);
    if (MODEL_CLASSES.has(cls)) {
      const inner = await refusedLayer(entry);
      if (inner) return inner;
      continue;
    }
    try {
      // modelFromJSON deserializes any registered class: for a layer it constructs the layer
      // (unbuilt: no weights, no tensors), with tfjs' own snake_case → camelCase conversion.
      await deserialize({ class_name: cls, config: entry.config });
    } catch (e) {
      return { name: String((entry.config as Config).name), cls, message: firstLine(e) };
    }
  }
  return null;
}
