/**
 * Which tfjs class each Keras layer becomes: the one place that decides class names.
 *
 *   - a class tfjs knows (built in, one of ours such as ManualDropout, or registered by the app
 *     with `tf.serialization.registerClass`) stays as it is;
 *   - `Lambda` becomes the registered class the user mapped it to, by layer name or by function
 *     name (`lambdas` option / `--lambda NAME=Class[:json]`); Python code is never run, only read
 *     (see marshal.ts) to name the function in the error that asks for a mapping;
 *   - the Python twin `keras2tfjs>ManualDropout` becomes ManualDropout with the same config;
 *   - Keras `Dropout` stays tfjs `Dropout`, unless `exactDropout`, which makes it ManualDropout
 *     drawing its masks from the source backend's stream (rng 'tensorflow' or 'jax') and seed;
 *     with `exactDropout`, `SpatialDropout1D/2D/3D` become ManualDropout too, with the noise
 *     shape Keras draws them over (one mask value per sample and channel);
 *   - anything else is unknown: collected, so one error can list every missing class.
 */
import { serialization } from '@tensorflow/tfjs-core';
import { layers as tflayers } from '@tensorflow/tfjs-layers';
import '../../layers/manual_dropout.js';
// Layers keras2tfjs adds for Keras semantics tfjs lacks (registered on import).
import '../../layers/compat/index.js';
import { ErrorCode, Keras2TfjsError, summarizeList } from '../../errors.js';
import { jsonProblem, parseBoundedJson } from '../../formats/bounded_json.js';
import type { LayerMapping } from '../intermediate.js';
import { summarizeLambdaCode, type CodeSummary } from '../../formats/python/marshal.js';
import { nameTable, ownValue } from '../../name_table.js';

/** What a Lambda (or any layer, by name) maps to: a registered tfjs class and its config. */
export interface LambdaTarget {
  className: string;
  config?: Record<string, unknown>;
}

/** `{ [layer name or function name]: target }`. Layer names win over function names. */
export type LambdaMappings = Record<string, LambdaTarget>;

/** The mask streams ManualDropout can draw from. */
export type DropoutRngName = 'tensorflow' | 'jax' | 'tfjs';

export interface LayerMapOptions {
  lambdas?: LambdaMappings;
  /** Keras Dropout → ManualDropout with the source backend's stream. */
  exactDropout?: boolean;
  /** The stream ManualDropout should use for converted Keras Dropout layers. */
  rng: DropoutRngName;
}

type Config = Record<string, unknown>;

/** What a Lambda's config tells about its function, without running anything. */
export interface LambdaInfo {
  layer: string;
  /** Named function ('dropout'), or null for an anonymous `lambda`. */
  functionName: string | null;
  /** Names and constants read from the marshal bytecode, when the function is stored as code. */
  code: CodeSummary | null;
}

export type MapResult =
  | { kind: 'keep'; className: string; config: Config }
  | { kind: 'mapped'; className: string; config: Config; mapping: LayerMapping }
  | { kind: 'unknown'; sourceClass: string }
  | { kind: 'lambda'; info: LambdaInfo };

const MANUAL_DROPOUT = 'ManualDropout';

/**
 * Keras class names that name a tfjs class under another name (Keras 2 internal or Keras 3
 * spellings). Only exact equivalents belong here.
 */
const RENAMED: Readonly<Record<string, string>> = nameTable({
  BatchNormalizationV1: 'BatchNormalization',
  BatchNormalizationV2: 'BatchNormalization',
  UnifiedLSTM: 'LSTM',
  UnifiedGRU: 'GRU',
  LSTMV1: 'LSTM',
  GRUV1: 'GRU',
  Convolution1D: 'Conv1D',
  Convolution2D: 'Conv2D',
  Convolution3D: 'Conv3D',
  Deconvolution2D: 'Conv2DTranspose',
  Convolution2DTranspose: 'Conv2DTranspose',
  SeparableConvolution2D: 'SeparableConv2D',
  DepthwiseConvolution2D: 'DepthwiseConv2D',
  AvgPool1D: 'AveragePooling1D',
  AvgPool2D: 'AveragePooling2D',
  AvgPool3D: 'AveragePooling3D',
  MaxPool1D: 'MaxPooling1D',
  MaxPool2D: 'MaxPooling2D',
  MaxPool3D: 'MaxPooling3D',
  GlobalAvgPool1D: 'GlobalAveragePooling1D',
  GlobalAvgPool2D: 'GlobalAveragePooling2D',
  GlobalMaxPool1D: 'GlobalMaxPooling1D',
  GlobalMaxPool2D: 'GlobalMaxPooling2D',
  GlobalAvgPool3D: 'GlobalAveragePooling3D',
  GlobalMaxPool3D: 'GlobalMaxPooling3D',
  // Keras 3 exports GroupedQueryAttention as keras.layers.GroupQueryAttention (.keras files say so).
  GroupQueryAttention: 'GroupedQueryAttention',
});

/** `package>Name` (Keras' registered names) → `Name`. */
export function stripPackage(className: string): string {
  const i = className.lastIndexOf('>');
  return i >= 0 ? className.slice(i + 1) : className;
}

/** True if tfjs can deserialize a layer of this class right now (built in or registered). */
export function isRegisteredLayer(className: string): boolean {
  // tfjs' registry is a plain object: 'toString' would find Object.prototype's.
  const entry = ownValue(serialization.SerializationMap.getMap().classNameMap, className);
  if (!entry) return false;
  const ctor = entry[0] as unknown as { prototype: unknown };
  return ctor.prototype instanceof tflayers.Layer;
}

/** The tfjs class a Keras class name maps to by name alone (before config checks). */
export function tfjsClassName(sourceClass: string): string {
  const plain = stripPackage(sourceClass);
  return RENAMED[plain] ?? plain;
}

/**
 * Decides the tfjs class for one layer. `config` is the layer's Keras config (snake_case keys);
 * the returned config is what the tfjs layer gets (still snake_case; tfjs camel-cases on load).
 */
export function mapLayer(sourceClass: string, layerName: string, config: Config, opts: LayerMapOptions): MapResult {
  const plain = stripPackage(sourceClass);
  const byName = ownValue(opts.lambdas, layerName);

  if (plain === 'Lambda') {
    const info = describeLambda(layerName, config);
    const target = byName ?? (info.functionName ? ownValue(opts.lambdas, info.functionName) : undefined);
    if (!target) return { kind: 'lambda', info };
    return mappedTo(target, sourceClass, layerName, config, info.functionName, opts);
  }
  if (byName && !isRegisteredLayer(tfjsClassName(sourceClass))) {
    // A custom class mapped by layer name to a registered class (e.g. a custom dropout).
    return mappedTo(byName, sourceClass, layerName, config, null, opts);
  }
  if (plain === MANUAL_DROPOUT) {
    const target = manualDropoutConfig(config, null);
    return mapped(MANUAL_DROPOUT, target, sourceClass, layerName, null);
  }
  if (plain === 'Dropout' && opts.exactDropout) {
    const target = manualDropoutConfig(config, opts.rng);
    return mapped(MANUAL_DROPOUT, target, sourceClass, layerName, null);
  }
  const spatialNoise = spatialNoiseShape(plain, config);
  if (spatialNoise && opts.exactDropout) {
    const target = manualDropoutConfig({ ...config, noise_shape: spatialNoise }, opts.rng);
    return mapped(MANUAL_DROPOUT, target, sourceClass, layerName, null);
  }
  if (INFERENCE_IDENTITY.has(plain)) return { kind: 'keep', className: 'InferenceIdentity', config: inferenceIdentityConfig(plain, config) };
  const replaced = ownValue(REPLACED, plain);
  if (replaced) return { kind: 'keep', className: replaced, config };
  const className = tfjsClassName(sourceClass);
  if (isRegisteredLayer(className)) return { kind: 'keep', className, config };
  return { kind: 'unknown', sourceClass: plain };
}

/**
 * Keras classes tfjs registers under the same name but computes otherwise (tfjs' Resizing and
 * CenterCrop miscompute shapes and crops, its CategoryEncoding writes into its input's shape,
 * its Conv3DTranspose runs a kernel tfjs-backend-wasm gets wrong):
 * keras2tfjs' versions, exported back under the Keras name.
 */
const REPLACED: Readonly<Record<string, string>> = nameTable({
  Resizing: 'KerasResizing',
  CenterCrop: 'KerasCenterCrop',
  CategoryEncoding: 'KerasCategoryEncoding',
  Conv3DTranspose: 'KerasConv3DTranspose',
});

/**
 * Keras layers that are the identity when a model predicts: random augmentation (applied only in
 * training), Identity, ActivityRegularization (a training penalty). They become keras2tfjs'
 * InferenceIdentity, which keeps their class and config for the way back.
 */
export const INFERENCE_IDENTITY = new Set([
  'Identity', 'ActivityRegularization', 'RandomFlip', 'RandomRotation', 'RandomZoom', 'RandomTranslation', 'RandomContrast',
  'RandomBrightness', 'RandomCrop', 'RandomHeight', 'RandomWidth', 'RandomColorDegeneration', 'RandomColorJitter', 'RandomElasticTransform',
  'RandomErasing', 'RandomGaussianBlur', 'RandomGrayscale', 'RandomHue', 'RandomInvert', 'RandomPerspective', 'RandomPosterization',
  'RandomSaturation', 'RandomSharpness', 'RandomShear', 'AugMix', 'CutMix', 'MixUp', 'RandAugment', 'Equalization', 'Solarization',
]);

function inferenceIdentityConfig(kerasClass: string, config: Config): Config {
  const own: Config = {};
  for (const [k, v] of Object.entries(config)) {
    if (!['name', 'trainable', 'dtype', 'batch_input_shape', 'batch_shape', 'input_shape'].includes(k)) own[k] = v;
  }
  const out: Config = {
    name: config.name,
    trainable: config.trainable ?? true,
    keras_class: kerasClass,
    keras_config: own,
  };
  for (const k of ['dtype', 'batch_input_shape', 'batch_shape', 'input_shape']) if (config[k] !== undefined) out[k] = config[k];
  return out;
}

function mappedTo(
  target: LambdaTarget,
  sourceClass: string,
  layerName: string,
  config: Config,
  fn: string | null,
  opts: LayerMapOptions,
): MapResult {
  const userConfig = target.config ?? {};
  const base: Config = { name: layerName, trainable: config.trainable ?? true };
  // Keep what the replaced layer said about its place in the model: dtype and, for the first
  // layer of a Sequential, the input shape.
  for (const key of ['dtype', 'batch_input_shape', 'batch_shape', 'input_shape']) {
    if (config[key] !== undefined) base[key] = config[key];
  }
  let targetConfig: Config = { ...base, ...userConfig };
  if (target.className === MANUAL_DROPOUT) targetConfig = manualDropoutConfig(targetConfig, opts.exactDropout ? opts.rng : null);
  return mapped(target.className, targetConfig, sourceClass, layerName, fn);
}

function mapped(className: string, config: Config, sourceClass: string, layerName: string, fn: string | null): MapResult {
  return {
    kind: 'mapped',
    className,
    config,
    mapping: { layer: layerName, sourceClass, functionName: fn, targetClass: className, targetConfig: config },
  };
}

/**
 * Keras' SpatialDropout noise shapes (`_get_noise_shape`): the batch and channel axes keep the
 * input's size (null), every spatial axis is 1, so a whole feature map is kept or dropped.
 */
function spatialNoiseShape(plain: string, config: Config): Array<number | null> | null {
  const spatialAxes = { SpatialDropout1D: 1, SpatialDropout2D: 2, SpatialDropout3D: 3 }[plain];
  if (spatialAxes === undefined) return null;
  const ones = new Array<number>(spatialAxes).fill(1);
  if (spatialAxes > 1 && config.data_format === 'channels_first') return [null, null, ...ones];
  return [null, ...ones, null];
}

/**
 * A ManualDropout config (snake_case, as tfjs reads Python configs) from a Keras Dropout config,
 * the Python twin's config, or a user mapping. `rng` fills in the stream when not given.
 */
function manualDropoutConfig(config: Config, rng: DropoutRngName | null): Config {
  const out: Config = {
    name: config.name,
    trainable: config.trainable ?? true,
    rate: config.rate ?? 0.5,
    noise_shape: config.noise_shape ?? config.noiseShape ?? null,
    seed: config.seed ?? null,
    scaling: config.scaling ?? 'train',
    always_on: config.always_on ?? config.alwaysOn ?? false,
    rng: config.rng ?? rng ?? 'tensorflow',
  };
  if (config.dtype !== undefined) out.dtype = config.dtype;
  return out;
}

// ------------------------------------------------------------------------------- Lambdas

/**
 * The function behind a Lambda, from its config:
 *   Keras 3 named function  {"class_name": "function", "config": "dropout"}  ('pkg>dropout' if registered)
 *   Keras 3 anonymous       {"class_name": "__lambda__", "config": {"code": base64 marshal}}
 *   Keras 2                 "function": [base64 marshal, defaults, closure], "function_type": "lambda"
 *                           "function": "name", "function_type": "function"
 *   Keras 1                 as Keras 2, marshal bytes as raw characters
 */
export function describeLambda(layer: string, config: Config): LambdaInfo {
  const fn = config.function;
  let code: CodeSummary | null = null;
  let name: string | null = null;
  if (typeof fn === 'string') {
    if (config.function_type === 'lambda') code = summarizeLambdaCode(fn);
    else name = stripPackage(fn);
  } else if (Array.isArray(fn) && typeof fn[0] === 'string') {
    code = summarizeLambdaCode(fn[0]);
  } else if (fn && typeof fn === 'object') {
    const obj = fn as Config;
    const inner = obj.config;
    if (obj.class_name === '__lambda__' && inner && typeof inner === 'object') {
      const c = inner as Config;
      const text = typeof c.code === 'string' ? c.code : Array.isArray(c.value) && typeof c.value[0] === 'string' ? c.value[0] : null;
      if (text) code = summarizeLambdaCode(text);
    } else if (typeof inner === 'string') {
      name = stripPackage(inner);
    }
  }
  if (!name && code && code.name !== '<lambda>') name = code.name;
  return { layer, functionName: name, code };
}

/** One clause for the error/inspect report: "layer 'x' is a Lambda (function 'f'); map it with --lambda ...". */
export function describeUnmappedLambda(info: LambdaInfo): string {
  const what = info.functionName
    ? `function '${info.functionName}'`
    : `an anonymous lambda${codeHint(info.code)}`;
  return `layer '${info.layer}' is a Lambda (${what}); map it with ${suggestedLambdaFlag(info)}`;
}

/**
 * The `--lambda` flag that would map this Lambda (a guess at the class for dropout functions),
 * quoted so that it can be pasted into a shell as it is (JSON's quotes and braces would not survive).
 */
export function suggestedLambdaFlag(info: LambdaInfo): string {
  const key = info.functionName ?? info.layer;
  if (/dropout/i.test(info.functionName ?? '')) {
    const rate = info.code?.consts.find((c): c is number => typeof c === 'number' && c > 0 && c < 1) ?? 0.5;
    return `--lambda ${shellWord(`${key}=${MANUAL_DROPOUT}:${JSON.stringify({ rate })}`)}`;
  }
  return `--lambda ${shellWord(`${key}=<RegisteredClass>[:<json config>]`)} after registering that tfjs layer class with tf.serialization.registerClass`;
}

/** One POSIX shell word: left bare when nothing in it is special to a shell, else single-quoted. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function codeHint(code: CodeSummary | null): string {
  if (!code) return '';
  const parts: string[] = [];
  if (code.names.length) parts.push(`uses ${summarizeList(code.names)}`);
  const consts = code.consts.filter((c) => c !== null && typeof c !== 'boolean' && !(typeof c === 'string' && c.length > 24));
  if (consts.length) parts.push(`constants ${summarizeList(consts.map((c) => JSON.stringify(c)))}`);
  return parts.length ? `; ${parts.join('; ')}` : '';
}

/** Layer names for a message: all of a few, else the first ones and how many more. */
export function layerList(layers: string[]): string {
  return layers.length === 1 ? `layer '${layers[0]}'` : `layers ${summarizeList(layers.map((l) => `'${l}'`))}`;
}

/** The message clause for an unknown class, with how to provide it. */
export function describeUnknownClass(sourceClass: string, layers: string[]): string {
  const where = layerList(layers);
  if (sourceClass.startsWith('keras.ops.')) {
    return `${where} ${layers.length === 1 ? 'is' : 'are'} the operation ${sourceClass}, which keras2tfjs does not implement`;
  }
  return `${where} ${layers.length === 1 ? 'has' : 'have'} class '${sourceClass}', which neither tfjs nor keras2tfjs implements; write it as a tf.layers.Layer subclass with static className = '${sourceClass}' and register it with tf.serialization.registerClass before converting`;
}

/**
 * Parses one CLI mapping, `NAME=Class[:json]`, e.g. `dropout=ManualDropout:{"rate":0.5}`.
 * Throws INVALID_ARGUMENT with the expected form.
 */
export function parseLambdaMapping(spec: string): [string, LambdaTarget] {
  const m = /^([^=]+)=([A-Za-z_$][\w$]*)(?::([\s\S]*))?$/.exec(spec.trim());
  const usage = `expected NAME=Class or NAME=Class:{json config}, e.g. dropout=ManualDropout:{"rate":0.5}`;
  if (!m) throw badMapping(spec, usage);
  let config: Record<string, unknown> | undefined;
  if (m[3] !== undefined && m[3] !== '') {
    let parsed: unknown;
    try {
      parsed = parseBoundedJson(m[3]);
    } catch (e) {
      throw badMapping(spec, `the config after ':' must be a JSON object (it ${jsonProblem(e)}); ${usage}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badMapping(spec, `the config must be a JSON object; ${usage}`);
    config = parsed as Record<string, unknown>;
  }
  return [m[1].trim(), config ? { className: m[2], config } : { className: m[2] }];
}

function badMapping(spec: string, expected: string): Keras2TfjsError {
  return new Keras2TfjsError(ErrorCode.INVALID_ARGUMENT, `Invalid value for \`--lambda\`: ${expected}. Received: --lambda ${spec}`);
}

/** Checks the user's mappings name registered tfjs layer classes (before converting anything). */
export function checkLambdaTargets(lambdas: LambdaMappings | undefined): void {
  for (const [name, target] of Object.entries(lambdas ?? {})) {
    if (!target || typeof target.className !== 'string' || !isRegisteredLayer(target.className)) {
      const cls = target && typeof target.className === 'string' ? target.className : String(target?.className);
      throw new Keras2TfjsError(
        ErrorCode.INVALID_ARGUMENT,
        `Invalid value for \`lambdas\`: expected a registered tfjs layer class for '${name}'. Received: ${name}=${cls} (register it with tf.serialization.registerClass first)`,
      );
    }
  }
}
