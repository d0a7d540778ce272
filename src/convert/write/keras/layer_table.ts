/**
 * One table, one entry per tfjs layer class keras2tfjs can write for Keras 3.15:
 *   - the Keras class, its module and registered name (what `serialize_keras_object` writes),
 *   - the class-specific config keys, in the order and with the defaults Keras writes,
 *   - whether Keras records a `build_config` for it,
 *   - its variables in Keras' order (how `model.weights.h5` numbers them `vars/0..N`).
 *
 * A class missing here cannot be exported: the caller refuses it, naming the layer.
 *
 * keras2tfjs' compat layers (src/layers/compat/), which the converter puts where tfjs' own class
 * computes differently, go back to the Keras class they stand for: CausalConv1D → Conv1D
 * (padding='causal'), ResetAfterGRU → GRU(reset_after=True), tfjs' RNN around a cell →
 * RNN(cell), ResetAfterGRUCell → GRUCell(reset_after=True),
 * BilinearUpSampling2D → UpSampling2D(interpolation='bilinear'), Normalization → Normalization.
 * Facts checked against Keras 3.15 source (`keras/src/layers/**`) and its own saved files.
 */
import type { Json, JsonObject } from './objects.js';
import { convLstm2d, convTransposeOf, depthwise1d, integerLookup, pairOf, resizing, separable1d, softmaxAxis } from './compat_configs.js';
import { genericRnn } from './recurrent_cells.js';
import { additiveAttention, attention, einsumDense, groupedQueryAttention, groupNormalization, multiHeadAttention, rmsNormalization, unitNormalization } from './attention_configs.js';
import {
  act, con, conv, convTranspose, dataFormat, depthwise, get, globalPooling, GLOROT_UNIFORM, init, normalization, ONES, pooling,
  recurrent, reg, separable, tuple, upSampling, ZEROS, type LayerSource,
} from './layer_configs.js';

export interface Keras3LayerSpec {
  /** Keras class name (also the source of the weights-file group name, snake_cased). */
  className: string;
  /**
   * The tfjs class this spec writes when it is not `className` (see `tfjsClassKey`):
   * a compat layer, or `RNN(<cell class>)` for tfjs' generic RNN around a compat cell.
   */
  tfjsClass?: string;
  /** `module` in config.json: the public export path, or the Python module of a custom class. */
  module: string;
  /** `registered_name`: null for public Keras classes, "package>Class" for registered custom ones. */
  registeredName: string | null;
  /** Keras writes `build_config` only for layers built from an input shape (see layer.py). */
  buildConfig: boolean;
  /** Keras writes an empty `build_config` (IntegerLookup: its lookup table is built in __init__). */
  emptyBuildConfig?: boolean;
  /** tfjs weight names (the part after the layer name) in Keras' variable order. */
  variables: string[];
  /** Variables Keras keeps as int64 where tfjs (which has no int64) holds int32: counters. */
  int64Variables?: string[];
  /** Keras keeps RNN weights on the cell: `layers/lstm/cell/vars/0..2`. */
  cellVariables?: boolean;
  /** A StackedRNNCells' weights: `cell/cells/<cell name>/vars/0..2`, tfjs' `RNNCell_<i>/kernel`, .... */
  stackedCells?: boolean;
  /** Merge layers take one positional list of tensors (`"args": [[kt1, kt2]]`). */
  listInput?: boolean;
  /** The class-specific config keys (the base name/trainable/dtype are added by the caller). */
  config(src: LayerSource): JsonObject;
  /** SpatialDropout and Discretization write their own short base: {..., name, dtype: "<string>"}, no trainable. */
  plainBase?: boolean;
  /**
   * Call arguments Keras records in every functional node of this class: `training: false` for
   * layers whose `call` defaults `training=False`, `mask: null` for those taking a `mask`.
   */
  nodeKwargs?: { training?: boolean; mask?: boolean; trainingDefault?: boolean };
  /**
   * For a layer that stands for several Keras classes (InferenceIdentity): its Keras class,
   * whether Keras writes its build_config, and the call arguments Keras records.
   */
  perLayer?: (layer: { kerasClass?: string }) => Pick<Keras3LayerSpec, 'className' | 'buildConfig' | 'nodeKwargs'> | null;
  /**
   * Wrappers hold whole layers: Bidirectional writes `layer` and `backward_layer` (weights under
   * forward_layer/ and backward_layer/), TimeDistributed writes `layer` (weights under layer/),
   * SpectralNormalization too (its own vars: the wrapped kernel again, then vector_u).
   */
  wrapper?: 'bidirectional' | 'time_distributed' | 'spectral_normalization';
  /**
   * Weights kept on sublayers (MultiHeadAttention's EinsumDense projections): each group
   * `<group>/vars` (attr name = the sublayer's name) holds the listed tfjs weights in order;
   * groups with no variables (the softmax and dropout sublayers) are listed with none.
   */
  sublayers?: (config: JsonObject) => Array<{ group: string; name: string; variables: string[] }>;
  /** A layer called with tensors in roles (call_roles.ts): how Keras records the call. */
  roleCall?: 'mha' | 'dense';
  /** Keras writes build_config as {shapes_dict: {query_shape, value_shape[, key_shape]}}. */
  shapesDict?: boolean;
  /** The Python class, when Keras writes another (exported) name as class_name; names the weights group. */
  pythonClass?: string;
}

const LAYERS = 'keras.layers';

function spec(className: string, buildConfig: boolean, variables: string[], config: (s: LayerSource) => JsonObject,
  extra: Partial<Keras3LayerSpec> = {}): Keras3LayerSpec {
  return { className, module: LAYERS, registeredName: null, buildConfig, variables, config, ...extra };
}

// ---------------------------------------------------------------- the table

const RECURRENT_VARS = ['kernel', 'recurrent_kernel', 'bias'];
const TRAINING = { training: true };
const MASK = { mask: true };
/** Keras 3's preprocessing layers default `training=True` and record it. */
const TRAINING_TRUE = { training: true, trainingDefault: true };
const TRAINING_MASK = { training: true, mask: true };

const SPECS: Keras3LayerSpec[] = [
  spec('Dense', true, ['kernel', 'bias'], (s) => ({
    units: s.config.units,
    activation: act(s),
    use_bias: get(s.config, 'use_bias', true),
    kernel_initializer: init(s, 'kernel_initializer', GLOROT_UNIFORM),
    bias_initializer: init(s, 'bias_initializer', ZEROS),
    kernel_regularizer: reg(s, 'kernel_regularizer'),
    bias_regularizer: reg(s, 'bias_regularizer'),
    kernel_constraint: con(s, 'kernel_constraint'),
    bias_constraint: con(s, 'bias_constraint'),
    quantization_config: null,
  })),
  spec('Activation', false, [], (s) => ({ activation: act(s) })),
  spec('Dropout', false, [], (s) => ({
    rate: s.config.rate,
    seed: get(s.config, 'seed', null),
    noise_shape: get(s.config, 'noise_shape', null),
  }), { nodeKwargs: TRAINING }),
  spec('SpatialDropout1D', false, [], (s) => ({ rate: s.config.rate, seed: get(s.config, 'seed', null) }), {
    plainBase: true,
    nodeKwargs: TRAINING,
  }),
  spec('GaussianNoise', false, [], (s) => ({ stddev: s.config.stddev, seed: null }), { nodeKwargs: TRAINING }),
  spec('GaussianDropout', false, [], (s) => ({ rate: s.config.rate, seed: null }), { nodeKwargs: TRAINING }),
  spec('AlphaDropout', false, [], (s) => ({ rate: s.config.rate, seed: null, noise_shape: get(s.config, 'noise_shape', null) }), {
    nodeKwargs: TRAINING,
  }),
  spec('Flatten', true, [], (s) => ({ data_format: dataFormat(s) })),
  spec('Reshape', false, [], (s) => ({ target_shape: s.config.target_shape })),
  spec('Permute', true, [], (s) => ({ dims: s.config.dims })),
  spec('RepeatVector', true, [], (s) => ({ n: s.config.n })),
  spec('Masking', false, [], (s) => ({ mask_value: get(s.config, 'mask_value', 0) })),
  spec('Rescaling', true, [], (s) => ({ scale: s.config.scale, offset: get(s.config, 'offset', 0) })),
  spec('Embedding', true, ['embeddings'], (s) => ({
    input_dim: s.config.input_dim,
    output_dim: s.config.output_dim,
    embeddings_initializer: init(s, 'embeddings_initializer', {
      class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null },
    }),
    embeddings_regularizer: reg(s, 'embeddings_regularizer'),
    activity_regularizer: reg(s, 'activity_regularizer'),
    embeddings_constraint: con(s, 'embeddings_constraint'),
    mask_zero: get(s.config, 'mask_zero', false),
    quantization_config: null,
  })),
  spec('Conv1D', true, ['kernel', 'bias'], conv(1)),
  spec('Conv2D', true, ['kernel', 'bias'], conv(2)),
  spec('Conv2D', true, ['kernel', 'bias'], (s) => ({ ...conv(2)(s), groups: s.config.groups }), { tfjsClass: 'GroupedConv2D' }),
  spec('Conv2DTranspose', true, ['kernel', 'bias'], convTranspose),
  spec('DepthwiseConv2D', true, ['depthwise_kernel', 'bias'], depthwise),
  spec('SeparableConv2D', true, ['depthwise_kernel', 'pointwise_kernel', 'bias'], separable),
  spec('MaxPooling1D', false, [], pooling(1)),
  spec('MaxPooling2D', false, [], pooling(2)),
  spec('AveragePooling1D', false, [], pooling(1)),
  spec('AveragePooling2D', false, [], pooling(2)),
  spec('GlobalAveragePooling1D', false, [], globalPooling, { nodeKwargs: MASK }),
  spec('GlobalAveragePooling2D', false, [], globalPooling),
  spec('GlobalMaxPooling1D', false, [], globalPooling),
  spec('GlobalMaxPooling2D', false, [], globalPooling),
  // keras2tfjs' global pooling (tfjs has no 3D one, and drops pooled axes even with keepdims).
  spec('GlobalAveragePooling3D', false, [], globalPooling),
  spec('GlobalMaxPooling3D', false, [], globalPooling),
  spec('GlobalAveragePooling1D', false, [], globalPooling, { tfjsClass: 'KeepDimsGlobalAveragePooling1D', nodeKwargs: MASK }),
  spec('GlobalAveragePooling2D', false, [], globalPooling, { tfjsClass: 'KeepDimsGlobalAveragePooling2D' }),
  spec('GlobalMaxPooling1D', false, [], globalPooling, { tfjsClass: 'KeepDimsGlobalMaxPooling1D' }),
  spec('GlobalMaxPooling2D', false, [], globalPooling, { tfjsClass: 'KeepDimsGlobalMaxPooling2D' }),
  spec('BatchNormalization', true, ['gamma', 'beta', 'moving_mean', 'moving_variance'], (s) => ({
    axis: get(s.config, 'axis', -1),
    momentum: get(s.config, 'momentum', 0.99),
    epsilon: get(s.config, 'epsilon', 0.001),
    center: get(s.config, 'center', true),
    scale: get(s.config, 'scale', true),
    beta_initializer: init(s, 'beta_initializer', ZEROS),
    gamma_initializer: init(s, 'gamma_initializer', ONES),
    moving_mean_initializer: init(s, 'moving_mean_initializer', ZEROS),
    moving_variance_initializer: init(s, 'moving_variance_initializer', ONES),
    beta_regularizer: reg(s, 'beta_regularizer'),
    gamma_regularizer: reg(s, 'gamma_regularizer'),
    beta_constraint: con(s, 'beta_constraint'),
    gamma_constraint: con(s, 'gamma_constraint'),
    synchronized: false,
    renorm: false,
    renorm_clipping: null,
    renorm_momentum: 0.99,
  }), { nodeKwargs: MASK }),
  spec('LayerNormalization', true, ['gamma', 'beta'], (s) => ({
    axis: layerNormalizationAxis(s),
    epsilon: get(s.config, 'epsilon', 0.001),
    center: get(s.config, 'center', true),
    scale: get(s.config, 'scale', true),
    rms_scaling: false,
    beta_initializer: init(s, 'beta_initializer', ZEROS),
    gamma_initializer: init(s, 'gamma_initializer', ONES),
    beta_regularizer: reg(s, 'beta_regularizer'),
    gamma_regularizer: reg(s, 'gamma_regularizer'),
    beta_constraint: con(s, 'beta_constraint'),
    gamma_constraint: con(s, 'gamma_constraint'),
  })),
  spec('Add', true, [], () => ({}), { listInput: true }),
  spec('Subtract', true, [], () => ({}), { listInput: true }),
  // keras2tfjs' merges handing on masks as Keras does (masked models): the same Keras classes.
  ...['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum'].map((name) =>
    spec(name, true, [], () => ({}), { listInput: true, tfjsClass: `Masked${name}` })),
  spec('Multiply', true, [], () => ({}), { listInput: true }),
  spec('Average', true, [], () => ({}), { listInput: true }),
  spec('Maximum', true, [], () => ({}), { listInput: true }),
  spec('Minimum', true, [], () => ({}), { listInput: true }),
  spec('Concatenate', true, [], (s) => ({ axis: get(s.config, 'axis', -1) }), { listInput: true }),
  spec('Dot', true, [], (s) => ({ axes: s.config.axes, normalize: get(s.config, 'normalize', false) }), { listInput: true }),
  spec('LSTM', true, RECURRENT_VARS, recurrent('lstm'), { cellVariables: true, nodeKwargs: TRAINING_MASK }),
  spec('GRU', true, RECURRENT_VARS, recurrent('gru'), { cellVariables: true, nodeKwargs: TRAINING_MASK }),
  spec('SimpleRNN', true, RECURRENT_VARS, recurrent('simple'), { cellVariables: true, nodeKwargs: TRAINING_MASK }),
  spec('ConvLSTM2D', true, RECURRENT_VARS, convLstm2d, { cellVariables: true, nodeKwargs: TRAINING_MASK }),
  spec('ReLU', false, [], (s) => ({ max_value: get(s.config, 'max_value', null), negative_slope: 0, threshold: 0 })),
  spec('LeakyReLU', false, [], (s) => ({ negative_slope: get(s.config, 'alpha', 0.3) })),
  spec('ELU', false, [], (s) => ({ alpha: get(s.config, 'alpha', 1) })),
  spec('Softmax', false, [], (s) => ({ axis: get(s.config, 'axis', -1) }), { nodeKwargs: MASK }),
  spec('PReLU', true, ['alpha'], (s) => ({
    alpha_initializer: init(s, 'alpha_initializer', ZEROS),
    alpha_regularizer: reg(s, 'alpha_regularizer'),
    alpha_constraint: con(s, 'alpha_constraint'),
    shared_axes: get(s.config, 'shared_axes', null),
  })),
  spec('ZeroPadding2D', true, [], (s) => ({ padding: s.config.padding, data_format: dataFormat(s) })),
  spec('Cropping2D', true, [], (s) => ({ cropping: s.config.cropping, data_format: dataFormat(s) })),
  // Integer-factor nearest upsampling repeats pixels in both; tfjs' bilinear sampling grid
  // differs from Keras' (half-pixel centers), keras2tfjs' BilinearUpSampling2D samples as Keras.
  spec('UpSampling2D', true, [], upSampling('nearest')),
  spec('UpSampling2D', true, [], upSampling('bilinear'), { tfjsClass: 'BilinearUpSampling2D' }),
  spec('Conv1D', true, ['kernel', 'bias'], conv(1), { tfjsClass: 'CausalConv1D' }),
  spec('GRU', true, RECURRENT_VARS, recurrent('gru', true), {
    tfjsClass: 'ResetAfterGRU',
    cellVariables: true,
    nodeKwargs: TRAINING_MASK,
  }),
  // keras.layers.RNN around a cell (recurrent_cells.ts). RNN(ResetAfterGRUCell) is also what
  // models converted before ResetAfterGRU existed hold for a GRU: the same computation.
  ...['LSTMCell', 'GRUCell', 'ResetAfterGRUCell', 'SimpleRNNCell'].map((cell) =>
    spec('RNN', true, RECURRENT_VARS, genericRnn, { tfjsClass: `RNN(${cell})`, cellVariables: true, nodeKwargs: TRAINING_MASK })),
  ...['KerasStackedRNNCells', 'StackedRNNCells'].map((stack) =>
    spec('RNN', true, RECURRENT_VARS, genericRnn, { tfjsClass: `RNN(${stack})`, stackedCells: true, nodeKwargs: TRAINING_MASK })),
  spec('Normalization', true, ['mean', 'variance', 'count'], normalization, { int64Variables: ['count'] }),
  spec('EinsumDense', true, ['kernel', 'bias'], einsumDense),
  spec('MultiHeadAttention', true, [], multiHeadAttention, { sublayers: attentionSublayers(''), roleCall: 'mha', shapesDict: true }),
  spec('GroupQueryAttention', true, [], groupedQueryAttention, {
    tfjsClass: 'GroupedQueryAttention', pythonClass: 'GroupedQueryAttention', sublayers: attentionSublayers('_'), roleCall: 'mha', shapesDict: true,
  }),
  spec('Attention', true, ['scale', 'concat_score_weight'], attention, { roleCall: 'dense' }),
  spec('AdditiveAttention', true, ['scale'], additiveAttention, { roleCall: 'dense' }),
  spec('GroupNormalization', true, ['gamma', 'beta'], groupNormalization),
  spec('UnitNormalization', false, [], unitNormalization),
  spec('RMSNormalization', true, ['scale'], rmsNormalization),
  // ConvNeXt's own layer (keras.applications), saved under its Python module and class name.
  spec('LayerScale', true, ['gamma'], (s) => ({ init_values: s.config.init_values, projection_dim: s.config.projection_dim }), {
    module: 'keras.src.applications.convnext',
    registeredName: 'LayerScale',
  }),
  // keras2tfjs' layers for Keras classes tfjs lacks or computes otherwise.
  spec('Conv1DTranspose', true, ['kernel', 'bias'], convTransposeOf(1)),
  spec('Conv3DTranspose', true, ['kernel', 'bias'], convTransposeOf(3), { tfjsClass: 'KerasConv3DTranspose' }),
  spec('DepthwiseConv1D', true, ['depthwise_kernel', 'bias'], depthwise1d),
  spec('SeparableConv1D', true, ['depthwise_kernel', 'pointwise_kernel', 'bias'], separable1d),
  spec('Conv3D', true, ['kernel', 'bias'], conv(3)),
  spec('AveragePooling3D', false, [], pooling(3)),
  spec('MaxPooling3D', false, [], pooling(3)),
  spec('Cropping1D', true, [], (s) => ({ cropping: pairOf(s.config.cropping) })),
  spec('Cropping3D', true, [], (s) => ({ cropping: s.config.cropping, data_format: dataFormat(s) })),
  spec('ZeroPadding1D', true, [], (s) => ({ padding: pairOf(s.config.padding), data_format: dataFormat(s) })),
  spec('ZeroPadding3D', true, [], (s) => ({ padding: s.config.padding, data_format: dataFormat(s) })),
  spec('UpSampling1D', true, [], (s) => ({ size: Array.isArray(s.config.size) ? s.config.size[0] : s.config.size })),
  spec('UpSampling3D', true, [], (s) => ({ size: tuple(s.config.size, 3), data_format: dataFormat(s) })),
  ...['AdaptiveAveragePooling1D', 'AdaptiveAveragePooling2D', 'AdaptiveAveragePooling3D', 'AdaptiveMaxPooling1D', 'AdaptiveMaxPooling2D', 'AdaptiveMaxPooling3D']
    .map((name) => spec(name, true, [], (s) => ({ output_size: s.config.output_size, data_format: dataFormat(s) }))),
  ...['SpatialDropout2D', 'SpatialDropout3D'].map((name) =>
    spec(name, false, [], (s) => ({ rate: s.config.rate, seed: get(s.config, 'seed', null), data_format: dataFormat(s) }), {
      plainBase: true,
      nodeKwargs: TRAINING,
    })),
  spec('ELU', false, [], (s) => ({ alpha: get(s.config, 'alpha', 1) }), { tfjsClass: 'KerasELU' }),
  spec('ReLU', false, [], (s) => ({
    max_value: get(s.config, 'max_value', null), negative_slope: get(s.config, 'negative_slope', 0), threshold: get(s.config, 'threshold', 0),
  }), { tfjsClass: 'KerasReLU' }),
  spec('Softmax', false, [], (s) => ({ axis: softmaxAxis(s.config.axis) }), { tfjsClass: 'KerasSoftmax', nodeKwargs: MASK }),
  spec('Resizing', true, [], resizing, { tfjsClass: 'KerasResizing', nodeKwargs: TRAINING_TRUE }),
  spec('CenterCrop', true, [], (s) => ({ data_format: dataFormat(s), height: s.config.height, width: s.config.width }), {
    tfjsClass: 'KerasCenterCrop', nodeKwargs: TRAINING_TRUE,
  }),
  spec('AutoContrast', true, [], (s) => ({ data_format: dataFormat(s), value_range: get(s.config, 'value_range', [0, 255]) }), { nodeKwargs: TRAINING_TRUE }),
  spec('CategoryEncoding', true, [], (s) => ({ num_tokens: s.config.num_tokens, output_mode: get(s.config, 'output_mode', 'multi_hot') }), {
    tfjsClass: 'KerasCategoryEncoding',
  }),
  spec('Discretization', true, [], (s) => ({
    bin_boundaries: s.config.bin_boundaries, num_bins: null, epsilon: 0.01, output_mode: get(s.config, 'output_mode', 'int'), sparse: false,
  }), { plainBase: true }),
  spec('IntegerLookup', true, [], integerLookup, { emptyBuildConfig: true }),
  spec('ReversibleEmbedding', true, ['embeddings', 'reverse_embeddings'], (s) => ({
    input_dim: s.config.input_dim,
    output_dim: s.config.output_dim,
    embeddings_initializer: init(s, 'embeddings_initializer', { class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } }),
    embeddings_regularizer: null,
    activity_regularizer: null,
    embeddings_constraint: null,
    mask_zero: get(s.config, 'mask_zero', false),
    quantization_config: null,
    tie_weights: get(s.config, 'tie_weights', true),
    reverse_dtype: null,
    logit_soft_cap: get(s.config, 'logit_soft_cap', null),
  })),
  {
    // The identity at inference (augmentation, Identity, ActivityRegularization): the Keras class
    // and config it kept, written back as they were.
    ...spec('InferenceIdentity', true, [], (s) => {
      // tf.keras' random layers also record their generator's settings, which Keras 3 refuses.
      const { rng_type: _rng, force_generator: _force, ...own } = (s.layer as unknown as { kerasConfig: JsonObject }).kerasConfig;
      return own;
    }),
    tfjsClass: 'InferenceIdentity',
    perLayer: (layer) => {
      // tf.keras' RandomHeight and RandomWidth have no Keras 3 class.
      if (layer.kerasClass === 'RandomHeight' || layer.kerasClass === 'RandomWidth') return null;
      const plain = layer.kerasClass === 'Identity' || layer.kerasClass === 'ActivityRegularization';
      return { className: String(layer.kerasClass), buildConfig: !plain, nodeKwargs: plain ? {} : TRAINING_TRUE };
    },
  },
  // The wrapped layers are written by model_config.ts / weights.ts (they recurse).
  spec('Bidirectional', true, [], (s) => ({ merge_mode: s.config.merge_mode === undefined ? 'concat' : s.config.merge_mode }), {
    wrapper: 'bidirectional',
    nodeKwargs: MASK,
  }),
  spec('TimeDistributed', true, [], () => ({}), { wrapper: 'time_distributed', nodeKwargs: MASK }),
  spec('SpectralNormalization', true, ['vector_u'], (s) => ({ power_iterations: get(s.config, 'power_iterations', 1) }), {
    wrapper: 'spectral_normalization',
    nodeKwargs: TRAINING,
  }),
  // keras2tfjs' own layer: the Python twin lives in python/keras2tfjs/manual_dropout.py and
  // registers itself as keras2tfjs>ManualDropout; like Dropout it is built at construction.
  {
    className: 'ManualDropout',
    module: 'keras2tfjs.manual_dropout',
    registeredName: 'keras2tfjs>ManualDropout',
    buildConfig: false,
    variables: [],
    config: (s) => ({
      rate: s.config.rate,
      noise_shape: get(s.config, 'noise_shape', null),
      seed: get(s.config, 'seed', null),
      scaling: get(s.config, 'scaling', 'train'),
      always_on: get(s.config, 'always_on', false),
      rng: get(s.config, 'rng', 'tensorflow'),
    }),
    nodeKwargs: TRAINING,
  },
];

/**
 * The projections of MultiHeadAttention / GroupedQueryAttention where Keras 3's saving keeps
 * them: under MHA's properties (query_dense, ...), under GQA's attributes (_query_dense, ...).
 */
function attentionSublayers(prefix: '' | '_') {
  return (c: JsonObject): Array<{ group: string; name: string; variables: string[] }> => {
    const dense = (group: string, name: string) => ({ group: `${prefix}${group}`, name, variables: [`${name}/kernel`, `${name}/bias`] });
    return [
      dense('query_dense', 'query'),
      dense('key_dense', 'key'),
      // MultiHeadAttention has no gate_dense property: Keras saves its gate under _gate_dense.
      ...(c.use_gate === true ? [{ ...dense('gate_dense', 'gate'), group: '_gate_dense' }] : []),
      dense('value_dense', 'value'),
      dense('output_dense', 'attention_output'),
      { group: '_softmax', name: 'softmax', variables: [] },
      { group: '_dropout_layer', name: 'dropout', variables: [] },
    ];
  };
}

const BY_TFJS_CLASS = new Map(SPECS.map((s) => [s.tfjsClass ?? s.className, s]));

/**
 * tfjs' LayerNormalization resolves its axes to positive ones when it builds; Keras writes what
 * the user gave, by default [-1]. The last axis alone goes back as -1 (Keras' default); others
 * stay as tfjs holds them (the same axes).
 */
function layerNormalizationAxis(s: LayerSource): Json {
  const axis = get(s.config, 'axis', -1);
  const node = (s.layer as unknown as { inboundNodes: Array<{ inputShapes: unknown }> }).inboundNodes[0];
  const shape = node?.inputShapes;
  const rank = Array.isArray(shape) ? (Array.isArray(shape[0]) ? (shape[0] as unknown[]).length : shape.length) : null;
  const list = Array.isArray(axis) ? axis : [axis];
  return list.length === 1 && rank !== null && list[0] === rank - 1 ? [-1] : axis;
}

/**
 * The key a tfjs layer is looked up by: its class name, or `RNN(<cell class>)` for tfjs' generic
 * RNN, which is whichever Keras layer its cell makes it.
 */
export function tfjsClassKey(layer: { getClassName(): string }): string {
  const className = layer.getClassName();
  const cell = (layer as { cell?: { getClassName(): string } }).cell;
  return className === 'RNN' && cell ? `RNN(${cell.getClassName()})` : className;
}

/** The spec for a tfjs layer, or undefined when keras2tfjs cannot write it. */
export function specForLayer(layer: { getClassName(): string }): Keras3LayerSpec | undefined {
  const spec = BY_TFJS_CLASS.get(tfjsClassKey(layer));
  if (!spec?.perLayer) return spec;
  const own = spec.perLayer(layer as { kerasClass?: string });
  return own ? { ...spec, ...own } : undefined;
}

/** Every tfjs layer class keras2tfjs can export, for error messages and docs. */
export function exportableClasses(): string[] {
  return [...BY_TFJS_CLASS.keys()].sort();
}
