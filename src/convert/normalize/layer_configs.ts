/**
 * Per-class config rewrites: the keys Keras 2.x/3 layers have that tfjs 4.22 names differently,
 * does not read, or cannot honour. A key that only records a default is dropped; a setting that
 * would change the computation in tfjs is refused (UNSUPPORTED_SEMANTICS through the context).
 * Part of normalize/model_config.
 */
import { isObject, type ValueContext } from './values.js';
import { encodeString } from '../../layers/compat/ops/template.js';

type Config = Record<string, unknown>;
type Layer = { class_name: string; config: Config };

export interface LayerHooks {
  /** Normalizes a wrapped layer (Bidirectional / TimeDistributed `layer`). */
  inner(entry: Config, name: string): Layer;
}

const CONVS = new Set([
  'Conv1D', 'Conv2D', 'Conv3D', 'Conv1DTranspose', 'Conv2DTranspose', 'KerasConv3DTranspose', 'SeparableConv1D', 'SeparableConv2D',
  'DepthwiseConv1D', 'DepthwiseConv2D',
]);
/** keras2tfjs' transposed convolutions, which compute Keras' output_padding (tfjs' own has none). */
const OUTPUT_PADDING = new Set(['Conv1DTranspose', 'KerasConv3DTranspose']);
const RECURRENT = new Set(['LSTM', 'GRU', 'SimpleRNN']);
const GLOBAL_POOLING = new Set(['GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D']);

export function rewriteLayerConfig(className: string, c: Config, ctx: ValueContext, hooks: LayerHooks): Layer {
  /** Drops `key` if it holds `fine` (or is absent); otherwise records why tfjs cannot follow. */
  const onlyDefault = (key: string, fine: (v: unknown) => boolean, why: string): void => {
    if (key in c && !fine(c[key])) ctx.unsupported(`${ctx.where} sets ${key}=${JSON.stringify(c[key])}: ${why}`);
    delete c[key];
  };
  const falsy = (v: unknown): boolean => v === null || v === undefined || v === false || v === 0;

  // Keras 3 quantization and LoRA change the weights' meaning; tfjs has neither.
  onlyDefault('quantization_config', falsy, 'quantized layers cannot run in tfjs; save the model unquantized');
  onlyDefault('lora_rank', falsy, 'LoRA adapters are not part of tfjs layers; merge them into the kernel before saving');
  delete c.lora_alpha;

  if (className === 'InputLayer') {
    if ('batch_shape' in c) {
      if (!('batch_input_shape' in c)) c.batch_input_shape = c.batch_shape;
      delete c.batch_shape;
    }
    if (!('batch_input_shape' in c) && Array.isArray(c.input_shape)) c.batch_input_shape = [c.batch_size ?? null, ...c.input_shape];
    delete c.input_shape;
    delete c.batch_size;
    onlyDefault('sparse', falsy, 'tfjs has no sparse inputs');
    onlyDefault('ragged', falsy, 'tfjs has no ragged inputs');
    onlyDefault('optional', falsy, 'tfjs has no optional inputs');
    delete c.input_tensor;
    return { class_name: className, config: c };
  }

  if (className === 'SeparableConv2D' || className === 'SeparableConv1D') {
    // tf.keras' SeparableConv inherits Conv's get_config and always writes kernel_initializer,
    // kernel_regularizer and kernel_constraint, which it never uses (its kernels are the
    // depthwise and pointwise ones); tfjs refuses the keys, so they go.
    delete c.kernel_initializer;
    delete c.kernel_regularizer;
    delete c.kernel_constraint;
  }

  if (className === 'Conv2D' && typeof c.groups === 'number' && c.groups > 1) {
    // tfjs' Conv2D has no groups (ConvNeXt's depthwise convolutions are Conv2D(groups=channels)).
    return { class_name: 'GroupedConv2D', config: c };
  }

  if (CONVS.has(className)) {
    onlyDefault('groups', (v) => v === 1 || v == null, 'tfjs convolutions have no groups');
    if (!OUTPUT_PADDING.has(className)) onlyDefault('output_padding', (v) => v == null, "tfjs' Conv2DTranspose has no output_padding");
  }

  if (className === 'BatchNormalization') {
    if (Array.isArray(c.axis)) {
      if (c.axis.length === 1) c.axis = c.axis[0];
      else ctx.unsupported(`${ctx.where} normalizes over several axes ${JSON.stringify(c.axis)}; tfjs' BatchNormalization takes one`);
    }
    onlyDefault('renorm', falsy, 'tfjs has no batch renormalization');
    delete c.renorm_clipping;
    delete c.renorm_momentum;
    onlyDefault('virtual_batch_size', (v) => v == null, 'tfjs has no virtual batches');
    onlyDefault('adjustment', (v) => v == null, 'tfjs has no BatchNormalization adjustment');
    delete c.synchronized;
    delete c.fused;
  }

  if (className === 'LayerNormalization') {
    onlyDefault('rms_scaling', falsy, "tfjs' LayerNormalization has no RMS scaling");
  }

  if (className === 'MultiHeadAttention' || className === 'GroupedQueryAttention') {
    // tf.keras records the shapes it was built with; Keras 3 keeps them in build_config.
    delete c.query_shape;
    delete c.key_shape;
    delete c.value_shape;
    delete c.flash_attention;
    // How masked scores are treated differs between tf.keras (additive −1e9, or where() with
    // softmax_robust_masking) and Keras 3 (where(), masked outputs zeroed): see masked_softmax.ts.
    const robust = c.softmax_robust_masking === true;
    delete c.softmax_robust_masking;
    if (className === 'MultiHeadAttention') c.masking = ctx.kerasMajor <= 2 ? (robust ? 'robust' : 'additive') : 'keras3';
  }

  if (className === 'Attention' || className === 'AdditiveAttention') {
    // tf.keras' deprecated `causal` argument is use_causal_mask.
    if (c.causal === true) c.use_causal_mask = true;
    delete c.causal;
  }

  if (className === 'UnitNormalization' && ctx.kerasMajor <= 2) {
    // tf.keras: tf.nn.l2_normalize(ε = 1e-12) = x · min(rsqrt(Σx²), 1/√ε).
    c.norm_epsilon = 1e-6;
  }

  if (className === 'EinsumDense') delete c.gptq_unpacked_column_size;

  if (className === 'LeakyReLU' && 'negative_slope' in c) {
    // Keras 3 renamed alpha to negative_slope (same default, 0.3).
    if (!('alpha' in c)) c.alpha = c.negative_slope;
    delete c.negative_slope;
  }

  if (className === 'ReLU' && !(falsy(c.negative_slope) && falsy(c.threshold))) {
    // tfjs' ReLU has neither a negative slope nor a threshold; keras2tfjs' KerasReLU has both.
    return { class_name: 'KerasReLU', config: c };
  }
  if (className === 'ReLU') {
    delete c.negative_slope;
    delete c.threshold;
  }

  if (className === 'ELU' && typeof c.alpha === 'number' && c.alpha !== 1) {
    // tfjs' ELU refuses any alpha but 1.
    return { class_name: 'KerasELU', config: c };
  }

  if (className === 'Softmax' && !(c.axis === -1 || c.axis === undefined || (Array.isArray(c.axis) && c.axis.length === 1 && c.axis[0] === -1))) {
    // tfjs' Softmax normalizes the last axis only (masks: normalize/masks.ts).
    return { class_name: 'KerasSoftmax', config: { ...c, masking: ctx.kerasMajor <= 2 ? 'additive' : 'keras3' } };
  }

  if (OUTPUT_PADDING.has(className)) {
    const dilated = (Array.isArray(c.dilation_rate) ? c.dilation_rate : [c.dilation_rate]).some((d) => d !== undefined && d !== null && d !== 1);
    if (dilated) ctx.unsupported(`${ctx.where} is a dilated transposed convolution, which keras2tfjs does not compute; use dilation_rate=1`);
    delete c.dilation_rate;
  }

  if (className === 'KerasResizing') {
    onlyDefault('antialias', falsy, 'tfjs resizes without antialiasing');
    onlyDefault('fill_mode', (v) => v === 'constant' || v == null, "Keras itself only pads with fill_mode 'constant'");
    if (c.interpolation !== undefined && c.interpolation !== 'bilinear' && c.interpolation !== 'nearest') {
      ctx.unsupported(`${ctx.where} resizes with interpolation '${String(c.interpolation)}'; tfjs has bilinear and nearest`);
    }
  }

  if (className === 'InferenceIdentity' && c.keras_class === 'RandomCrop' && ctx.kerasMajor <= 2 && isObject(c.keras_config)) {
    // tf.keras' RandomCrop crops to the target's aspect ratio and resizes when it predicts (smart_resize).
    const k = c.keras_config;
    return { class_name: 'KerasResizing', config: { name: c.name, trainable: c.trainable, height: k.height, width: k.width, crop_to_aspect_ratio: true, data_format: k.data_format ?? 'channels_last' } };
  }
  if (className === 'InferenceIdentity') {
    // Kept verbatim for exportKeras: encoded so that tfjs' string rewriting leaves it alone.
    c.keras_class = encodeString(String(c.keras_class));
    c.keras_config = encodeString(JSON.stringify(c.keras_config ?? {}));
  }

  if (className === 'IntegerLookup' && !Array.isArray(c.vocabulary)) {
    ctx.unsupported(`${ctx.where} keeps its adapted vocabulary in a file beside the config, which keras2tfjs does not read; pass the vocabulary as a list when building the layer`);
  }

  if (GLOBAL_POOLING.has(className)) {
    // tfjs' global pooling always drops the pooled axes; keras2tfjs' KeepDims… variants keep them.
    const keep = c.keepdims === true;
    delete c.keepdims;
    if (keep) return { class_name: `KeepDims${className}`, config: { ...c, keepdims: true } };
  }

  if (className === 'Embedding') {
    onlyDefault('sparse', falsy, 'tfjs has no sparse embeddings');
  }

  if (RECURRENT.has(className)) {
    delete c.seed; // only seeds recurrent dropout, which tfjs draws its own way
    delete c.use_cudnn;
    delete c.zero_output_for_mask;
    onlyDefault('time_major', falsy, 'tfjs RNNs are batch-major');
  }

  if (className === 'GRU') {
    const resetAfter = c.reset_after === true;
    delete c.reset_after;
    // tfjs' GRUCell implements only reset_after=False; keras2tfjs' ResetAfterGRUCell the other.
    if (resetAfter) return resetAfterGru(c);
  }

  if (className === 'RNN' && isObject(c.cell)) {
    delete c.zero_output_for_mask;
    c.cell = rnnCell(c.cell, ctx);
  }

  if (className === 'Conv1D' && c.padding === 'causal') {
    // tfjs accepts 'causal' in a Conv1D config but cannot run it.
    return { class_name: 'CausalConv1D', config: c };
  }

  if (className === 'UpSampling2D' && c.interpolation !== undefined && c.interpolation !== 'nearest') {
    // Keras resizes with TF2's half-pixel centers; tfjs' UpSampling2D calls resizeBilinear
    // without them (different pixels). Nearest-neighbour upsampling by whole factors agrees.
    if (c.interpolation === 'bilinear') return { class_name: 'BilinearUpSampling2D', config: c };
    ctx.unsupported(`${ctx.where} upsamples with interpolation='${String(c.interpolation)}', which tfjs does not implement; only 'nearest' and 'bilinear' convert`);
  }

  if (className === 'Rescaling') {
    for (const key of ['scale', 'offset']) {
      if (Array.isArray(c[key])) ctx.unsupported(`${ctx.where} has a per-channel ${key}; tfjs' Rescaling takes one number`);
    }
  }

  if (className === 'Bidirectional') return bidirectional(c, ctx, hooks);
  if (className === 'TimeDistributed' || className === 'SpectralNormalization') {
    const inner = c.layer;
    if (!isObject(inner)) {
      ctx.unsupported(`${ctx.where} is a ${className} wrapper without a layer`);
      return { class_name: className, config: c };
    }
    c.layer = hooks.inner(inner, innerName(inner, `${String(c.name)}_inner`));
  }
  return { class_name: className, config: c };
}

/** Keys of a Keras RNN config that belong to the RNN layer; the rest configure the cell. */
const RNN_LAYER_KEYS = ['name', 'trainable', 'dtype', 'return_sequences', 'return_state', 'go_backwards', 'stateful', 'unroll', 'batch_input_shape', 'input_shape', 'activity_regularizer'];

/**
 * A reset_after GRU as keras2tfjs' ResetAfterGRU (tfjs' generic RNN, under a name whose
 * deserialization Bidirectional survives) around its ResetAfterGRUCell (same weights).
 */
function resetAfterGru(c: Config): Layer {
  const layer: Config = {};
  const cell: Config = {};
  for (const [k, v] of Object.entries(c)) {
    if (RNN_LAYER_KEYS.includes(k)) layer[k] = v;
    else cell[k] = v;
  }
  if (c.dtype !== undefined) cell.dtype = c.dtype;
  cell.name = `${String(c.name)}_cell`;
  layer.cell = { class_name: 'ResetAfterGRUCell', config: cell };
  return { class_name: 'ResetAfterGRU', config: layer };
}

/**
 * The cell of a generic RNN (Keras 3 writes {module, class_name, config, registered_name}):
 * Keras' GRUCell with reset_after (its default) → ResetAfterGRUCell, StackedRNNCells →
 * KerasStackedRNNCells (tfjs' own cannot load weights; recurrent/stacked_rnn_cells.ts), cells
 * within it likewise; keys only Keras reads are dropped.
 */
function rnnCell(cell: Config, ctx: ValueContext): Config {
  const className = String(cell.class_name);
  const c: Config = isObject(cell.config) ? { ...cell.config } : {};
  delete c.seed; // only seeds recurrent dropout, which tfjs draws its own way
  if (className === 'StackedRNNCells') {
    const cells = Array.isArray(c.cells) ? c.cells.filter(isObject).map((inner) => rnnCell(inner, ctx)) : [];
    return { class_name: 'KerasStackedRNNCells', config: { ...c, cells } };
  }
  if (className === 'GRUCell') {
    const resetAfter = c.reset_after !== false;
    delete c.reset_after;
    return { class_name: resetAfter ? 'ResetAfterGRUCell' : 'GRUCell', config: c };
  }
  return { class_name: className, config: c };
}

function innerName(entry: Config, fallback: string): string {
  const cfg = entry.config;
  return isObject(cfg) && typeof cfg.name === 'string' ? cfg.name : fallback;
}

/**
 * tfjs builds the backward layer itself (the forward config with go_backwards flipped). Keras 3
 * always writes `backward_layer`; when it is exactly that mirror it is dropped, else refused.
 */
function bidirectional(c: Config, ctx: ValueContext, hooks: LayerHooks): Layer {
  const inner = c.layer;
  if (!isObject(inner)) {
    ctx.unsupported(`${ctx.where} is a Bidirectional wrapper without a layer`);
    return { class_name: 'Bidirectional', config: c };
  }
  const forward = hooks.inner(inner, innerName(inner, 'forward'));
  c.layer = forward;
  if (isObject(c.backward_layer)) {
    const backward = hooks.inner(c.backward_layer, innerName(c.backward_layer, 'backward'));
    if (!mirrors(forward, backward)) {
      ctx.unsupported(`${ctx.where} has a backward layer that is not the forward layer run backwards; tfjs' Bidirectional cannot take a separate one`);
    }
  }
  delete c.backward_layer;
  return { class_name: 'Bidirectional', config: c };
}

function mirrors(f: Layer, b: Layer): boolean {
  if (f.class_name !== b.class_name) return false;
  const strip = (cfg: Config, flip: boolean): Config => {
    const out: Config = { ...cfg };
    delete out.name;
    if (flip) out.go_backwards = !out.go_backwards;
    // A layer rewritten around a cell (reset_after GRU → ResetAfterGRU) names the cell
    // after its layer: the two directions differ by that name only.
    if (isObject(out.cell) && isObject(out.cell.config)) {
      const cellConfig: Config = { ...out.cell.config };
      delete cellConfig.name;
      out.cell = { ...out.cell, config: cellConfig };
    }
    return out;
  };
  return JSON.stringify(sortKeys(strip(f.config, true))) === JSON.stringify(sortKeys(strip(b.config, false)));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
}
