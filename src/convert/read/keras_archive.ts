/**
 * Reader for Keras 3 `.keras` archives (zip) and their unzipped directory form, also written by
 * tf.keras 2.13–2.15: `config.json` (the model), `metadata.json` (keras_version),
 * `model.weights.h5` (the variables). Also reads Keras 3 weights-only `.weights.h5` files.
 *
 * model.weights.h5 is laid out by saving_lib's walk, not by layer names: a model's layers live
 * in `layers/<snake_case class name>[_<n>]` (a counter per class, in `model.layers` order; a
 * Sequential's first InputLayer is not in `model.layers`), each with `vars/0..` holding its own
 * variables, sub-objects under their attribute name (`cell`, `forward_layer`, `layer`), nested
 * models recursively (`layers/functional/layers/dense/vars/0`). Since Keras 3.6 every `vars`
 * group also records the owner's name, which we check. Older variants handled: tf.keras
 * 2.13–2.15 `_layer_checkpoint_dependencies` instead of `layers`, and Windows saves whose
 * group names contain backslashes (`layers\dense`) instead of nesting.
 */
import { ErrorCode } from '../../errors.js';
import { convertError } from '../../errors.js';
import type { ByteSource } from '../../io/byte_source.js';
import { checkJsonShape, jsonProblem, parseBoundedJson } from '../../formats/bounded_json.js';
import type { DecodeBudget } from '../../formats/decode_budget.js';
import { openHdf5, type Hdf5File } from '../../formats/hdf5/open_hdf5.js';
import type { SourceModel, SourceOptimizerWeights, SourceWeight } from '../intermediate.js';
import { stripPackage } from '../normalize/layer_map.js';

type Config = Record<string, unknown>;

/** The archive member that holds the variables. */
export const KERAS_WEIGHTS_MEMBER = 'model.weights.h5';

/** config.json and metadata.json are read whole: no genuine one comes near this. */
export const MAX_JSON_MEMBER_BYTES = 256 * 1024 * 1024;

/** How to read the archive's members: from a zip or from a directory. */
export interface ArchiveSource {
  format: 'keras-zip' | 'keras-dir';
  /** Charged with everything decoded from the archive. */
  budget: DecodeBudget;
  /** A small member's whole bytes (at most `maxBytes`, else RESOURCE_LIMIT), or null if absent. */
  read(member: string, maxBytes: number): Promise<Uint8Array | null>;
  /** True if the member exists. */
  has(member: string): Promise<boolean>;
  /**
   * A member to read by ranges (the weights), or null if absent; its `verify` completes its
   * integrity check once it has been read.
   */
  open(member: string): Promise<(ByteSource & { verify(): Promise<void> }) | null>;
  /** Releases what the archive holds open. */
  close(): Promise<void>;
}

/** Reads config, metadata and the weights' layout; the weights' values are read when asked. */
export async function readKerasArchive(file: string, src: ArchiveSource, options: { optimizerState?: boolean } = {}): Promise<SourceModel> {
  try {
    const configBytes = await src.read('config.json', MAX_JSON_MEMBER_BYTES);
    if (!configBytes) throw convertError(ErrorCode.BAD_ARCHIVE, file, "no 'config.json': not a Keras model archive");
    const modelConfig = parseJson(file, 'config.json', configBytes);
    if (!isObject(modelConfig)) throw convertError(ErrorCode.BAD_CONFIG, file, "'config.json' is not a JSON object");
    const metadataBytes = await src.read('metadata.json', MAX_JSON_MEMBER_BYTES);
    const metadata = metadataBytes ? parseJson(file, 'metadata.json', metadataBytes) : null;
    const kerasVersion = isObject(metadata) && typeof metadata.keras_version === 'string' ? metadata.keras_version : null;

    const weights = await src.open(KERAS_WEIGHTS_MEMBER);
    if (!weights) {
      if (await src.has('model.weights.npz')) {
        throw convertError(ErrorCode.BAD_ARCHIVE, file, "the weights are stored as 'model.weights.npz'; save the model with the default weights format (h5) and convert that");
      }
      throw convertError(ErrorCode.BAD_ARCHIVE, file, "no 'model.weights.h5' in the archive; it is incomplete");
    }
    const h5 = await openHdf5(weights, file, src.budget);
    let layerWeights: Map<string, SourceWeight[]>;
    let optimizerWeights: SourceOptimizerWeights | null;
    try {
      layerWeights = readKeras3Weights(h5, modelConfig);
      optimizerWeights = options.optimizerState ? readKeras3OptimizerVars(h5) : null;
    } catch (e) {
      h5.close();
      throw e;
    }
    const compile = modelConfig.compile_config;
    const close = async () => {
      h5.close();
      await src.close();
    };
    return {
      file,
      format: src.format,
      kerasVersion,
      backend: null, // .keras archives do not record the backend
      modelConfig,
      trainingConfig: isObject(compile) && Object.keys(compile).length > 0 ? compile : null,
      layerWeights,
      optimizerWeights,
      finish: async () => {
        try {
          await weights.verify();
        } finally {
          await close();
        }
      },
      close,
    };
  } catch (e) {
    await src.close();
    throw e;
  }
}

/** The optimizer's `optimizer/vars/0..N` (saving_lib saves the model's `optimizer` attribute there), or null. */
export function readKeras3OptimizerVars(h5: Hdf5File): SourceOptimizerWeights | null {
  const group = ['/optimizer/vars', '/optimizer\\vars'].find((g) => h5.isGroup(g));
  if (!group) return null;
  const indices = h5
    .keys(group)
    .filter((k) => /^\d+$/.test(k) && h5.isDataset(`${group}/${k}`))
    .map(Number)
    .sort((a, b) => a - b);
  const weights = indices.map((i) => ({ ...h5.array(`${group}/${i}`), storedName: null }));
  return { name: h5.stringAttr(group, 'name'), weights };
}

function parseJson(file: string, member: string, bytes: Uint8Array): unknown {
  try {
    return parseBoundedJson(new TextDecoder('utf-8').decode(bytes));
  } catch (e) {
    throw convertError(ErrorCode.BAD_CONFIG, file, `'${member}' ${jsonProblem(e)}`);
  }
}

function isObject(v: unknown): v is Config {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True if the HDF5 file has Keras 3's saving_lib layout (a weights-only `.weights.h5`). */
export function hasKeras3Layout(h5: Hdf5File): boolean {
  const keys = h5.keys('/');
  return keys.includes('vars') || keys.some((k) => k === 'layers' || k === '_layer_checkpoint_dependencies' || k.startsWith('layers\\'));
}

// ------------------------------------------------------------------------- weights walk

/** Every dataset under a `vars` group, by its normalized path ('layers/dense/vars/0'). */
interface VarIndex {
  datasets: Map<string, string>; // normalized path → real HDF5 path
  /** normalized path of a `vars` group → its `name` attribute (Keras ≥ 3.6). */
  owners: Map<string, string>;
}

function normalizePath(real: string): string {
  return real
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '')
    .map((p) => (p === '_layer_checkpoint_dependencies' ? 'layers' : p))
    .join('/');
}

function indexVars(h5: Hdf5File): VarIndex {
  const index: VarIndex = { datasets: new Map(), owners: new Map() };
  const visit = (real: string, depth: number): void => {
    if (depth > 64) h5.fail(`groups nested deeper than 64 levels at '${real}'`);
    for (const key of h5.keys(real)) {
      const child = real === '/' ? `/${key}` : `${real}/${key}`;
      if (h5.isGroup(child)) {
        if (key === 'vars') {
          const owner = h5.stringAttr(child, 'name');
          if (owner !== null) index.owners.set(normalizePath(child), owner);
        }
        visit(child, depth + 1);
      } else if (/(^|[\\/])vars$/.test(real)) {
        index.datasets.set(normalizePath(child), child);
      }
    }
  };
  visit('/', 0);
  return index;
}

/**
 * Walks the model config the way saving_lib walks the model and reads each layer's variables.
 * Keys: layer paths ('dense', 'encoder/conv2d'); storedName: the path under the layer's group
 * ('vars/0', 'cell/vars/1').
 */
export function readKeras3Weights(h5: Hdf5File, modelConfig: Config): Map<string, SourceWeight[]> {
  // The config may come from outside the archive (a weights-only file's --config): walked below.
  checkJsonShape(h5.file, modelConfig, 'the model architecture');
  const index = indexVars(h5);
  const out = new Map<string, SourceWeight[]>();
  const visited = new Set<unknown>();
  walkModel(h5, index, modelConfig, 'layers', [], out, visited);
  return out;
}

function isModelEntry(entry: Config): 'sequential' | 'functional' | null {
  const cls = typeof entry.class_name === 'string' ? stripPackage(entry.class_name) : '';
  const cfg = entry.config;
  if (cls === 'Sequential' || (isObject(cfg) && Array.isArray(cfg.layers) && !('input_layers' in cfg))) return 'sequential';
  if (cls === 'Functional' || cls === 'Model' || (isObject(cfg) && Array.isArray(cfg.layers))) return 'functional';
  return null;
}

function layerName(entry: Config): string {
  if (typeof entry.name === 'string') return entry.name;
  const cfg = entry.config;
  return isObject(cfg) && typeof cfg.name === 'string' ? cfg.name : '';
}

/**
 * The Python class behind a config's class_name, which names the weights group: Keras 3 writes
 * one class under its exported name, GroupQueryAttention for class GroupedQueryAttention.
 */
function pythonClassName(className: string): string {
  return className === 'GroupQueryAttention' ? 'GroupedQueryAttention' : className;
}

/** saving_lib's `naming.to_snake_case(obj.__class__.__name__)`. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function walkModel(
  h5: Hdf5File,
  index: VarIndex,
  model: Config,
  containerPath: string,
  prefix: string[],
  out: Map<string, SourceWeight[]>,
  visited: Set<unknown>,
): void {
  const cfg = model.config;
  let layers: unknown[] = Array.isArray(cfg) ? cfg : isObject(cfg) && Array.isArray(cfg.layers) ? cfg.layers : [];
  const kind = isModelEntry(model);
  // A Sequential's model.layers leaves out its leading InputLayer.
  if (kind === 'sequential' && layers.length > 0 && isObject(layers[0]) && stripPackage(String(layers[0].class_name)) === 'InputLayer') {
    layers = layers.slice(1);
  }
  const used = new Map<string, number>();
  const keys: Array<{ entry: Config; key: string; name: string }> = [];
  for (const entry of layers) {
    if (!isObject(entry)) continue;
    // Operations such as keras.ops.add applied to tensors are in config.layers, not model.layers.
    if (typeof entry.module === 'string' && entry.module.startsWith('keras.src.ops')) continue;
    const key = uniqueName(toSnakeCase(pythonClassName(stripPackage(String(entry.class_name)))), used);
    // One Python object saved once: later references to it (shared_object_id) are skipped.
    const shared = entry.shared_object_id;
    if (shared !== undefined && shared !== null) {
      if (visited.has(shared)) continue;
      visited.add(shared);
    }
    keys.push({ entry, key, name: layerName(entry) });
  }
  const groupNames = keys.map((k) => `${containerPath}/${k.key}`);
  for (const [i, { entry, name }] of keys.entries()) {
    const group = resolveOwner(index, groupNames[i], name, groupNames);
    if (isModelEntry(entry)) {
      walkModel(h5, index, entry, `${group}/layers`, [...prefix, name], out, visited);
    } else {
      out.set([...prefix, name].join('/'), readGroupVars(h5, index, group));
    }
  }
}

function uniqueName(name: string, used: Map<string, number>): string {
  const n = used.get(name);
  if (n === undefined) {
    used.set(name, 0);
    return name;
  }
  used.set(name, n + 1);
  return `${name}_${n + 1}`;
}

/**
 * The group saving_lib used for this layer. Keras ≥ 3.6 records the owner's name on `vars`:
 * if the counter-derived group belongs to another layer, the sibling that names this one wins.
 */
function resolveOwner(index: VarIndex, group: string, name: string, siblings: string[]): string {
  const owner = index.owners.get(`${group}/vars`);
  if (owner === undefined || owner === name) return group;
  const match = siblings.find((g) => index.owners.get(`${g}/vars`) === name);
  return match ?? group;
}

/** Every variable under the layer's group: 'vars/0', 'cell/vars/1', ... sorted as saving_lib walks. */
function readGroupVars(h5: Hdf5File, index: VarIndex, group: string): SourceWeight[] {
  const prefix = `${group}/`;
  const paths = [...index.datasets.keys()].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length));
  paths.sort(compareVarPaths);
  // Each with its source dtype, which decides in normalize what an integer dataset means.
  return paths.map((rel) => ({ ...h5.array(index.datasets.get(prefix + rel) as string), storedName: rel }));
}

/** Own `vars` first, then attributes in saving_lib order (private `_x` last); indices numerically. */
function compareVarPaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const na = /^\d+$/.test(pa[i]);
    const nb = /^\d+$/.test(pb[i]);
    if (na && nb) return Number(pa[i]) - Number(pb[i]);
    const key = (s: string): string => (s === 'vars' ? '\u0000' : s.startsWith('_') ? `~${s}` : s);
    return key(pa[i]) < key(pb[i]) ? -1 : 1;
  }
  return pa.length - pb.length;
}
