/**
 * Keras 1 layer configs → Keras 2 configs (which tfjs reads), the renames Keras 2 itself applied
 * when loading Keras 1 files (keras 2.x `legacy/interfaces.py` and `engine/topology.py`):
 * `Convolution2D(nb_filter, nb_row, nb_col, border_mode, subsample, dim_ordering, init, ...)` →
 * `Conv2D(filters, kernel_size, padding, strides, data_format, kernel_initializer, ...)`, `output_dim`
 * → `units`, `p` → `rate`, `W_regularizer` → `kernel_regularizer`, LSTM `inner_*` → `recurrent_*`...
 * The weight side (Keras 1 LSTM/GRU per-gate arrays, 'th' kernels) lives in weights.ts.
 * Part of normalize/model_config.
 */
import type { ValueContext } from './values.js';
import { nameTable } from '../../name_table.js';

type Config = Record<string, unknown>;

/** Keys that only Keras 1 wrote; any of them marks a Keras 1 layer config. */
const KERAS1_KEYS = [
  'output_dim', 'nb_filter', 'nb_row', 'nb_col', 'border_mode', 'subsample', 'subsample_length',
  'filter_length', 'pool_length', 'init', 'inner_init', 'inner_activation', 'W_regularizer',
  'b_regularizer', 'W_constraint', 'b_constraint', 'dim_ordering', 'input_dtype', 'dropout_W', 'dropout_U',
];

export function isKeras1Config(className: string, config: Config, kerasMajor: number): boolean {
  if (kerasMajor === 1) return true;
  // Keras 3 writes no Keras 1 keys (its ReversibleEmbedding has an output_dim of its own).
  if (kerasMajor >= 3) return false;
  if (className === 'Dropout' && 'p' in config && !('rate' in config)) return true;
  return KERAS1_KEYS.some((k) => k in config);
}

const RECURRENT = new Set(['LSTM', 'GRU', 'SimpleRNN']);

/** Keras 1 class names that Keras 2 renamed. */
const CLASS_RENAMES: Readonly<Record<string, string>> = nameTable({
  Convolution1D: 'Conv1D',
  Convolution2D: 'Conv2D',
  Convolution3D: 'Conv3D',
  AtrousConvolution1D: 'Conv1D',
  AtrousConvolution2D: 'Conv2D',
  Deconvolution2D: 'Conv2DTranspose',
  SeparableConvolution2D: 'SeparableConv2D',
});

/** Returns the Keras 2 class name and config for a Keras 1 layer (config is a fresh copy). */
export function translateKeras1(className: string, input: Config, ctx: ValueContext): { className: string; config: Config } {
  const c: Config = { ...input };
  const cls = CLASS_RENAMES[className] ?? className;
  const move = (from: string, to: string, f: (v: unknown) => unknown = (v) => v): void => {
    if (from in c) {
      if (!(to in c)) c[to] = f(c[from]);
      delete c[from];
    }
  };

  if (className === 'Merge') {
    ctx.unsupported(`${ctx.where} is a Keras 1 Merge layer (a model inside a Sequential); tfjs has no equivalent: rebuild it with the functional API in Keras 2+`);
    return { className, config: c };
  }

  // Inputs: Keras 1 layers may carry input_dim / input_length instead of an input shape.
  move('input_dtype', 'dtype');
  if (!('batch_input_shape' in c) && !('input_shape' in c) && c.input_dim != null) {
    const steps = RECURRENT.has(cls) || cls === 'Conv1D' || cls === 'Embedding' ? [c.input_length ?? null] : [];
    c.batch_input_shape = cls === 'Embedding' ? [null, c.input_length ?? null] : [null, ...steps, c.input_dim];
  }
  if (cls !== 'Embedding') {
    delete c.input_dim;
  }
  delete c.input_length;

  // Weights and their settings.
  move('init', cls === 'Embedding' ? 'embeddings_initializer' : 'kernel_initializer');
  move('W_regularizer', cls === 'Embedding' ? 'embeddings_regularizer' : 'kernel_regularizer');
  move('W_constraint', cls === 'Embedding' ? 'embeddings_constraint' : 'kernel_constraint');
  move('b_regularizer', 'bias_regularizer');
  move('b_constraint', 'bias_constraint');
  move('bias', 'use_bias');
  if (cls !== 'Embedding') move('output_dim', 'units');

  // Convolutions and pooling.
  move('nb_filter', 'filters');
  move('border_mode', 'padding');
  move('dim_ordering', 'data_format', dataFormat);
  move('atrous_rate', 'dilation_rate');
  if ('nb_row' in c || 'nb_col' in c) {
    c.kernel_size = [c.nb_row, c.nb_col];
    delete c.nb_row;
    delete c.nb_col;
  }
  move('filter_length', 'kernel_size', (v) => [v]);
  move('subsample_length', 'strides', (v) => [v]);
  move('subsample', 'strides');
  move('pool_length', 'pool_size', (v) => (Array.isArray(v) ? v : [v]));
  move('stride', 'strides', (v) => (v == null ? null : Array.isArray(v) ? v : [v]));

  // Recurrent layers.
  move('inner_init', 'recurrent_initializer');
  move('inner_activation', 'recurrent_activation');
  move('U_regularizer', 'recurrent_regularizer');
  move('U_constraint', 'recurrent_constraint');
  move('dropout_W', 'dropout');
  move('dropout_U', 'recurrent_dropout');
  if ('forget_bias_init' in c) {
    c.unit_forget_bias = c.forget_bias_init === 'one';
    delete c.forget_bias_init;
  }
  delete c.consume_less;

  // Dropout and normalization.
  if (cls === 'Dropout' || cls === 'SpatialDropout1D' || cls === 'SpatialDropout2D') move('p', 'rate');
  if (cls === 'BatchNormalization') {
    if (c.mode !== undefined && c.mode !== 0) {
      ctx.unsupported(`${ctx.where} is a Keras 1 BatchNormalization with mode=${String(c.mode)}; only mode 0 (feature-wise, as in Keras 2+) exists in tfjs`);
    }
    delete c.mode;
    move('beta_init', 'beta_initializer');
    move('gamma_init', 'gamma_initializer');
  }
  if (cls === 'Embedding' && typeof c.dropout === 'number' && c.dropout > 0) {
    ctx.unsupported(`${ctx.where} is a Keras 1 Embedding with dropout=${c.dropout}, which tfjs' Embedding does not have (training would differ)`);
  }
  if (cls === 'Embedding') delete c.dropout;
  return { className: cls, config: c };
}

function dataFormat(v: unknown): unknown {
  if (v === 'th') return 'channels_first';
  if (v === 'tf' || v === 'default') return 'channels_last';
  return v;
}
