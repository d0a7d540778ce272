/**
 * The converter's public entry points, orchestration only:
 *
 *   read (read_source: detect + reader) → SourceModel
 *   → normalize/model_config + layer_map → tfjs topology      → weights → IntermediateModel
 *   → validate_topology (the topology is one tfjs builds, the weights are its layers')
 *   → write/tfjs_artifacts → ModelArtifacts → memory (`convert`), a directory (`convertToDirectory`),
 *     or a live tf.LayersModel (`loadKerasModel`).
 */
import { readdir } from 'node:fs/promises';
import { io } from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { ErrorCode, invalidArgument, Keras2TfjsError } from '../errors.js';
import { writeModelDirectory } from '../io/file_system.js';
import { compileFromKerasConfig } from '../train/compile_config.js';
import { displayName, firstLine } from '../errors.js';
import type { IntermediateModel, LayerMapping, SourceFormat, SourceModel } from './intermediate.js';
import { checkLambdaTargets, type DropoutRngName, type LambdaMappings } from './normalize/layer_map.js';
import { normalizeModelConfig } from './normalize/model_config.js';
import { readSource } from './read/read_source.js';
import { buildWeights } from './normalize/weights.js';
import { checkTfjsBuild, checkTopology, checkWeightNames, type StartBackend } from './normalize/validate_topology.js';
import { concatenate, QUANTIZE_DTYPES, toArtifactParts, type QuantizeDtype } from './write/tfjs_artifacts.js';

export interface ConvertOptions {
  /**
   * Lambda layers (and custom classes) → registered tfjs classes, keyed by layer name or by the
   * Lambda's function name: `{dropout: {className: 'ManualDropout', config: {rate: 0.5}}}`.
   */
  lambdas?: LambdaMappings;
  /** Convert Keras `Dropout` to ManualDropout drawing Keras' own masks (stream from `rng`). */
  exactDropout?: boolean;
  /**
   * Keras backend the model was trained with, for exact dropout streams. Overrides the file's
   * record (.keras archives do not record it; legacy .h5 files do).
   */
  rng?: 'tensorflow' | 'jax';
  /** Architecture for weights-only files: path of a Keras config.json / model.to_json() / tfjs model.json, or the object. */
  config?: string | Record<string, unknown>;
  /** Store weights as float16 or affine-quantized uint8/uint16 (tfjs' quantization format). */
  quantize?: QuantizeDtype;
  /** Largest weight shard file, in bytes (convertToDirectory; default 4 MiB). */
  shardSizeBytes?: number;
  /** Called as the conversion advances: fraction in [0, 1] and the stage's name. */
  onProgress?: (fraction: number, stage: string) => void;
  /** Name used in messages when the input is bytes (default '<memory>'). */
  fileName?: string;
}

export interface ConvertedLayer {
  /** 'dense_1', or 'encoder/dense_1' inside a nested model. */
  name: string;
  sourceClass: string;
  targetClass: string;
}

export interface ConversionReport {
  file: string;
  format: SourceFormat;
  kerasVersion: string | null;
  /** Backend recorded by the file, or null. */
  backend: string | null;
  modelClass: string;
  layers: ConvertedLayer[];
  /** Lambda / custom / dropout layers and what they became. */
  mappings: LayerMapping[];
  weightCount: number;
  parameterCount: number;
  /** Bytes of weight data written (after quantization). */
  weightBytes: number;
  quantize: QuantizeDtype | null;
  /** The file's Keras compile/training config, as stored, or null. */
  trainingConfig: Record<string, unknown> | null;
  /** Non-fatal notes: dropped settings, NaN weights, assumptions made. */
  warnings: string[];
  /** convertToDirectory: where the model was written and which files it holds. */
  outputDir?: string;
  files?: string[];
  /** loadKerasModel with compile: the compile settings tfjs could not reproduce. */
  compileDropped?: string[];
}

export interface ConvertResult {
  artifacts: io.ModelArtifacts;
  model: IntermediateModel;
  report: ConversionReport;
}

/** Converts a Keras model (path to .keras / .h5 / SavedModel or unzipped .keras dir, or bytes) in memory. */
export async function convert(input: string | Uint8Array, options: ConvertOptions = {}): Promise<ConvertResult> {
  return withWeightData(await readAndConvert(input, options, { startBackend: 'cpu' }));
}

interface ConvertHow {
  /**
   * The tfjs backend to start for the build check when the app has none: 'cpu' when the model
   * is only written (it allocates the check's zeroed weights lazily: ~2 ms for 100 MB, where
   * wasm copies them into its heap: ~50 ms), 'wasm' when the model is then run.
   */
  startBackend: StartBackend;
}

/**
 * A conversion whose artifacts have no `weightData` yet: the encoded weights are `weightParts`
 * (views, in manifest order), which the directory writer writes without concatenating them.
 */
interface PartsResult extends ConvertResult {
  weightParts: Uint8Array[];
}

function withWeightData(r: PartsResult): ConvertResult {
  const { weightParts, ...result } = r;
  return { ...result, artifacts: { ...r.artifacts, weightData: concatenate(weightParts) } };
}

async function readAndConvert(input: string | Uint8Array, options: ConvertOptions, how: ConvertHow): Promise<PartsResult> {
  checkOptions(options);
  options.onProgress?.(0, 'read');
  const source = await readSource(input, { config: options.config, fileName: options.fileName });
  return convertRead(source, options, how);
}

/** The conversion of an already-read SourceModel (shared by convert and inspect). */
export async function convertSource(source: SourceModel, options: ConvertOptions = {}): Promise<ConvertResult> {
  return withWeightData(await convertRead(source, options, { startBackend: 'cpu' }));
}

async function convertRead(source: SourceModel, options: ConvertOptions, how: ConvertHow): Promise<PartsResult> {
  const progress = options.onProgress ?? (() => {});
  progress(0.5, 'normalize');
  const rng = dropoutRng(source, options);
  const normalized = normalizeModelConfig(source.modelConfig, {
    file: source.file,
    kerasVersion: source.kerasVersion,
    lambdas: options.lambdas,
    exactDropout: options.exactDropout,
    rng: rng.rng,
    weightShapes: (path) => (source.layerWeights.get(path.join('/')) ?? []).map((w) => w.shape),
  });
  checkTopology(source.file, normalized.modelConfig);
  progress(0.6, 'weights');
  const built = buildWeights(source.file, normalized.layers, source.layerWeights);
  checkWeightNames(source.file, normalized.modelConfig, built.weights);
  const warnings = [...(rng.warning ? [rng.warning] : []), ...normalized.warnings, ...built.warnings];
  if (options.config !== undefined && source.format !== 'h5-weights') {
    warnings.push('the `config` option was ignored: the file holds its own architecture');
  }
  const model: IntermediateModel = {
    source: { file: source.file, format: source.format, kerasVersion: source.kerasVersion, backend: source.backend },
    modelTopology: {
      ...normalized.modelConfig,
      keras_version: source.kerasVersion ?? 'unknown',
      backend: source.backend ?? 'tensorflow',
    },
    weights: built.weights,
    trainingConfig: source.trainingConfig,
    mappings: normalized.mappings,
    warnings,
  };
  progress(0.7, 'check');
  await checkTfjsBuild(source.file, normalized.modelConfig, built.weights, how.startBackend);
  progress(0.8, 'write');
  const { artifacts, weightParts } = toArtifactParts(model, { quantize: options.quantize });
  progress(1, 'done');
  return { artifacts, weightParts, model, report: reportFor(model, source, normalized.layers, weightParts, options) };
}

/**
 * Converts and writes model.json + weight shards into `outDir`, atomically: on any failure
 * nothing is left behind (and an existing model directory is left as it was).
 */
export async function convertToDirectory(input: string, outDir: string, options: ConvertOptions = {}): Promise<ConversionReport> {
  const outer = options.onProgress;
  const { artifacts, weightParts, report } = await readAndConvert(input, { ...options, onProgress: (f, s) => outer?.(f * 0.9, s) }, {
    startBackend: 'cpu',
  });
  // Shards are cut from the weights' own memory. Not fsynced (see WriteArtifactsOptions.durable):
  // the input file is still there to convert again.
  await writeModelDirectory(artifacts, weightParts, outDir, { shardSizeBytes: options.shardSizeBytes, durable: false });
  outer?.(1, 'done');
  const written = await readdir(outDir);
  const files = ['model.json', ...written.filter((f) => f !== 'model.json').sort(byShardNumber)];
  return { ...report, outputDir: outDir, files };
}

export interface LoadKerasModelOptions extends ConvertOptions {
  /** Compile the model from the file's compile / training config (Keras-exact optimizer and loss). */
  compile?: boolean;
  /** Receives the conversion report (with `compileDropped` when compiling). */
  onReport?: (report: ConversionReport) => void;
}

/** Converts in memory and returns a live tfjs LayersModel (optionally compiled as in Keras). */
export async function loadKerasModel(input: string, options: LoadKerasModelOptions = {}): Promise<LayersModel> {
  const { artifacts, report } = withWeightData(await readAndConvert(input, options, { startBackend: 'wasm' }));
  let model: LayersModel;
  try {
    model = await loadLayersModel(io.fromMemory(artifacts));
  } catch (e) {
    throw new Keras2TfjsError(ErrorCode.BAD_CONFIG, `${displayName(report.file)}: tfjs could not build the converted model (${firstLine(e)})`, { file: report.file });
  }
  if (options.compile) {
    if (!report.trainingConfig) {
      model.dispose();
      throw new Keras2TfjsError(
        ErrorCode.BAD_CONFIG,
        `${displayName(report.file)}: has no compile settings (the model was saved uncompiled); load it without compile and call model.compile yourself`,
        { file: report.file },
      );
    }
    try {
      report.compileDropped = compileFromKerasConfig(model, report.trainingConfig).dropped;
    } catch (e) {
      model.dispose();
      if (e instanceof Keras2TfjsError) {
        throw new Keras2TfjsError(e.code, `${displayName(report.file)}: ${e.message}`, { file: report.file });
      }
      throw e;
    }
  }
  options.onReport?.(report);
  return model;
}

/** group1-shard2of10.bin before group1-shard10of10.bin. */
function byShardNumber(a: string, b: string): number {
  const n = (f: string): number => Number(/shard(\d+)of/.exec(f)?.[1] ?? 0);
  return n(a) - n(b) || a.localeCompare(b);
}

function checkOptions(o: ConvertOptions): void {
  if (o.quantize !== undefined && !QUANTIZE_DTYPES.includes(o.quantize)) {
    throw invalidArgument('quantize', "'float16', 'uint8' or 'uint16'", o.quantize);
  }
  if (o.shardSizeBytes !== undefined && (!Number.isInteger(o.shardSizeBytes) || o.shardSizeBytes <= 0)) {
    throw invalidArgument('shardSizeBytes', 'a positive integer', o.shardSizeBytes);
  }
  if (o.rng !== undefined && o.rng !== 'tensorflow' && o.rng !== 'jax') {
    throw invalidArgument('rng', "'tensorflow' or 'jax'", o.rng);
  }
  checkLambdaTargets(o.lambdas);
}

/** The stream exact dropout draws from: the option, else the file's backend, else TensorFlow's. */
function dropoutRng(source: SourceModel, o: ConvertOptions): { rng: DropoutRngName; warning?: string } {
  if (o.rng) return { rng: o.rng };
  if (source.backend === 'tensorflow' || source.backend === 'jax') return { rng: source.backend };
  if (!o.exactDropout) return { rng: 'tensorflow' };
  return {
    rng: 'tensorflow',
    warning: `the file does not record its Keras backend; exact dropout assumes 'tensorflow' (pass rng: 'jax' / --rng jax for a model trained on JAX)`,
  };
}

function reportFor(
  model: IntermediateModel,
  source: SourceModel,
  layers: ReturnType<typeof normalizeModelConfig>['layers'],
  weightParts: Uint8Array[],
  options: ConvertOptions,
): ConversionReport {
  const parameterCount = model.weights.reduce((n, w) => n + w.data.length, 0);
  const weightBytes = weightParts.reduce((n, b) => n + b.byteLength, 0);
  return {
    file: source.file,
    format: source.format,
    kerasVersion: source.kerasVersion,
    backend: source.backend,
    modelClass: String(model.modelTopology.class_name),
    layers: layers.map((l) => ({ name: l.path.join('/'), sourceClass: l.sourceClass, targetClass: l.targetClass })),
    mappings: model.mappings,
    weightCount: model.weights.length,
    parameterCount,
    weightBytes,
    quantize: options.quantize ?? null,
    trainingConfig: source.trainingConfig,
    warnings: model.warnings,
  };
}
