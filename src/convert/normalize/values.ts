/**
 * Keras config values → what tfjs 4.22 deserializes with the same meaning: dtype policies,
 * activations, initializers, regularizers and constraints. Part of normalize/model_config (the one
 * place for Keras-specific rewrites); kept apart because these objects appear inside every
 * layer config.
 *
 * Rule: where tfjs would compute something different, refuse (UNSUPPORTED_SEMANTICS) rather
 * than change outputs or training silently. Initializers are the exception: they only matter
 * for weights tfjs creates itself, never for converted ones, so an unknown one becomes Zeros
 * with a warning.
 */
import { KERAS_ONLY_ACTIVATIONS } from '../../layers/compat/activations/keras_activations.js';

import { nameTable, ownValue } from '../../name_table.js';

type Config = Record<string, unknown>;

export interface ValueContext {
  /** Keras major version that wrote the file (1, 2 or 3): decides e.g. what 'hard_sigmoid' means. */
  kerasMajor: number;
  /** Where we are, for messages: "layer 'dense_1'". */
  where: string;
  warn(message: string): void;
  /** Records something tfjs cannot express; normalize/model_config throws them together. */
  unsupported(message: string): void;
}

/** Keys that Keras 3 (and tf.keras ≥2.13) add around serialized objects; tfjs reads none of them. */
export const SERIALIZATION_KEYS = ['module', 'registered_name', 'build_config', 'compile_config', 'shared_object_id'];

export function isObject(v: unknown): v is Config {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep copy that (1) unwraps tf.keras SavedModel JSON encodings `{"class_name": "__tuple__",
 * "items": [...]}` and `TensorShape` to plain lists and (2) drops Keras 3 serialization keys.
 */
export function plainCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plainCopy);
  if (!isObject(v)) return v;
  if ((v.class_name === '__tuple__' || v.class_name === 'TensorShape') && Array.isArray(v.items)) {
    return v.items.map(plainCopy);
  }
  const out: Config = {};
  for (const [k, value] of Object.entries(v)) {
    if (SERIALIZATION_KEYS.includes(k)) continue;
    out[k] = plainCopy(value);
  }
  return out;
}

// --------------------------------------------------------------------------------- dtype

const FLOAT_NAMES = new Set(['float32', 'float16', 'bfloat16', 'float64', 'mixed_float16', 'mixed_bfloat16']);

/** A dtype policy object or name → the string tfjs wants ('float32', 'int32', ...). */
export function dtypeName(value: unknown, ctx: ValueContext): string | undefined {
  if (value === undefined || value === null) return undefined;
  let name: unknown = value;
  if (isObject(value)) {
    const cls = String(value.class_name ?? '');
    const cfg = isObject(value.config) ? value.config : {};
    if (/Quantized|Float8/i.test(cls) || (typeof cfg.name === 'string' && /^(int8|int4|float8|gptq)/.test(cfg.name))) {
      ctx.unsupported(`${ctx.where} uses the quantized dtype policy ${JSON.stringify(cfg.name ?? cls)}, which tfjs cannot run; save the model unquantized`);
      return 'float32';
    }
    name = cfg.name;
  }
  if (typeof name !== 'string') {
    ctx.unsupported(`${ctx.where} has an unreadable dtype ${JSON.stringify(value)}`);
    return 'float32';
  }
  if (FLOAT_NAMES.has(name) && name !== 'float32') {
    ctx.warn(`${ctx.where} computes in ${name} in Keras; tfjs computes it in float32 (weights widened, results more precise)`);
    return 'float32';
  }
  if (name === 'int64') return 'int32';
  if (!KERAS_DTYPES.has(name)) {
    ctx.unsupported(`${ctx.where} has the dtype '${name}', which is not a Keras dtype`);
    return 'float32';
  }
  return name;
}

/** Keras' dtype names (keras/src/backend/common/dtypes.py ALLOWED_DTYPES, floats handled above). */
const KERAS_DTYPES = new Set([
  'float32', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int4', 'bool', 'string', 'complex64', 'complex128',
  'float8_e4m3fn', 'float8_e5m2',
]);

// ---------------------------------------------------------------------------- activations

/** Keras activations tfjs has under the same name and with the same math. */
const SAME_ACTIVATIONS = new Set([
  'linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'tanh', 'softmax', 'softplus', 'softsign',
  'swish', 'gelu', 'mish', 'log_softmax',
]);

/** A Keras activation value → the tfjs activation name, or refuses. */
export function activationName(value: unknown, ctx: ValueContext, key: string): string {
  if (value === null || value === undefined) return 'linear';
  let name: unknown = value;
  if (isObject(value)) {
    // Keras 3 serializes builtins as strings; a dict is a function object or a custom activation.
    name = typeof value.config === 'string' ? value.config : value.class_name;
  }
  if (typeof name !== 'string') {
    ctx.unsupported(`${ctx.where} has a custom ${key} ${JSON.stringify(value)} that tfjs cannot run`);
    return 'linear';
  }
  const plain = name.includes('>') ? name.slice(name.lastIndexOf('>') + 1) : name;
  if (SAME_ACTIVATIONS.has(plain)) return plain;
  if (plain === 'silu') return 'swish'; // Keras 3 writes swish as its alias silu: x·sigmoid(x) in both
  if (plain === 'hard_sigmoid') {
    // Keras 1/2: clip(0.2x + 0.5, 0, 1), as tfjs' hardSigmoid; Keras 3: relu6(x + 3) / 6, keras2tfjs' own.
    return ctx.kerasMajor <= 2 ? 'hard_sigmoid' : 'keras3_hard_sigmoid';
  }
  const kerasOnly = ownValue(KERAS_ONLY_ACTIVATIONS, plain);
  if (kerasOnly !== undefined) return kerasOnly;
  if (plain === 'glu') {
    // glu halves its axis; tfjs layers take an activation to keep their output shape.
    ctx.unsupported(`${ctx.where} uses the ${key} 'glu', which halves the last axis; tfjs layers assume an activation keeps their output's shape (keras.ops.glu after the layer converts)`);
    return 'linear';
  }
  ctx.unsupported(`${ctx.where} uses the ${key} '${plain}', which tfjs does not implement`);
  return 'linear';
}

// --------------------------------------------------------------------------- initializers

/** Keras initializer names (classes, snake_case aliases, Keras 1 strings) → tfjs class name. */
const INITIALIZERS: Readonly<Record<string, string>> = nameTable({
  Zeros: 'Zeros', zeros: 'Zeros', zero: 'Zeros',
  Ones: 'Ones', ones: 'Ones', one: 'Ones',
  Constant: 'Constant', constant: 'Constant',
  RandomNormal: 'RandomNormal', random_normal: 'RandomNormal', normal: 'RandomNormal',
  RandomUniform: 'RandomUniform', random_uniform: 'RandomUniform', uniform: 'RandomUniform',
  TruncatedNormal: 'TruncatedNormal', truncated_normal: 'TruncatedNormal',
  VarianceScaling: 'VarianceScaling', variance_scaling: 'VarianceScaling',
  GlorotNormal: 'GlorotNormal', glorot_normal: 'GlorotNormal',
  GlorotUniform: 'GlorotUniform', glorot_uniform: 'GlorotUniform',
  HeNormal: 'HeNormal', he_normal: 'HeNormal',
  HeUniform: 'HeUniform', he_uniform: 'HeUniform',
  LecunNormal: 'LeCunNormal', LeCunNormal: 'LeCunNormal', lecun_normal: 'LeCunNormal',
  LecunUniform: 'LeCunUniform', LeCunUniform: 'LeCunUniform', lecun_uniform: 'LeCunUniform',
  Orthogonal: 'Orthogonal', OrthogonalInitializer: 'Orthogonal', orthogonal: 'Orthogonal',
  Identity: 'Identity', IdentityInitializer: 'Identity', identity: 'Identity',
});

/** Config keys each tfjs initializer reads (others are dropped). */
const INITIALIZER_KEYS: Readonly<Record<string, string[]>> = nameTable({
  Constant: ['value'],
  RandomNormal: ['mean', 'stddev', 'seed'],
  RandomUniform: ['minval', 'maxval', 'seed'],
  TruncatedNormal: ['mean', 'stddev', 'seed'],
  VarianceScaling: ['scale', 'mode', 'distribution', 'seed'],
  GlorotNormal: ['seed'], GlorotUniform: ['seed'], HeNormal: ['seed'], HeUniform: ['seed'],
  LeCunNormal: ['seed'], LeCunUniform: ['seed'],
  Orthogonal: ['gain', 'seed'],
  Identity: ['gain'],
});

/** Keras 1 string initializers carried their parameters implicitly. */
const KERAS1_INIT_DEFAULTS: Readonly<Record<string, Config>> = nameTable({
  uniform: { minval: -0.05, maxval: 0.05, seed: null },
  normal: { mean: 0, stddev: 0.05, seed: null },
});

export function initializer(value: unknown, ctx: ValueContext, key: string): Config | null {
  if (value === null || value === undefined) return null;
  let cls: string;
  let cfg: Config = {};
  if (typeof value === 'string') {
    cls = value;
    cfg = { ...(KERAS1_INIT_DEFAULTS[value] ?? {}) };
  } else if (isObject(value) && typeof value.class_name === 'string') {
    cls = value.class_name.includes('>') ? value.class_name.slice(value.class_name.lastIndexOf('>') + 1) : value.class_name;
    cfg = isObject(value.config) ? { ...value.config } : {};
  } else {
    ctx.warn(`${ctx.where}: ${key} ${JSON.stringify(value)} is not a Keras initializer; tfjs will use Zeros if it ever initializes it`);
    return { class_name: 'Zeros', config: {} };
  }
  const target = INITIALIZERS[cls];
  if (!target) {
    ctx.warn(`${ctx.where}: ${key} '${cls}' has no tfjs equivalent; converted weights are unaffected, tfjs would initialize with Zeros`);
    return { class_name: 'Zeros', config: {} };
  }
  const keep = INITIALIZER_KEYS[target] ?? [];
  const out: Config = {};
  for (const k of keep) if (cfg[k] !== undefined) out[k] = cfg[k];
  if (target === 'VarianceScaling') varianceScalingDistribution(out);
  return { class_name: target, config: out };
}

/**
 * tfjs' VarianceScaling knows 'normal' (a normal cut at ±2σ, σ = sqrt(scale / n)) and
 * 'uniform', and draws any other name as uniform. Keras' 'truncated_normal' (its default, also
 * behind GlorotNormal, HeNormal, LecunNormal) becomes 'normal', as Keras' GlorotNormal...
 * become tfjs' GlorotNormal...: the same cut normal, with one difference tfjs makes for all of
 * them: Keras widens σ by 1/0.8796 so that the variance after the cut is scale / n, tfjs does
 * not. 'untruncated_normal' becomes 'normal' too (tfjs has no uncut variant). Only weights tfjs
 * initializes itself are affected, never converted ones; exportKeras writes 'normal' back as
 * 'truncated_normal' with the same scale.
 */
function varianceScalingDistribution(config: Config): void {
  if (config.distribution === 'truncated_normal' || config.distribution === 'untruncated_normal') config.distribution = 'normal';
}

// --------------------------------------------------------------------------- regularizers

/** Keras L1 / L2 / L1L2 / l1_l2 / Keras 1 WeightRegularizer → tfjs L1L2 (its only regularizer). */
export function regularizer(value: unknown, ctx: ValueContext, key: string): Config | null {
  if (value === null || value === undefined) return null;
  const l1l2 = (l1: unknown, l2: unknown): Config => ({ class_name: 'L1L2', config: { l1: num(l1), l2: num(l2) } });
  if (typeof value === 'string') {
    // Keras 3 accepts the names with their default factor 0.01.
    if (value === 'l1') return l1l2(0.01, 0);
    if (value === 'l2') return l1l2(0, 0.01);
    if (value === 'l1_l2') return l1l2(0.01, 0.01);
  } else if (isObject(value)) {
    const cls = typeof value.class_name === 'string' ? value.class_name.slice(value.class_name.lastIndexOf('>') + 1) : undefined;
    const cfg = isObject(value.config) ? value.config : value;
    if (cls === 'L1' || cls === 'l1') return l1l2(cfg.l1, 0);
    if (cls === 'L2' || cls === 'l2') return l1l2(0, cfg.l2);
    if (cls === 'L1L2' || cls === 'l1_l2' || cls === 'L1L2Regularizer') return l1l2(cfg.l1, cfg.l2);
    // Keras 1: {"name": "WeightRegularizer" | "ActivityRegularizer", "l1": a, "l2": b}
    if (cls === undefined && (value.name === 'WeightRegularizer' || value.name === 'ActivityRegularizer')) return l1l2(value.l1, value.l2);
  }
  ctx.unsupported(`${ctx.where}: ${key} ${JSON.stringify(value)} has no tfjs equivalent (tfjs only has L1L2), so training in tfjs would differ`);
  return null;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

// ---------------------------------------------------------------------------- constraints

const CONSTRAINTS: Readonly<Record<string, string>> = nameTable({
  MaxNorm: 'MaxNorm', max_norm: 'MaxNorm', maxnorm: 'MaxNorm',
  NonNeg: 'NonNeg', non_neg: 'NonNeg', nonneg: 'NonNeg',
  UnitNorm: 'UnitNorm', unit_norm: 'UnitNorm', unitnorm: 'UnitNorm',
  MinMaxNorm: 'MinMaxNorm', min_max_norm: 'MinMaxNorm',
});

const CONSTRAINT_KEYS: Readonly<Record<string, string[]>> = nameTable({
  MaxNorm: ['max_value', 'axis'],
  NonNeg: [],
  UnitNorm: ['axis'],
  MinMaxNorm: ['min_value', 'max_value', 'rate', 'axis'],
});

export function constraint(value: unknown, ctx: ValueContext, key: string): Config | null {
  if (value === null || value === undefined) return null;
  let cls: string | undefined;
  let cfg: Config = {};
  if (typeof value === 'string') cls = value;
  else if (isObject(value)) {
    cls = typeof value.class_name === 'string' ? value.class_name.slice(value.class_name.lastIndexOf('>') + 1) : (value.name as string | undefined);
    cfg = isObject(value.config) ? value.config : value;
  }
  const target = cls ? CONSTRAINTS[cls] : undefined;
  if (!target) {
    ctx.unsupported(`${ctx.where}: ${key} ${JSON.stringify(value)} has no tfjs equivalent, so training in tfjs would differ`);
    return null;
  }
  const out: Config = {};
  for (const k of CONSTRAINT_KEYS[target]) {
    // Keras 1 MaxNorm wrote 'm' for max_value.
    const v = k === 'max_value' && cfg.m !== undefined && cfg.max_value === undefined ? cfg.m : cfg[k];
    if (v !== undefined) out[k] = v;
  }
  return { class_name: target, config: out };
}

/**
 * Rewrites every dtype / activation / initializer / regularizer / constraint value of one layer
 * config in place, by key name (Keras' naming convention is uniform across layers).
 */
export function rewriteValues(config: Config, ctx: ValueContext): void {
  for (const [key, value] of Object.entries(config)) {
    if (key === 'dtype') {
      const d = dtypeName(value, ctx);
      if (d === undefined) delete config.dtype;
      else config.dtype = d;
    } else if (key === 'activation' || key === 'recurrent_activation') {
      config[key] = activationName(value, ctx, key);
    } else if (key.endsWith('_initializer')) {
      config[key] = initializer(value, ctx, key);
    } else if (key.endsWith('_regularizer')) {
      config[key] = regularizer(value, ctx, key);
    } else if (key.endsWith('_constraint')) {
      config[key] = constraint(value, ctx, key);
    }
  }
}
