/**
 * The config builders behind layer_table.ts' table: from tfjs' snake_case serialization of a
 * layer (plus the live layer, for the few fields tfjs leaves out) to the class-specific keys
 * Keras 3.15's `get_config` writes, in Keras' order and with Keras' defaults. Shared by the
 * tfjs classes and the keras2tfjs compat layers that stand for the same Keras class.
 */
import type { serialization } from '@tensorflow/tfjs-core';
import { ErrorCode, Keras2TfjsError } from '../../../errors.js';
import { activation, constraint, initializer, regularizer, type Json, type JsonObject, type Where } from './objects.js';

/** What a spec's config builder gets: the tfjs config (snake_case) and the live layer. */
export interface LayerSource {
  /** The layer's config as tfjs serializes it (`model.toJSON(null, false)`): snake_case. */
  config: JsonObject;
  /** The tfjs layer object, for the few fields tfjs leaves out of its config. */
  layer: { getConfig(): serialization.ConfigDict } & Record<string, unknown>;
  where: Where;
}

// ---------------------------------------------------------------- shared pieces

export const get = (c: JsonObject, key: string, fallback: Json): Json => (c[key] === undefined || c[key] === null ? fallback : c[key]);

/** Keras writes tuples for kernel sizes/strides: tfjs may hold a bare number. */
export function tuple(value: Json, rank: number): Json {
  if (Array.isArray(value)) return value;
  return Array.from({ length: rank }, () => value);
}

export const init = (s: LayerSource, key: string, fallback: Json = null) => initializer(get(s.config, key, fallback), s.where);
export const reg = (s: LayerSource, key: string) => regularizer(get(s.config, key, null), s.where);
export const con = (s: LayerSource, key: string) => constraint(get(s.config, key, null), s.where);
export const act = (s: LayerSource, key = 'activation') => activation(get(s.config, key, 'linear'), s.where, key);
export const ZEROS: Json = { class_name: 'Zeros', config: {} };
export const ONES: Json = { class_name: 'Ones', config: {} };
export const GLOROT_UNIFORM: Json = { class_name: 'GlorotUniform', config: { seed: null } };

function refuse(s: LayerSource, what: string, fix: string): never {
  throw new Keras2TfjsError(
    ErrorCode.UNSUPPORTED_SEMANTICS,
    `${s.where.file}: layer '${s.where.layer}' ${what}, which Keras 3 computes differently; ${fix}`,
    s.where,
  );
}

export function dataFormat(s: LayerSource): Json {
  return get(s.config, 'data_format', 'channels_last');
}

// ---------------------------------------------------------------- convolutions

export function conv(rank: number) {
  return (s: LayerSource): JsonObject => ({
    filters: s.config.filters,
    kernel_size: tuple(s.config.kernel_size, rank),
    strides: tuple(get(s.config, 'strides', 1), rank),
    padding: get(s.config, 'padding', 'valid'),
    data_format: dataFormat(s),
    dilation_rate: tuple(get(s.config, 'dilation_rate', 1), rank),
    groups: 1,
    activation: act(s),
    use_bias: get(s.config, 'use_bias', true),
    kernel_initializer: init(s, 'kernel_initializer', GLOROT_UNIFORM),
    bias_initializer: init(s, 'bias_initializer', ZEROS),
    kernel_regularizer: reg(s, 'kernel_regularizer'),
    bias_regularizer: reg(s, 'bias_regularizer'),
    activity_regularizer: reg(s, 'activity_regularizer'),
    kernel_constraint: con(s, 'kernel_constraint'),
    bias_constraint: con(s, 'bias_constraint'),
  });
}

export function convTranspose(s: LayerSource): JsonObject {
  const { groups: _groups, ...base } = conv(2)(s);
  const { filters, kernel_size, strides, padding, ...rest } = base;
  return { filters, kernel_size, strides, padding, output_padding: null, ...rest };
}

export function depthwise(s: LayerSource): JsonObject {
  return {
    depth_multiplier: get(s.config, 'depth_multiplier', 1),
    kernel_size: tuple(s.config.kernel_size, 2),
    strides: tuple(get(s.config, 'strides', 1), 2),
    padding: get(s.config, 'padding', 'valid'),
    data_format: dataFormat(s),
    dilation_rate: tuple(get(s.config, 'dilation_rate', 1), 2),
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

export function separable(s: LayerSource): JsonObject {
  // tfjs leaves depth_multiplier out of SeparableConv2D's config; the layer object has it.
  const multiplier = typeof s.layer.depthMultiplier === 'number' ? s.layer.depthMultiplier : 1;
  return {
    depth_multiplier: get(s.config, 'depth_multiplier', multiplier),
    filters: s.config.filters,
    kernel_size: tuple(s.config.kernel_size, 2),
    strides: tuple(get(s.config, 'strides', 1), 2),
    padding: get(s.config, 'padding', 'valid'),
    data_format: dataFormat(s),
    dilation_rate: tuple(get(s.config, 'dilation_rate', 1), 2),
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

export function pooling(rank: number) {
  return (s: LayerSource): JsonObject => {
    const poolSize = tuple(get(s.config, 'pool_size', 2), rank);
    return {
      pool_size: poolSize,
      padding: get(s.config, 'padding', 'valid'),
      strides: tuple(get(s.config, 'strides', poolSize), rank),
      data_format: dataFormat(s),
    };
  };
}

export const globalPooling = (s: LayerSource): JsonObject => ({ data_format: dataFormat(s), keepdims: get(s.config, 'keepdims', false) });

export function upSampling(computes: 'nearest' | 'bilinear') {
  return (s: LayerSource): JsonObject => {
    const interpolation = get(s.config, 'interpolation', 'nearest');
    if (interpolation !== computes) {
      refuse(s, `uses interpolation '${String(interpolation)}'`, "use interpolation: 'nearest'");
    }
    return { size: tuple(get(s.config, 'size', 2), 2), data_format: dataFormat(s), interpolation };
  };
}

// ---------------------------------------------------------------- preprocessing

/**
 * Keras' Normalization config: `axis` as a list (Keras keeps a tuple; none kept = []), and
 * `mean`/`variance` null when adapted (then they are the weights mean, variance, count).
 */
export function normalization(s: LayerSource): JsonObject {
  const axis = get(s.config, 'axis', []);
  return {
    axis: Array.isArray(axis) ? axis : [axis],
    invert: get(s.config, 'invert', false),
    mean: get(s.config, 'mean', null),
    variance: get(s.config, 'variance', null),
  };
}

// ---------------------------------------------------------------- recurrent

/**
 * LSTM, GRU, SimpleRNN; also keras2tfjs' ResetAfterGRU (and tfjs' generic RNN, as earlier
 * conversions wrote it) around a compat cell, whose config (tfjs' RNN.getConfig) carries the
 * cell's settings at the top level too, so one reader serves both.
 */
export function recurrent(kind: 'lstm' | 'gru' | 'simple', resetAfter = false) {
  return (s: LayerSource): JsonObject => {
    const c = s.config;
    const out: JsonObject = {
      return_sequences: get(c, 'return_sequences', false),
      return_state: get(c, 'return_state', false),
      go_backwards: get(c, 'go_backwards', false),
      stateful: get(c, 'stateful', false),
      unroll: get(c, 'unroll', false),
      zero_output_for_mask: false,
      units: c.units,
      activation: act(s),
    };
    if (kind !== 'simple') out.recurrent_activation = act(s, 'recurrent_activation');
    out.use_bias = get(c, 'use_bias', true);
    out.kernel_initializer = init(s, 'kernel_initializer', GLOROT_UNIFORM);
    out.recurrent_initializer = init(s, 'recurrent_initializer', { class_name: 'Orthogonal', config: {} });
    out.bias_initializer = init(s, 'bias_initializer', ZEROS);
    // tfjs writes null when the user left unitForgetBias out; its LSTM then defaults to true, like Keras.
    if (kind === 'lstm') out.unit_forget_bias = get(c, 'unit_forget_bias', true);
    Object.assign(out, {
      kernel_regularizer: reg(s, 'kernel_regularizer'),
      recurrent_regularizer: reg(s, 'recurrent_regularizer'),
      bias_regularizer: reg(s, 'bias_regularizer'),
      activity_regularizer: reg(s, 'activity_regularizer'),
      kernel_constraint: con(s, 'kernel_constraint'),
      recurrent_constraint: con(s, 'recurrent_constraint'),
      bias_constraint: con(s, 'bias_constraint'),
      dropout: get(c, 'dropout', 0),
      recurrent_dropout: get(c, 'recurrent_dropout', 0),
    });
    // tfjs' GRU is the original "reset before" GRU (3·units bias), Keras' reset_after=False;
    // keras2tfjs' ResetAfterGRUCell is Keras' default reset_after=True ([2, 3·units] bias).
    if (kind === 'gru') out.reset_after = resetAfter;
    if (kind !== 'simple') out.seed = null;
    return out;
  };
}

