/**
 * Keras 3.15 get_config of the attention and normalization layers keras2tfjs adds
 * (src/layers/compat/attention, normalization): the class keys in Keras' order. keras2tfjs'
 * own settings (call_inputs, use_causal_mask, return_attention_scores: the recorded call,
 * written back into the node by call_roles.ts; masking, norm_epsilon) are not Keras config.
 */
import { con, get, GLOROT_UNIFORM, init, ONES, reg, act, ZEROS, type LayerSource } from './layer_configs.js';
import type { JsonObject } from './objects.js';

const common = (s: LayerSource): JsonObject => ({
  kernel_initializer: init(s, 'kernel_initializer', GLOROT_UNIFORM),
  bias_initializer: init(s, 'bias_initializer', ZEROS),
  kernel_regularizer: reg(s, 'kernel_regularizer'),
  bias_regularizer: reg(s, 'bias_regularizer'),
  activity_regularizer: reg(s, 'activity_regularizer'),
  kernel_constraint: con(s, 'kernel_constraint'),
  bias_constraint: con(s, 'bias_constraint'),
});

export function einsumDense(s: LayerSource): JsonObject {
  return {
    output_shape: s.config.output_shape,
    equation: s.config.equation,
    activation: act(s),
    bias_axes: get(s.config, 'bias_axes', null),
    ...common(s),
    quantization_config: null,
  };
}

export function multiHeadAttention(s: LayerSource): JsonObject {
  const c = s.config;
  const axes = get(c, 'attention_axes', null);
  return {
    num_heads: c.num_heads,
    key_dim: c.key_dim,
    value_dim: get(c, 'value_dim', c.key_dim),
    dropout: get(c, 'dropout', 0),
    use_bias: get(c, 'use_bias', true),
    use_gate: get(c, 'use_gate', false),
    output_shape: get(c, 'output_shape', null),
    attention_axes: axes === null ? defaultAttentionAxes(s) : axes,
    sliding_window: get(c, 'sliding_window', null),
    ...common(s),
    seed: get(c, 'seed', null),
  };
}

/** Keras fills attention_axes in when it builds: every axis between batch and channels. */
function defaultAttentionAxes(s: LayerSource): JsonObject[keyof JsonObject] {
  const shape = (s.layer as unknown as { inboundNodes: Array<{ inputShapes: unknown }> }).inboundNodes[0]?.inputShapes;
  const query = Array.isArray(shape) && Array.isArray(shape[0]) ? (shape[0] as unknown[]) : (shape as unknown[]);
  const rank = (Array.isArray(query) ? query.length : 3) + 1;
  return Array.from({ length: rank - 3 }, (_, i) => i + 1);
}

export function groupedQueryAttention(s: LayerSource): JsonObject {
  const c = s.config;
  return {
    head_dim: c.head_dim,
    num_query_heads: c.num_query_heads,
    num_key_value_heads: c.num_key_value_heads,
    use_bias: get(c, 'use_bias', true),
    use_gate: get(c, 'use_gate', false),
    sliding_window: get(c, 'sliding_window', null),
    dropout: get(c, 'dropout', 0),
    ...common(s),
    seed: get(c, 'seed', null),
  };
}

export function attention(s: LayerSource): JsonObject {
  return { use_scale: get(s.config, 'use_scale', false), score_mode: get(s.config, 'score_mode', 'dot'), dropout: get(s.config, 'dropout', 0), seed: get(s.config, 'seed', null) };
}

export function additiveAttention(s: LayerSource): JsonObject {
  return { use_scale: get(s.config, 'use_scale', true), dropout: get(s.config, 'dropout', 0), seed: get(s.config, 'seed', null) };
}

export function groupNormalization(s: LayerSource): JsonObject {
  return {
    groups: get(s.config, 'groups', 32),
    axis: get(s.config, 'axis', -1),
    epsilon: get(s.config, 'epsilon', 0.001),
    center: get(s.config, 'center', true),
    scale: get(s.config, 'scale', true),
    beta_initializer: init(s, 'beta_initializer', ZEROS),
    gamma_initializer: init(s, 'gamma_initializer', ONES),
    beta_regularizer: reg(s, 'beta_regularizer'),
    gamma_regularizer: reg(s, 'gamma_regularizer'),
    beta_constraint: con(s, 'beta_constraint'),
    gamma_constraint: con(s, 'gamma_constraint'),
  };
}

export function unitNormalization(s: LayerSource): JsonObject {
  const axis = get(s.config, 'axis', [-1]);
  // Keras keeps an int axis as an int; tfjs' layer holds a list.
  return { axis: Array.isArray(axis) && axis.length === 1 ? axis[0] : axis };
}

export function rmsNormalization(s: LayerSource): JsonObject {
  return { axis: get(s.config, 'axis', [-1]), epsilon: get(s.config, 'epsilon', 1e-6) };
}
