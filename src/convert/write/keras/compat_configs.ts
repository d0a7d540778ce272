/**
 * Keras 3.15 get_config of the convolution and preprocessing layers keras2tfjs adds
 * (src/layers/compat/convolutional, preprocessing, activations): class keys in Keras' order and
 * defaults, from the compat layer's tfjs config (snake_case).
 */
import { act, con, conv, dataFormat, get, GLOROT_UNIFORM, init, reg, tuple, ZEROS, type LayerSource } from './layer_configs.js';
import type { Json, JsonObject } from './objects.js';

/** Conv1DTranspose and Conv3DTranspose (KerasConv3DTranspose), output_padding included. */
export function convTransposeOf(rank: number) {
  return (s: LayerSource): JsonObject => {
    const { groups: _groups, ...base } = conv(rank)(s);
    const { filters, kernel_size, strides, padding, ...rest } = base;
    const outputPadding = s.config.output_padding;
    return { filters, kernel_size, strides, padding, output_padding: outputPadding == null ? null : tuple(outputPadding, rank), ...rest };
  };
}

export function depthwise1d(s: LayerSource): JsonObject {
  return {
    depth_multiplier: get(s.config, 'depth_multiplier', 1),
    kernel_size: tuple(s.config.kernel_size, 1),
    strides: tuple(get(s.config, 'strides', 1), 1),
    padding: get(s.config, 'padding', 'valid'),
    data_format: dataFormat(s),
    dilation_rate: tuple(get(s.config, 'dilation_rate', 1), 1),
    activation: act(s),
    use_bias: get(s.config, 'use_bias', true),
    depthwise_initializer: init(s, 'depthwise_initializer', GLOROT_UNIFORM),
    bias_initializer: init(s, 'bias_initializer', ZEROS),
    depthwise_regularizer: reg(s, 'depthwise_regularizer'),
    bias_regularizer: reg(s, 'bias_regularizer'),
    activity_regularizer: reg(s, 'activity_regularizer'),
    depthwise_constraint: con(s, 'depthwise_constraint'),
    bias_constraint: con(s, 'bias_constraint'),
  };
}

export function separable1d(s: LayerSource): JsonObject {
  return {
    depth_multiplier: get(s.config, 'depth_multiplier', 1),
    filters: s.config.filters,
    kernel_size: tuple(s.config.kernel_size, 1),
    strides: tuple(get(s.config, 'strides', 1), 1),
    padding: get(s.config, 'padding', 'valid'),
    data_format: dataFormat(s),
    dilation_rate: tuple(get(s.config, 'dilation_rate', 1), 1),
    activation: act(s),
    use_bias: get(s.config, 'use_bias', true),
    depthwise_initializer: init(s, 'depthwise_initializer', GLOROT_UNIFORM),
    pointwise_initializer: init(s, 'pointwise_initializer', GLOROT_UNIFORM),
    bias_initializer: init(s, 'bias_initializer', ZEROS),
    depthwise_regularizer: reg(s, 'depthwise_regularizer'),
    pointwise_regularizer: reg(s, 'pointwise_regularizer'),
    bias_regularizer: reg(s, 'bias_regularizer'),
    activity_regularizer: reg(s, 'activity_regularizer'),
    depthwise_constraint: con(s, 'depthwise_constraint'),
    pointwise_constraint: con(s, 'pointwise_constraint'),
    bias_constraint: con(s, 'bias_constraint'),
  };
}

/** A 1D layer's (start, end) pair: tfjs' layer holds [[start, end]]. */
export function pairOf(v: Json): Json {
  return Array.isArray(v) && v.length === 1 && Array.isArray(v[0]) ? v[0] : v;
}

/** Keras writes one axis as a number. */
export function softmaxAxis(v: Json): Json {
  return Array.isArray(v) && v.length === 1 ? v[0] : v ?? -1;
}

export function resizing(s: LayerSource): JsonObject {
  return {
    data_format: dataFormat(s),
    height: s.config.height,
    width: s.config.width,
    interpolation: get(s.config, 'interpolation', 'bilinear'),
    crop_to_aspect_ratio: get(s.config, 'crop_to_aspect_ratio', false),
    pad_to_aspect_ratio: get(s.config, 'pad_to_aspect_ratio', false),
    fill_mode: 'constant',
    fill_value: get(s.config, 'fill_value', 0),
    antialias: false,
  };
}

export function integerLookup(s: LayerSource): JsonObject {
  const vocabulary = (s.config.vocabulary ?? []) as Json[];
  const numOov = get(s.config, 'num_oov_indices', 1) as number;
  const mask = get(s.config, 'mask_token', null);
  return {
    invert: get(s.config, 'invert', false),
    max_tokens: null,
    num_oov_indices: numOov,
    oov_token: get(s.config, 'oov_token', -1),
    mask_token: mask,
    output_mode: get(s.config, 'output_mode', 'int'),
    sparse: false,
    pad_to_max_tokens: false,
    vocabulary_dtype: 'int64',
    idf_weights: null,
    vocabulary,
    vocabulary_size: vocabulary.length + numOov + (mask === null ? 0 : 1),
    oov_method: 'floormod',
    salt: null,
  };
}

/** ConvLSTM2D: the RNN keys, the convolution's, then the LSTM cell's, in Keras 3's order. */
export function convLstm2d(s: LayerSource): JsonObject {
  const { filters, kernel_size, strides, padding, data_format, dilation_rate } = conv(2)(s);
  return {
    return_sequences: get(s.config, 'return_sequences', false),
    return_state: get(s.config, 'return_state', false),
    go_backwards: get(s.config, 'go_backwards', false),
    stateful: get(s.config, 'stateful', false),
    unroll: get(s.config, 'unroll', false),
    zero_output_for_mask: false,
    filters, kernel_size, strides, padding, data_format, dilation_rate,
    activation: act(s),
    recurrent_activation: act(s, 'recurrent_activation'),
    use_bias: get(s.config, 'use_bias', true),
    kernel_initializer: init(s, 'kernel_initializer', GLOROT_UNIFORM),
    recurrent_initializer: init(s, 'recurrent_initializer', { class_name: 'Orthogonal', config: {} }),
    bias_initializer: init(s, 'bias_initializer', ZEROS),
    unit_forget_bias: get(s.config, 'unit_forget_bias', true),
    kernel_regularizer: reg(s, 'kernel_regularizer'),
    recurrent_regularizer: reg(s, 'recurrent_regularizer'),
    bias_regularizer: reg(s, 'bias_regularizer'),
    activity_regularizer: reg(s, 'activity_regularizer'),
    kernel_constraint: con(s, 'kernel_constraint'),
    recurrent_constraint: con(s, 'recurrent_constraint'),
    bias_constraint: con(s, 'bias_constraint'),
    dropout: get(s.config, 'dropout', 0),
    recurrent_dropout: get(s.config, 'recurrent_dropout', 0),
    seed: null,
  };
}
