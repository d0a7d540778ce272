/**
 * The small Keras objects inside a layer config — dtype policies, activations, initializers,
 * regularizers, constraints — turned from tfjs' snake_case serialization (what
 * `model.toJSON(null, false)` writes) into the dicts Keras 3.15's `serialize_keras_object` writes:
 * `{module, class_name, config, registered_name}`.
 *
 * Where tfjs and Keras compute differently under the same name (tfjs' `hardSigmoid` has slope
 * 0.2, Keras 3's `hard_sigmoid` slope 1/6), we refuse rather than write a model that predicts
 * something else in Python.
 */
import { ErrorCode, Keras2TfjsError } from '../../../errors.js';
import { KERAS_ONLY_ACTIVATIONS } from '../../../layers/compat/activations/keras_activations.js';
import { nameTable } from '../../../name_table.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Where an error is: the file being written and the layer being translated. */
export interface Where {
  file: string;
  layer: string;
}

/** A public Keras class: `module` is its export path, `registered_name` null. */
export function kerasObject(module: string, className: string, config: JsonObject): JsonObject {
  return { module, class_name: className, config, registered_name: null };
}

/** Keras ≥3.4 writes a layer's dtype as a DTypePolicy object. */
export function dtypePolicy(name: string): JsonObject {
  return kerasObject('keras', 'DTypePolicy', { name });
}

// tfjs activation identifier (after tfjs' own snake-casing) → Keras 3 identifier.
// tfjs swish is x·sigmoid(x), which Keras 3 names silu (its `swish` is an alias that saves as silu).
// tfjs gelu is the exact erf form, as is Keras' default `gelu` (approximate=False).
const ACTIVATIONS: Readonly<Record<string, string>> = nameTable({
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  elu: 'elu',
  selu: 'selu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
  log_softmax: 'log_softmax',
  softplus: 'softplus',
  softsign: 'softsign',
  swish: 'silu',
  mish: 'mish',
  gelu: 'gelu',
  // keras2tfjs' activations (src/layers/compat/activations): Keras' own names.
  keras3_hard_sigmoid: 'hard_sigmoid',
  // The rest keep their Keras names (tfjs registers them under those, hard_swish as hard_silu).
  ...KERAS_ONLY_ACTIVATIONS,
});

const ACTIVATION_FIX: Readonly<Record<string, string>> = nameTable({
  hard_sigmoid:
    "tfjs' hardSigmoid is clip(0.2x+0.5) while Keras 3's hard_sigmoid is clip(x/6+0.5); use 'sigmoid' (for RNNs: recurrentActivation: 'sigmoid'), or keras2tfjs' 'keras3HardSigmoid' for Keras 3's",
  gelu_new: "Keras 3 has no string for the tanh-approximated gelu; use 'gelu'",
});

/** A tfjs activation name → the Keras 3 name, or an error naming the layer and the fix. */
export function activation(value: Json, where: Where, key = 'activation'): string {
  const name = value === null ? 'linear' : String(value);
  const keras = ACTIVATIONS[name];
  if (keras) return keras;
  const fix = ACTIVATION_FIX[name] ?? `Keras 3 has no activation '${name}'`;
  throw new Keras2TfjsError(
    ErrorCode.UNSUPPORTED_SEMANTICS,
    `${where.file}: layer '${where.layer}' uses ${key} '${name}', which cannot be written for Keras 3: ${fix}`,
    where,
  );
}

// Initializers whose Keras config is {seed, input_axes, output_axes} (Keras ≥3.12 fan axes).
const FAN_INITIALIZERS: Readonly<Record<string, string>> = nameTable({
  GlorotUniform: 'GlorotUniform',
  GlorotNormal: 'GlorotNormal',
  HeNormal: 'HeNormal',
  HeUniform: 'HeUniform',
  LeCunNormal: 'LecunNormal',
  LeCunUniform: 'LecunUniform',
});

/**
 * tfjs' named variance-scaling initializers by (scale, mode, distribution). tfjs' 'normal' is a
 * truncated normal, which Keras 3 calls 'truncated_normal' (Keras reads a legacy 'normal' so too).
 */
const NAMED_VARIANCE_SCALING: Readonly<Record<string, string>> = nameTable({
  '1/fan_avg/uniform': 'GlorotUniform',
  '1/fan_avg/normal': 'GlorotNormal',
  '2/fan_in/normal': 'HeNormal',
  '2/fan_in/uniform': 'HeUniform',
  '1/fan_in/normal': 'LecunNormal',
  '1/fan_in/uniform': 'LecunUniform',
});

/** A tfjs initializer `{class_name, config}` → Keras 3 initializer object. */
export function initializer(value: Json, where: Where): Json {
  if (value === null) return null;
  const { className, config } = splitObject(value, 'initializer', where);
  const seed = config.seed ?? null;
  const k = (name: string, cfg: JsonObject) => kerasObject('keras.initializers', name, cfg);
  if (className in FAN_INITIALIZERS) {
    return k(FAN_INITIALIZERS[className], { seed, input_axes: null, output_axes: null });
  }
  switch (className) {
    case 'Zeros':
    case 'Ones':
      return k(className, {});
    case 'Constant':
      return k('Constant', { value: config.value ?? 0 });
    case 'RandomUniform':
      return k('RandomUniform', { seed, minval: config.minval ?? -0.05, maxval: config.maxval ?? 0.05 });
    case 'RandomNormal':
    case 'TruncatedNormal':
      return k(className, { seed, mean: config.mean ?? 0, stddev: config.stddev ?? 0.05 });
    case 'Orthogonal':
      return k('Orthogonal', { seed, gain: config.gain ?? 1 });
    case 'Identity':
      // Keras 3's Identity takes `gain` too; it writes {} only when gain is the default 1.
      return k('Identity', config.gain === undefined || config.gain === 1 ? {} : { gain: config.gain });
    case 'VarianceScaling': {
      // tfjs serializes glorotNormal, heUniform, ... as VarianceScaling; Keras writes their names.
      const named = NAMED_VARIANCE_SCALING[`${config.scale ?? 1}/${config.mode ?? 'fan_in'}/${config.distribution ?? 'normal'}`];
      if (named) return k(named, { seed, input_axes: null, output_axes: null });
      return k('VarianceScaling', {
        seed,
        scale: config.scale ?? 1,
        mode: config.mode ?? 'fan_in',
        // tfjs 'normal' draws a truncated normal (stddev / 0.8796…), which Keras calls 'truncated_normal'.
        distribution: config.distribution === 'uniform' ? 'uniform' : 'truncated_normal',
        input_axes: null,
        output_axes: null,
      });
    }
    default:
      throw unknownObject('initializer', className, where);
  }
}

/**
 * tfjs only has L1L2 (its l1/l2 helpers build an L1L2 with the other factor 0). Keras writes
 * what the user wrote: L2(l2) for an L2-only penalty, L1(l1) for L1-only, L1L2 for both.
 */
export function regularizer(value: Json, where: Where): Json {
  if (value === null) return null;
  const { className, config } = splitObject(value, 'regularizer', where);
  if (className !== 'L1L2') throw unknownObject('regularizer', className, where);
  const l1 = Number(config.l1 ?? 0);
  const l2 = Number(config.l2 ?? 0);
  if (l1 === 0 && l2 !== 0) return kerasObject('keras.regularizers', 'L2', { l2 });
  if (l2 === 0 && l1 !== 0) return kerasObject('keras.regularizers', 'L1', { l1 });
  return kerasObject('keras.regularizers', 'L1L2', { l1, l2 });
}

/** tfjs constraints keep Keras' class names and config keys. */
export function constraint(value: Json, where: Where): Json {
  if (value === null) return null;
  const { className, config } = splitObject(value, 'constraint', where);
  const k = (cfg: JsonObject) => kerasObject('keras.constraints', className, cfg);
  switch (className) {
    case 'NonNeg':
      return k({});
    case 'UnitNorm':
      return k({ axis: config.axis ?? 0 });
    case 'MaxNorm':
      return k({ max_value: config.max_value ?? 2, axis: config.axis ?? 0 });
    case 'MinMaxNorm':
      return k({
        min_value: config.min_value ?? 0,
        max_value: config.max_value ?? 1,
        rate: config.rate ?? 1,
        axis: config.axis ?? 0,
      });
    default:
      throw unknownObject('constraint', className, where);
  }
}

function splitObject(value: Json, kind: string, where: Where): { className: string; config: JsonObject } {
  if (typeof value === 'string') return { className: value, config: {} };
  if (value === null || typeof value !== 'object' || Array.isArray(value) || typeof value.class_name !== 'string') {
    throw new Keras2TfjsError(
      ErrorCode.BAD_CONFIG,
      `${where.file}: layer '${where.layer}' has a malformed ${kind} ${JSON.stringify(value)}`,
      where,
    );
  }
  const config = value.config;
  return {
    className: value.class_name,
    config: config !== null && typeof config === 'object' && !Array.isArray(config) ? config : {},
  };
}

function unknownObject(kind: string, className: string, where: Where): Keras2TfjsError {
  return new Keras2TfjsError(
    ErrorCode.UNSUPPORTED_SEMANTICS,
    `${where.file}: layer '${where.layer}' uses the ${kind} '${className}', which keras2tfjs cannot write for Keras 3; use a built-in one`,
    where,
  );
}
