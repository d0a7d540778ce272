/**
 * Reads a tf.keras 2.x SavedModel directory (`model.save("dir")`) into the SourceModel
 * intermediate: the Keras config from keras_metadata.pb (or, for TF ≤ 2.4, from the
 * object graph in saved_model.pb), and the weights from the variables/ checkpoint.
 *
 * Which checkpoint tensor belongs to which layer comes from the checkpoint's own object
 * graph (`_CHECKPOINTABLE_OBJECT_GRAPH`): the root model node has one child per layer
 * (`layer-<i>`, plus the alias `layer_with_weights-<k>`), and each Keras layer node lists its
 * weights, in `layer.weights` order, under its `variables` child. The checkpoint key names
 * alone are not enough: a variable is stored under the first path TensorFlow found to it,
 * which for RNN layers is often the model's `variables/<n>` or `trainable_variables/<n>`.
 *
 * The optimizer is the root's `optimizer` child: tf.keras 2.11+ optimizers list iterations and
 * slots under `_variables/<i>`; legacy ones (OptimizerV2) keep `iter` and name each slot's
 * variable in the graph's slot references.
 */
import { stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ErrorCode, Keras2TfjsError } from '../../errors.js';
import { displayName, oneLine } from '../../errors.js';
import { readSmallFileIfExists } from '../../io/file_source.js';
import { openTensorBundle } from '../../io/tensor_bundle_files.js';
import type { SourceModel, SourceOptimizerWeights, SourceWeight } from '../intermediate.js';
import { jsonProblem } from '../../formats/bounded_json.js';
import { parseKerasJson } from './saved_model_json.js';
import { decodeMessage, utf8OrNull, type SavedObject, type TrackableObject, type TrackableObjectGraph } from '../../formats/tensorflow/saved_model_protos.js';
import type { TensorBundle } from '../../formats/tensorflow/tensor_bundle.js';

const KERAS_METADATA = 'keras_metadata.pb';
const SAVED_MODEL_PB = 'saved_model.pb';
const VARIABLES_PREFIX = join('variables', 'variables');
const OBJECT_GRAPH_KEY = '_CHECKPOINTABLE_OBJECT_GRAPH';
const VARIABLE_VALUE = 'VARIABLE_VALUE';
const ROOT_PATH = 'root';
/** Deeper nesting than this is a cycle or a damaged graph. */
const MAX_DEPTH = 32;
/**
 * A nested layer has one metadata path per alias of each model above it (2^depth at worst);
 * real files use one, so a handful of candidates is plenty and a damaged graph cannot blow up.
 */
const MAX_CANDIDATE_PATHS = 64;
/** Layer objects visited in saved_model.pb's object graph: bounds work on a damaged graph. */
const MAX_LEGACY_VISITS = 100_000;
/** Children that are Keras' serialization aliases, not the layer's own attributes. */
const ALIAS_CHILDREN = new Set([
  'variables',
  'trainable_variables',
  'non_trainable_variables',
  'keras_api',
  'regularization_losses',
  'layer_regularization_losses',
  'layer_metrics',
  'metrics',
  'layers',
]);
const LAYER_CHILD = /^layer(_with_weights)?-(\d+)$/;
/**
 * keras_metadata.pb and saved_model.pb are read whole. saved_model.pb can hold a big model's
 * traced graphs (and, for some, constants), so the limit is the most one typed array holds.
 */
const MAX_PROTO_BYTES = 2 ** 31 - 1;

const RESAVE_FIX = 'load it in Python with tf.keras.models.load_model(dir), save it as a .keras or .h5 file, and convert that';
const RECOPY_FIX = 'copy the complete SavedModel directory again';

type Json = Record<string, unknown>;

/** The directory being read: names its files in messages relative to the directory's own name. */
class SavedModelDir {
  constructor(readonly dir: string) {}

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** 'model.savedmodel/variables/variables.index', whatever the working directory. */
  shown = (path: string): string => {
    const rel = relative(this.dir, path);
    return rel ? `${displayName(this.dir)}/${rel.split(sep).join('/')}` : displayName(this.dir);
  };

  fail(code: ErrorCode, path: string, message: string): never {
    throw new Keras2TfjsError(code, oneLine(`${this.shown(path)}: ${message}`), { file: path });
  }
}

/** What the metadata says about one Keras layer object. */
interface LayerMetadata {
  name?: string;
  class_name?: string;
  config?: unknown;
}

/** The Keras metadata and how to look layers up in it. */
interface KerasMetadata {
  file: string;
  root: Json;
  /** Metadata of a layer object by its object-graph path ('root.layer-1', 'root.layer_with_weights-0.layer-2'). */
  layerAt(path: string): LayerMetadata | undefined;
}

/** Reads the tf.keras SavedModel directory `dir`. */
export async function readSavedModel(dir: string, options: { optimizerState?: boolean } = {}): Promise<SourceModel> {
  const sm: SavedModelDir = new SavedModelDir(dir);
  await requireDirectory(sm);
  const metadata = await readKerasMetadata(sm);
  const root = metadata.root;
  const modelConfig = root.model_config;
  if (!isObject(modelConfig) || typeof modelConfig.class_name !== 'string' || !hasLayerList(modelConfig)) {
    const cls = typeof root.class_name === 'string' ? ` '${root.class_name}'` : '';
    sm.fail(
      ErrorCode.BAD_SAVED_MODEL,
      metadata.file,
      `the model${cls} has no layer graph in its config: it is a subclassed Keras model, whose architecture is Python code; rebuild it as a Sequential or Functional model in Python, load the weights into it, and save that`,
    );
  }
  const bundle = await openTensorBundle(sm.path(VARIABLES_PREFIX), { shownAs: sm.shown });
  let read: Awaited<ReturnType<typeof readLayerWeights>>;
  try {
    read = await readLayerWeights(sm, bundle, metadata, modelConfig, options.optimizerState ?? false);
  } catch (e) {
    await bundle.close();
    throw e;
  }
  const { layerWeights, optimizerWeights } = read;
  return {
    file: dir,
    format: 'savedmodel',
    kerasVersion: typeof root.keras_version === 'string' ? root.keras_version : null,
    backend: typeof root.backend === 'string' ? root.backend : null,
    modelConfig,
    trainingConfig: isObject(root.training_config) ? root.training_config : null,
    layerWeights,
    optimizerWeights,
    // Each tensor's CRC-32C is checked as it is read.
    finish: () => bundle.close(),
    close: () => bundle.close(),
  };
}

async function requireDirectory(sm: SavedModelDir): Promise<void> {
  let isDir: boolean;
  try {
    isDir = (await stat(sm.dir)).isDirectory();
  } catch {
    return sm.fail(ErrorCode.FILE_NOT_FOUND, sm.dir, 'no such file or directory');
  }
  if (!isDir) {
    sm.fail(ErrorCode.BAD_SAVED_MODEL, sm.dir, 'a SavedModel is a directory (saved_model.pb, keras_metadata.pb, variables/); pass the directory');
  }
}

async function readOptional(sm: SavedModelDir, file: string): Promise<Uint8Array | null> {
  try {
    return await readSmallFileIfExists(file, MAX_PROTO_BYTES, 'SavedModel protobuf', sm.shown(file));
  } catch (e) {
    // Unreadable (permissions, I/O): said the SavedModel way; not a file, too large: as they are.
    if (e instanceof Keras2TfjsError && e.code === ErrorCode.FILE_NOT_FOUND) return sm.fail(ErrorCode.BAD_SAVED_MODEL, file, `cannot be read (${e.message.replace(/^[^:]*: cannot be read \((.*)\)$/, '$1')})`);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------
// Keras metadata: keras_metadata.pb (TF ≥ 2.5) or saved_model.pb user objects (TF ≤ 2.4)

async function readKerasMetadata(sm: SavedModelDir): Promise<KerasMetadata> {
  const metadataFile = sm.path(KERAS_METADATA);
  const metadataBytes = await readOptional(sm, metadataFile);
  if (metadataBytes) return fromKerasMetadataPb(sm, metadataFile, metadataBytes);

  const savedModelFile = sm.path(SAVED_MODEL_PB);
  const savedModelBytes = await readOptional(sm, savedModelFile);
  if (!savedModelBytes) {
    sm.fail(
      ErrorCode.BAD_SAVED_MODEL,
      sm.dir,
      `not a SavedModel directory (no ${SAVED_MODEL_PB}, no ${KERAS_METADATA}); pass the folder that tf.keras model.save() wrote`,
    );
  }
  const legacy = fromSavedModelPb(sm, savedModelFile, savedModelBytes);
  if (legacy) return legacy;
  return sm.fail(
    ErrorCode.BAD_SAVED_MODEL,
    sm.dir,
    `no ${KERAS_METADATA}: this is a plain TensorFlow SavedModel (e.g. from Keras 3 model.export() or tf.saved_model.save()), which has no Keras config and cannot become a LayersModel; in Python, save the Keras model itself with model.save("model.keras") and convert that`,
  );
}

function fromKerasMetadataPb(sm: SavedModelDir, file: string, bytes: Uint8Array): KerasMetadata {
  const fix = `copy ${KERAS_METADATA} again from where the model was saved`;
  const saved = decodeMessage('SavedMetadata', bytes, { file, label: sm.shown(file), what: 'the file', fix });
  const byPath = new Map<string, string>();
  saved.nodes.forEach((node, i) => {
    const path = utf8OrNull(node.nodePath);
    const text = utf8OrNull(node.metadata);
    if (path === null || text === null) sm.fail(ErrorCode.CORRUPT_FILE, file, `node ${i} holds invalid UTF-8 text: the file is damaged; ${fix}`);
    if (!byPath.has(path)) byPath.set(path, text);
  });
  const rootText = byPath.get(ROOT_PATH);
  if (rootText === undefined) sm.fail(ErrorCode.BAD_SAVED_MODEL, file, `has no 'root' node, so no model config; ${fix}`);
  return metadataFrom(sm, file, rootText, (path) => byPath.get(path));
}

/** TF ≤ 2.4 kept the same JSON in the SavedObjectGraph's user objects. Null if there is none. */
function fromSavedModelPb(sm: SavedModelDir, file: string, bytes: Uint8Array): KerasMetadata | null {
  const fix = `copy ${SAVED_MODEL_PB} again from where the model was saved`;
  const savedModel = decodeMessage('SavedModel', bytes, { file, label: sm.shown(file), what: 'the file', fix });
  const nodes = savedModel.metaGraphs[0]?.objectGraphDef?.nodes ?? [];
  const metadataOf = (id: number): string | undefined => {
    const bytes = nodes[id]?.userObject?.metadata;
    if (!bytes || bytes.length === 0) return undefined;
    return utf8OrNull(bytes) ?? sm.fail(ErrorCode.CORRUPT_FILE, file, `object ${id} holds invalid UTF-8 metadata: the file is damaged; ${fix}`);
  };
  const rootText = metadataOf(0);
  if (!rootText || !rootText.includes('"model_config"')) return null;
  const byPath = new Map<string, string>();
  collectLegacyPaths(nodes, metadataOf, 0, ROOT_PATH, byPath, new Set([0]), { left: MAX_LEGACY_VISITS });
  return metadataFrom(sm, file, rootText, (path) => byPath.get(path));
}

/** Records every layer object's metadata under each of its paths from the root. */
function collectLegacyPaths(
  nodes: SavedObject[],
  metadataOf: (id: number) => string | undefined,
  id: number,
  path: string,
  out: Map<string, string>,
  onPath: Set<number>,
  budget: { left: number },
): void {
  if (onPath.size > MAX_DEPTH) return;
  for (const child of nodes[id]?.children ?? []) {
    // A damaged graph may loop back to a model above us, or branch without end.
    if (!LAYER_CHILD.test(child.localName) || onPath.has(child.nodeId) || --budget.left < 0) continue;
    const childPath = `${path}.${child.localName}`;
    const text = metadataOf(child.nodeId);
    if (text) out.set(childPath, text);
    onPath.add(child.nodeId);
    collectLegacyPaths(nodes, metadataOf, child.nodeId, childPath, out, onPath, budget);
    onPath.delete(child.nodeId);
  }
}

function metadataFrom(
  sm: SavedModelDir,
  file: string,
  rootText: string,
  textAt: (path: string) => string | undefined,
): KerasMetadata {
  const parse = (text: string, what: string) => {
    try {
      return parseKerasJson(text);
    } catch (e) {
      return sm.fail(ErrorCode.CORRUPT_FILE, file, `${what} ${jsonProblem(e)}; ${RECOPY_FIX}`);
    }
  };
  const root = parse(rootText, "the root object's metadata");
  if (!isObject(root)) sm.fail(ErrorCode.CORRUPT_FILE, file, `the root object's metadata is not a JSON object; ${RECOPY_FIX}`);
  const cache = new Map<string, LayerMetadata | undefined>();
  return {
    file,
    root,
    layerAt(path) {
      if (!cache.has(path)) {
        const text = textAt(path);
        const parsed = text === undefined ? undefined : parse(text, `the metadata of ${path}`);
        cache.set(path, isObject(parsed) ? (parsed as LayerMetadata) : undefined);
      }
      return cache.get(path);
    },
  };
}

/** Sequential and Functional configs list their layers; a subclassed model's config does not. */
function hasLayerList(modelConfig: Json): boolean {
  const inner = modelConfig.config;
  return Array.isArray(inner) || (isObject(inner) && Array.isArray(inner.layers));
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------
// Weights: walk the checkpoint's object graph from the model to each layer's variables

async function readLayerWeights(
  sm: SavedModelDir,
  bundle: TensorBundle,
  metadata: KerasMetadata,
  modelConfig: Json,
  withOptimizer: boolean,
): Promise<{ layerWeights: Map<string, SourceWeight[]>; optimizerWeights: SourceOptimizerWeights | null }> {
  const indexFile = sm.path(`${VARIABLES_PREFIX}.index`);
  if (!bundle.info(OBJECT_GRAPH_KEY)) {
    sm.fail(
      ErrorCode.BAD_SAVED_MODEL,
      indexFile,
      `the checkpoint has no object graph (${OBJECT_GRAPH_KEY}), so its tensors cannot be matched to layers; it was not written by tf.keras model.save(); ${RESAVE_FIX}`,
    );
  }
  const [graphBytes] = await bundle.readStrings(OBJECT_GRAPH_KEY);
  const graph = decodeMessage('TrackableObjectGraph', graphBytes ?? new Uint8Array(0), {
    file: indexFile,
    label: sm.shown(indexFile),
    what: 'the checkpoint object graph',
    code: ErrorCode.CORRUPT_FILE,
    fix: RECOPY_FIX,
  });
  const walker = new GraphWalker(graph, metadata, (why) => sm.fail(ErrorCode.BAD_SAVED_MODEL, indexFile, `${why}; ${RESAVE_FIX}`));
  const located = walker.walkModel(0, [ROOT_PATH], '', modelConfig, new Set([0]));

  const out = new Map<string, SourceWeight[]>();
  for (const layer of located) {
    const weights: SourceWeight[] = [];
    for (const v of layer.variables) {
      weights.push({ ...bundle.array(v.checkpointKey), storedName: v.storedName });
    }
    if (weights.length > 0) out.set(layer.key, weights);
  }
  return { layerWeights: out, optimizerWeights: withOptimizer ? await readOptimizerWeights(bundle, graph, located) : null };
}

/** The optimizer's variables: iterations first, then the slots (see the module comment); null if none. */
async function readOptimizerWeights(bundle: TensorBundle, graph: TrackableObjectGraph, located: LocatedLayer[]): Promise<SourceOptimizerWeights | null> {
  const optimizerId = graph.nodes[0]?.children.find((c) => c.localName === 'optimizer')?.nodeId;
  const optimizer = optimizerId === undefined ? undefined : graph.nodes[optimizerId];
  if (!optimizer) return null;
  const valueOf = (id: number) => graph.nodes[id]?.attributes.find((a) => a.name === VARIABLE_VALUE);
  const read = async (id: number, storedName: string): Promise<SourceWeight | null> => {
    const attr = valueOf(id);
    if (!attr || !bundle.info(attr.checkpointKey)) return null;
    return { ...bundle.array(attr.checkpointKey), storedName };
  };
  const child = (node: TrackableObject, name: string) => node.children.find((c) => c.localName === name)?.nodeId;
  const weights: SourceWeight[] = [];
  const list = child(optimizer, '_variables');
  if (list !== undefined) {
    const entries = [...(graph.nodes[list]?.children ?? [])].sort((a, b) => Number(a.localName) - Number(b.localName));
    for (const entry of entries) {
      const weight = await read(entry.nodeId, valueOf(entry.nodeId)?.fullName ?? entry.localName);
      if (weight) weights.push(weight);
    }
  } else {
    const iter = child(optimizer, 'iter');
    const iterations = iter === undefined ? null : await read(iter, 'iter');
    if (iterations) weights.push(iterations);
    // Slot blocks in the order the slots first appear, variables in the model's order.
    const owner = new Map<number, string>();
    for (const layer of located) for (const v of layer.variables) owner.set(v.nodeId, `${layer.key}/${v.storedName ?? v.nodeId}`);
    const order = [...owner.keys()];
    const slotNames = [...new Set(optimizer.slotVariables.map((s) => s.slotName))];
    for (const slotName of slotNames) {
      const refs = optimizer.slotVariables
        .filter((s) => s.slotName === slotName && owner.has(s.originalVariableNodeId))
        .sort((a, b) => order.indexOf(a.originalVariableNodeId) - order.indexOf(b.originalVariableNodeId));
      for (const ref of refs) {
        const weight = await read(ref.slotVariableNodeId, `${owner.get(ref.originalVariableNodeId)}/${slotName}`);
        if (weight) weights.push(weight);
      }
    }
  }
  return weights.length > 0 ? { name: null, weights } : null;
}

interface LocatedVariable {
  checkpointKey: string;
  /** The variable's node in the object graph (optimizer slots refer to it). */
  nodeId: number;
  /** Path below the layer: 'kernel', 'cell/kernel', 'forward_layer/cell/bias'. */
  storedName: string | null;
}
interface LocatedLayer {
  /** 'dense_1', or 'outer_model/dense_1' inside a nested model. */
  key: string;
  variables: LocatedVariable[];
}

class GraphWalker {
  constructor(
    private readonly graph: TrackableObjectGraph,
    private readonly metadata: KerasMetadata,
    private readonly bad: (why: string) => never,
  ) {}

  private node(id: number) {
    return this.graph.nodes[id] ?? this.bad(`the object graph refers to missing node ${id}`);
  }

  /**
   * The layers of the model at node `id`, in `model.layers` order, recursing into nested
   * models. `paths` are the node's possible metadata paths (a layer with weights is reachable
   * both as `layer-<i>` and as `layer_with_weights-<k>`; the metadata uses one of them).
   */
  walkModel(id: number, paths: string[], keyPrefix: string, config: Json | undefined, models: Set<number>): LocatedLayer[] {
    if (models.size > MAX_DEPTH) this.bad(`models are nested more than ${MAX_DEPTH} deep`);
    const out: LocatedLayer[] = [];
    for (const layer of this.layerChildren(id)) {
      if (models.has(layer.id)) this.bad(`the object graph loops: model object ${layer.id} contains itself`);
      const layerPaths = paths.flatMap((p) => layer.aliases.map((a) => `${p}.${a}`)).slice(0, MAX_CANDIDATE_PATHS);
      const meta = layerPaths.map((p) => this.metadata.layerAt(p)).find((m) => m !== undefined);
      const fromConfig = layer.index === null ? undefined : configLayerAt(config, layer.index);
      const name = typeof meta?.name === 'string' ? meta.name : configName(fromConfig);
      if (!name) this.bad(`cannot tell which layer ${layerPaths[0]} is (no metadata, no config entry)`);
      if (this.isModel(layer.id)) {
        const nestedConfig = isObject(meta?.config) ? (meta as Json) : fromConfig;
        out.push(...this.walkModel(layer.id, layerPaths, `${keyPrefix}${name}/`, nestedConfig, new Set([...models, layer.id])));
      } else {
        out.push({ key: `${keyPrefix}${name}`, variables: this.layerVariables(layer.id) });
      }
    }
    return out;
  }

  /** Distinct layer children of a model node, ordered by their `layer-<i>` index. */
  private layerChildren(id: number): Array<{ id: number; index: number | null; aliases: string[] }> {
    const byNode = new Map<number, { id: number; index: number | null; aliases: string[]; first: number }>();
    this.node(id).children.forEach((child, position) => {
      const m = LAYER_CHILD.exec(child.localName);
      if (!m) return;
      const entry = byNode.get(child.nodeId) ?? { id: child.nodeId, index: null, aliases: [], first: position };
      entry.aliases.push(child.localName);
      if (!m[1]) entry.index = Number(m[2]);
      byNode.set(child.nodeId, entry);
    });
    return [...byNode.values()].sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity) || a.first - b.first);
  }

  private isModel(id: number): boolean {
    return this.node(id).children.some((c) => /^layer-\d+$/.test(c.localName));
  }

  /** The layer's variables in `layer.weights` order, named by their path below the layer. */
  private layerVariables(layerId: number): LocatedVariable[] {
    const names = this.namedPaths(layerId);
    const list = this.node(layerId).children.find((c) => c.localName === 'variables');
    const ids = list
      ? [...this.node(list.nodeId).children].sort((a, b) => Number(a.localName) - Number(b.localName)).map((c) => c.nodeId)
      : [...names.keys()];
    return ids.map((varId) => {
      const attr = this.node(varId).attributes.find((a) => a.name === VARIABLE_VALUE);
      if (!attr) this.bad(`object ${varId}, listed as a layer variable, has no stored value`);
      return { checkpointKey: attr.checkpointKey, nodeId: varId, storedName: names.get(varId) ?? null };
    });
  }

  /** Variable node → its attribute path below the layer, breadth first, skipping Keras' alias lists. */
  private namedPaths(layerId: number): Map<number, string> {
    const out = new Map<number, string>();
    const seen = new Set<number>([layerId]);
    let frontier: Array<[number, string]> = [[layerId, '']];
    for (let depth = 0; depth < MAX_DEPTH && frontier.length > 0; depth++) {
      const next: Array<[number, string]> = [];
      for (const [id, path] of frontier) {
        for (const child of this.node(id).children) {
          if (ALIAS_CHILDREN.has(child.localName) || seen.has(child.nodeId)) continue;
          seen.add(child.nodeId);
          const childPath = path ? `${path}/${child.localName}` : child.localName;
          if (this.node(child.nodeId).attributes.some((a) => a.name === VARIABLE_VALUE)) out.set(child.nodeId, childPath);
          next.push([child.nodeId, childPath]);
        }
      }
      frontier = next;
    }
    return out;
  }
}

/** The i-th entry of `model.layers` in a model config (a Sequential's `layers` omits its InputLayer). */
function configLayerAt(config: Json | undefined, index: number): Json | undefined {
  const inner = config?.config;
  const raw = isObject(inner) ? inner.layers : inner;
  if (!Array.isArray(raw)) return undefined;
  const layers = config?.class_name === 'Sequential' ? raw.filter((l) => !(isObject(l) && l.class_name === 'InputLayer')) : raw;
  const layer = layers[index];
  return isObject(layer) ? layer : undefined;
}

function configName(layer: Json | undefined): string | undefined {
  const cfg = layer?.config;
  return isObject(cfg) && typeof cfg.name === 'string' ? cfg.name : undefined;
}
