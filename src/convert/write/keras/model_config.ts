/**
 * tfjs LayersModel → the `config.json` Keras 3.15 writes for the same model
 * (`serialize_keras_object(model)` in keras/src/saving/serialization_lib.py):
 *
 *   - Sequential: `{"module": "keras", "class_name": "Sequential", ...}` whose `layers` start with
 *     the InputLayer (`batch_shape`, plain-string dtype), plus `build_input_shape`.
 *   - Functional: `{"module": "keras.src.models.functional", "class_name": "Functional",
 *     "registered_name": "Functional"}`, each layer carrying `name` and Keras 3 dict-style
 *     `inbound_nodes` (`{"args": [...__keras_tensor__...], "kwargs": {}}`).
 *   - every layer: `{module, class_name, config, registered_name[, build_config]}` with a
 *     DTypePolicy object as dtype (see layer_table.ts for the per-class keys).
 *
 * Shapes and node links come from the live tfjs objects (tfjs' JSON has neither the shapes
 * Keras records nor a stable way to tell nested models' node offsets); the per-layer settings
 * come from tfjs' own snake_case serialization, so nothing a layer stores is guessed.
 */
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { ErrorCode, Keras2TfjsError } from '../../../errors.js';
import { exportableClasses, specForLayer, tfjsClassKey, type Keras3LayerSpec } from './layer_table.js';
import { dtypePolicy, regularizer, type Json, type JsonObject, type Where } from './objects.js';
import { isOperationLayer, operationEntry } from './operations.js';
import { assignKerasNames, kerasName } from './names.js';
import { kerasFunctionalOrder, type Graph } from './layer_order.js';
import { denseAttentionInputShape, roleCall, shapesDict } from './call_roles.js';
import { nameTable } from '../../../name_table.js';

export type TfjsLayer = LayersModel['layers'][number];
type Shape = Array<number | null>;

/** The parts of a tfjs Node we read (tfjs does not export the Node class). */
interface TfjsNode {
  inboundLayers: TfjsLayer[];
  nodeIndices: number[];
  tensorIndices: number[];
  inputShapes: Shape | Shape[];
  outputTensors: SymbolicTensor[];
  callArgs?: Record<string, unknown>;
}

/** The parts of tfjs' Bidirectional and TimeDistributed wrappers we read. */
interface TfjsWrapper {
  forwardLayer?: TfjsLayer;
  backwardLayer?: TfjsLayer;
  layer?: TfjsLayer;
}

/** tfjs' recurrent layers; a generic RNN is written only when its cell has a Keras form (keras3_layers). */
const RECURRENT = new Set(['LSTM', 'GRU', 'SimpleRNN', 'RNN', 'ResetAfterGRU', 'ConvLSTM2D']);

/** The parts of a tfjs container (LayersModel / Sequential) we read. */
interface TfjsContainer {
  name: string;
  trainable: boolean;
  layers: TfjsLayer[];
  inputs: SymbolicTensor[];
  inputLayers: TfjsLayer[];
  inputLayersNodeIndices: number[];
  inputLayersTensorIndices: number[];
  outputLayers: TfjsLayer[];
  outputLayersNodeIndices: number[];
  outputLayersTensorIndices: number[];
  containerNodes: Set<string>;
  toJSON(unused: null, returnString: false): unknown;
  getClassName(): string;
}

const SEQUENTIAL = 'Sequential';
const FUNCTIONAL_CLASSES = new Set(['Model', 'Functional']);

/** tfjs containers: a Sequential, or a functional model ('Model' in tfjs 4, 'Functional' in later). */
export function isSequential(layer: { getClassName(): string }): boolean {
  return layer.getClassName() === SEQUENTIAL;
}
export function isFunctional(layer: { getClassName(): string }): boolean {
  return FUNCTIONAL_CLASSES.has(layer.getClassName());
}

/**
 * The layers Keras keeps in `model.layers`: a Sequential hides its InputLayer (tfjs lists it when
 * the Sequential was built from a config that names one), a Functional does not.
 */
export function kerasLayers(model: TfjsLayer | LayersModel): TfjsLayer[] {
  const layers = (model as unknown as TfjsContainer).layers;
  if (isSequential(model)) return layers.filter((l) => !isInputLayer(l));
  return kerasFunctionalOrder(model as unknown as Graph) as unknown as TfjsLayer[];
}

function isInputLayer(layer: TfjsLayer): boolean {
  return layer.getClassName() === 'InputLayer';
}

/** Serializes the whole model; `compileConfig` is the model's `compile_config` ({} if none). */
export function kerasModelConfig(model: LayersModel, file: string, compileConfig: JsonObject): JsonObject {
  assignKerasNames(model as unknown as { name: string; layers: Array<{ name: string }> });
  const serialized = serializeContainer(model as unknown as TfjsContainer, file);
  serialized.compile_config = compileConfig;
  return serialized;
}

function serializeContainer(model: TfjsContainer, file: string): JsonObject {
  const topology = model.toJSON(null, false) as { config?: { layers?: unknown } };
  const layerConfigs = topology.config?.layers;
  if (!Array.isArray(layerConfigs) || layerConfigs.length !== model.layers.length) {
    throw new Keras2TfjsError(ErrorCode.BAD_CONFIG, `${file}: model '${model.name}' has no layers to export`, {
      file,
      layer: model.name,
    });
  }
  const configOf = (i: number) => (layerConfigs[i] as { config: JsonObject }).config;
  return isSequential(model) ? serializeSequential(model, configOf, file) : serializeFunctional(model, configOf, file);
}

// ---------------------------------------------------------------- Sequential

function serializeSequential(model: TfjsContainer, configOf: (i: number) => JsonObject, file: string): JsonObject {
  const input = model.inputs?.[0];
  if (!input) {
    throw new Keras2TfjsError(ErrorCode.BAD_CONFIG, `${file}: Sequential '${model.name}' has no input shape; give its first layer inputShape`, {
      file,
      layer: model.name,
    });
  }
  const batchShape = input.shape as Json;
  const inputLayer = kerasObjectDict('keras.layers', 'InputLayer', inputLayerConfig(kerasName(input.sourceLayer), input.shape, input.dtype), null);
  const layers: Json[] = [inputLayer];
  model.layers.forEach((layer, i) => {
    if (isInputLayer(layer)) return; // written above, from the model's input
    const node = layer.inboundNodes[0] as unknown as TfjsNode | undefined;
    layers.push(serializeLayer(layer, configOf(i), node ? nodeInputShapes(node) : null, file));
  });
  return {
    ...kerasObjectDict('keras', 'Sequential', {
      name: kerasName(model),
      trainable: model.trainable,
      dtype: dtypePolicy('float32'),
      layers,
      build_input_shape: batchShape,
    }, null),
    build_config: { input_shape: batchShape },
  };
}

function inputLayerConfig(name: string, batchShape: Shape, dtype: string): JsonObject {
  // Keras 3.15 InputLayer.get_config: dtype stays a plain string here, not a DTypePolicy.
  return { batch_shape: batchShape, dtype, sparse: false, ragged: false, name, optional: false };
}

// ---------------------------------------------------------------- Functional

function serializeFunctional(model: TfjsContainer, configOf: (i: number) => JsonObject, file: string): JsonObject {
  const kept = keptNodes(model);
  // In Keras' own order (layer_order.ts); configOf reads tfjs' list.
  const layers: Json[] = kerasLayers(model as unknown as TfjsLayer).map((layer) => {
    const i = model.layers.indexOf(layer);
    const nodes = kept.get(layer) ?? [];
    let entry: JsonObject;
    if (isOperationLayer(layer)) {
      // An operation node: one call, its arguments filled back in (operations.ts).
      const node = layer.inboundNodes[nodes[0]] as unknown as TfjsNode;
      return operationEntry(configOf(i), nodeTensors(node, kept), { file, layer: kerasName(layer) });
    }
    if (isInputLayer(layer)) {
      const out = (layer.inboundNodes[0] as unknown as TfjsNode).outputTensors[0];
      entry = kerasObjectDict('keras.layers', 'InputLayer', inputLayerConfig(kerasName(layer), out.shape, out.dtype), null);
    } else {
      const first = nodes[0] === undefined ? null : nodeInputShapes(layer.inboundNodes[nodes[0]] as unknown as TfjsNode);
      entry = serializeLayer(layer, configOf(i), first, file);
    }
    entry.name = kerasName(layer);
    entry.inbound_nodes = nodes
      .map((raw) => layer.inboundNodes[raw] as unknown as TfjsNode)
      .filter((node) => node.inboundLayers.length > 0)
      .map((node) => serializeNode(layer, node, kept, file));
    return entry;
  });
  const refs = (ls: TfjsLayer[], nodeIdx: number[], tensorIdx: number[]): Json => {
    const list: Json[] = ls.map((l, i) => [kerasName(l), keptIndex(kept, l, nodeIdx[i]) + (isFunctional(l) ? 1 : 0), tensorIdx[i]]);
    // A single input/output is written flat, as Keras writes `keras.Model(x, y)`.
    return list.length === 1 ? list[0] : list;
  };
  return {
    ...kerasObjectDict('keras.src.models.functional', 'Functional', {
      name: kerasName(model),
      trainable: model.trainable,
      layers,
      input_layers: refs(model.inputLayers, model.inputLayersNodeIndices, model.inputLayersTensorIndices),
      output_layers: refs(model.outputLayers, model.outputLayersNodeIndices, model.outputLayersTensorIndices),
    }, 'Functional'),
    build_config: { input_shape: null },
  };
}

/** For each layer, the raw indices of its nodes that belong to this model, in order. */
function keptNodes(model: TfjsContainer): Map<TfjsLayer, number[]> {
  const kept = new Map<TfjsLayer, number[]>();
  for (const layer of model.layers) {
    const indices: number[] = [];
    layer.inboundNodes.forEach((_node, raw) => {
      if (model.containerNodes.has(`${layer.name}_ib-${raw}`)) indices.push(raw);
    });
    kept.set(layer, indices);
  }
  return kept;
}

/**
 * Keras numbers a layer's calls within the model from 0. tfjs numbers all of a layer's nodes,
 * and a nested tfjs model owns an extra node 0 of its own; counting only this model's nodes
 * gives Keras' number for both.
 */
function keptIndex(kept: Map<TfjsLayer, number[]>, layer: TfjsLayer, raw: number): number {
  const index = (kept.get(layer) ?? []).indexOf(raw);
  return index < 0 ? 0 : index;
}

/** A node's inputs as Keras 3 writes them: `__keras_tensor__` dicts with their history. */
function nodeTensors(node: TfjsNode, kept: Map<TfjsLayer, number[]>): Json[] {
  return node.inboundLayers.map((inbound, i) => {
    const source = inbound.inboundNodes[node.nodeIndices[i]] as unknown as TfjsNode;
    const tensor = source.outputTensors[node.tensorIndices[i]];
    return {
      class_name: '__keras_tensor__',
      config: {
        shape: tensor.shape,
        dtype: tensor.dtype,
        keras_history: [kerasName(inbound), keptIndex(kept, inbound, node.nodeIndices[i]), node.tensorIndices[i]],
      },
    };
  });
}

function serializeNode(layer: TfjsLayer, node: TfjsNode, kept: Map<TfjsLayer, number[]>, file: string): JsonObject {
  const tensors = nodeTensors(node, kept);
  const spec = specForLayer(layer);
  if (spec?.roleCall) {
    // Attention layers: tensors by role and the call's settings, from the layer's config.
    const config = (layer as unknown as { getConfig(): JsonObject }).getConfig();
    return roleCall(spec.roleCall, snakeKeys(config), tensors);
  }
  let args: Json[];
  if (spec?.listInput) {
    args = [tensors];
  } else if (tensors.length === 1) {
    args = tensors;
  } else {
    throw new Keras2TfjsError(
      ErrorCode.UNSUPPORTED_SEMANTICS,
      `${file}: layer '${layer.name}' is called on ${tensors.length} tensors (e.g. an RNN initial state), which keras2tfjs cannot write for Keras 3; call it on one tensor`,
      { file, layer: layer.name },
    );
  }
  const kwargs: JsonObject = {};
  // Keras records `training` (its call default, False but True for preprocessing layers, unless the
  // tfjs call fixed it, e.g. apply(x, {training: true}))
  // and `mask` (null: Keras recomputes masks from Masking/Embedding on load) for layers taking them.
  const explicitTraining = node.callArgs?.training;
  if (typeof explicitTraining === 'boolean') kwargs.training = explicitTraining;
  else if (spec?.nodeKwargs?.training) kwargs.training = spec.nodeKwargs.trainingDefault === true;
  if (spec?.nodeKwargs?.mask || isSequential(layer) || isFunctional(layer)) kwargs.mask = null;
  return { args, kwargs };
}

// ---------------------------------------------------------------- layers

/** Shapes a node was called on: one shape, or a list for multi-input layers. */
function nodeInputShapes(node: TfjsNode): Json {
  const shapes = node.inputShapes as Json;
  if (Array.isArray(shapes) && shapes.length === 1 && Array.isArray(shapes[0])) return shapes[0];
  return shapes;
}

function serializeLayer(layer: TfjsLayer, config: JsonObject, inputShape: Json, file: string): JsonObject {
  if (isSequential(layer) || isFunctional(layer)) {
    const nested = serializeContainer(layer as unknown as TfjsContainer, file);
    // Keras writes compile_config for every model object, nested ones included.
    nested.compile_config = {};
    return nested;
  }
  const className = tfjsClassKey(layer);
  const spec = specForLayer(layer);
  const where: Where = { file, layer: layer.name };
  if (!spec) {
    throw new Keras2TfjsError(
      ErrorCode.UNKNOWN_LAYER,
      `${file}: layer '${layer.name}' (class ${className}${kerasClassOf(layer)}) has no Keras 3 form keras2tfjs can write; rebuild the model from the classes it can write: ${exportableClasses().join(', ')}`,
      where,
    );
  }
  if (layerDtype(layer) !== 'float32') {
    // tfjs gives a Sequential's first layer the input's dtype: an int32 Embedding then holds int32
    // embeddings (all zeros after initialization). Keras layers compute in floating point.
    throw new Keras2TfjsError(
      ErrorCode.UNSUPPORTED_SEMANTICS,
      `${file}: layer '${layer.name}' computes in ${layerDtype(layer)}, which Keras 3 layers do not; give the dtype to the input instead (tf.input({shape, dtype: '${layerDtype(layer)}'})) and leave the layer float32`,
      where,
    );
  }
  if (readsMask(spec, config) && layer.inboundNodes.some((n) => mayCarryMask(n as unknown as TfjsNode))) {
    throw new Keras2TfjsError(
      ErrorCode.UNSUPPORTED_SEMANTICS,
      `${file}: layer '${layer.name}' (${className}) gets a mask, which Keras 3 uses in its result and tfjs ignores (${MASK_EFFECT[spec.className]}); drop the Masking layer or maskZero before it`,
      where,
    );
  }
  const own = spec.config({ config, layer: layer as unknown as Parameters<typeof spec.config>[0]['layer'], where });
  let full: JsonObject;
  if (spec.plainBase) {
    full = { ...own, name: kerasName(layer), dtype: layerDtype(layer) };
  } else {
    full = { name: kerasName(layer), trainable: layer.trainable, dtype: dtypePolicy(layerDtype(layer)), ...own };
    // Keras' base Layer.get_config adds activity_regularizer only when one is set.
    if (!('activity_regularizer' in own) && config.activity_regularizer) {
      full.activity_regularizer = regularizer(config.activity_regularizer, where);
    }
  }
  if (spec.wrapper) Object.assign(full, serializeWrapped(layer, config, inputShape, spec.wrapper, file));
  const entry = kerasObjectDict(spec.module, spec.className, full, spec.registeredName);
  if (spec.shapesDict) entry.build_config = shapesDict(config, inputShape);
  else if (spec.roleCall === 'dense') entry.build_config = denseAttentionInputShape(config, inputShape);
  else if (spec.emptyBuildConfig) entry.build_config = {};
  else if (spec.buildConfig) entry.build_config = { input_shape: inputShape };
  return entry;
}

/** What Keras does with a mask that tfjs does not, per layer class (others agree, or pass it on). */
const MASK_EFFECT: Readonly<Record<string, string>> = nameTable({
  GlobalAveragePooling1D: 'Keras averages the unmasked steps only',
  Softmax: 'Keras gives masked positions zero probability',
  Bidirectional: 'Keras returns zeros at masked steps, tfjs repeats the previous output',
});

/** Whether Keras' result for this layer depends on an incoming mask where tfjs' does not. */
function readsMask(spec: { className: string }, config: JsonObject): boolean {
  if (spec.className === 'Bidirectional') {
    // Returning only the last step, both take the last unmasked one.
    return (config.layer as { config?: JsonObject } | undefined)?.config?.return_sequences === true;
  }
  return spec.className in MASK_EFFECT;
}

/**
 * Whether a mask can reach a node's inputs (tfjs computes masks only when it runs, so nodes do
 * not record them): from Masking or Embedding(maskZero) through layers that pass masks on.
 */
function mayCarryMask(node: TfjsNode): boolean {
  return node.inboundLayers.some((inbound, i) => {
    const cls = inbound.getClassName();
    const props = inbound as unknown as { maskZero?: boolean; returnSequences?: boolean; forwardLayer?: { returnSequences?: boolean } };
    if (cls === 'Masking') return true;
    if (cls === 'Embedding') return props.maskZero === true;
    if (cls === 'InputLayer' || !inbound.supportsMasking) return false;
    // An RNN returning only its last step ends the mask.
    if (RECURRENT.has(cls) && props.returnSequences !== true) return false;
    if (cls === 'Bidirectional' && props.forwardLayer?.returnSequences !== true) return false;
    const source = inbound.inboundNodes[node.nodeIndices[i]] as unknown as TfjsNode | undefined;
    return source ? mayCarryMask(source) : false;
  });
}

/** The layers inside Bidirectional (forward + backward RNN) or TimeDistributed, as Keras nests them. */
function serializeWrapped(layer: TfjsLayer, config: JsonObject, inputShape: Json, kind: NonNullable<Keras3LayerSpec['wrapper']>, file: string): JsonObject {
  const wrapped = layer as unknown as TfjsWrapper;
  const inner = config.layer as { class_name: string; config: JsonObject };
  if (kind === 'spectral_normalization' && wrapped.layer) return { layer: serializeLayer(wrapped.layer, inner.config, inputShape, file) };
  if (kind === 'time_distributed' && wrapped.layer) {
    // The wrapped layer sees one time step: the input shape without its time axis.
    const stepShape = Array.isArray(inputShape) ? [inputShape[0], ...inputShape.slice(2)] : null;
    return { layer: serializeLayer(wrapped.layer, inner.config, stepShape, file) };
  }
  if (!wrapped.forwardLayer || !wrapped.backwardLayer || !RECURRENT.has(inner.class_name)) {
    throw new Keras2TfjsError(
      ErrorCode.UNKNOWN_LAYER,
      `${file}: layer '${layer.name}' wraps a ${inner.class_name}, which keras2tfjs cannot write inside Bidirectional; wrap an LSTM, GRU or SimpleRNN`,
      { file, layer: layer.name },
    );
  }
  // Keras builds the backward layer from the forward config with go_backwards flipped, names the
  // two 'forward_<name>' / 'backward_<name>' (never prefixing twice), and zeroes masked steps of
  // returned sequences (zero_output_for_mask) in both directions.
  const base = String(inner.config.name ?? kerasName(layer)).replace(/^forward_/, '').replace(/\//g, '_');
  const direction = (rnn: TfjsLayer, prefix: string, goBackwards: boolean): JsonObject => {
    const entry = serializeLayer(rnn, { ...inner.config, go_backwards: goBackwards }, inputShape, file);
    Object.assign(entry.config as JsonObject, { name: `${prefix}${base}`, zero_output_for_mask: inner.config.return_sequences === true });
    return entry;
  };
  const forwardGoesBackwards = inner.config.go_backwards === true;
  return {
    layer: direction(wrapped.forwardLayer, 'forward_', forwardGoesBackwards),
    backward_layer: direction(wrapped.backwardLayer, 'backward_', !forwardGoesBackwards),
  };
}

/** For a layer standing for a Keras class (InferenceIdentity), that class. */
function kerasClassOf(layer: TfjsLayer): string {
  const kerasClass = (layer as unknown as { kerasClass?: string }).kerasClass;
  return kerasClass ? `, for Keras' ${kerasClass}` : '';
}

/** tfjs leaves `dtype` unset on layers built without one: they compute in float32. */
function layerDtype(layer: TfjsLayer): string {
  return layer.dtype ?? 'float32';
}

/** tfjs' camelCase config keys as Keras' snake_case ones (values left as they are). */
function snakeKeys(config: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
}

function kerasObjectDict(module: string, className: string, config: JsonObject, registeredName: string | null): JsonObject {
  return { module, class_name: className, config, registered_name: registeredName };
}
