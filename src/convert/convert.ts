/**
 * The converter's public entry points, orchestration only:
 *
 *   read (read_source: detect + reader) → SourceModel (config, and weights read when asked)
 *   → normalize/model_config + layer_map → tfjs topology      → weights → IntermediateModel
 *   → validate_topology (the topology is one tfjs builds, the weights are its layers')
 *   → write: the weights read from the input piece by piece (write/weight_encoder), into
 *     memory (`convert`), into shard files as they come (`convertToDirectory`), or into a live
 *     tf.LayersModel weight by weight (`loadKerasModel`, write/live_model).
 *
 * Only `convert` holds every weight in memory (its result is the weights); the others hold a
 * piece, or a weight, at a time, so a model of any size converts in bounded memory.
 */
import { io } from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { ErrorCode, invalidArgument, Keras2TfjsError } from '../errors.js';
import { DEFAULT_SHARD_SIZE_BYTES, MODEL_JSON, shardFileNames, writeModelDirectory } from '../io/file_system.js';
import { compileFromKerasConfig } from '../train/compile_config.js';
import { restoreOptimizerState } from '../train/optimizer_state.js';
import { displayName, firstLine } from '../errors.js';
import { arrayInMemory, elementCount } from '../formats/stored_array.js';
import type { IntermediateModel, LayerMapping, LoadedModel, LoadedWeight, SourceFormat, SourceModel, SourceOptimizerWeights, SourceWeight } from './intermediate.js';
import { checkLambdaTargets, type DropoutRngName, type LambdaMappings } from './normalize/layer_map.js';
import { normalizeModelConfig } from './normalize/model_config.js';
import { readSource, type ReadOptions } from './read/read_source.js';
import { buildWeights } from './normalize/weights.js';
import { checkTfjsBuild, checkTopology, checkWeightNames, type StartBackend } from './normalize/validate_topology.js';
import { artifactsFor, QUANTIZE_DTYPES, type QuantizeDtype } from './write/tfjs_artifacts.js';
import { encodeWeights } from './write/weight_encoder.js';
import { fillLiveModel } from './write/live_model.js';

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
  /**
   * How many bytes reading the input may decode to, as a multiple of its size (default 100, and
   * at least 128 MiB whatever the size): a guard against decompression bombs. Raise it for a
   * genuine file with very compressible weights.
   */
  maxDecodeRatio?: number;
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
  /** loadKerasModel with compile: the optimizer step training continues from (the file's, or 0). */
  optimizerIterations?: number;
}

export interface ConvertResult {
  artifacts: io.ModelArtifacts;
  /** The converted model; its weights' `data` (unquantized) are views of `artifacts.weightData`. */
  model: LoadedModel;
  report: ConversionReport;
}

/** Converts a Keras model (path to .keras / .h5 / SavedModel or unzipped .keras dir, or bytes) in memory. */
export async function convert(input: string | Uint8Array, options: ConvertOptions = {}): Promise<ConvertResult> {
  checkOptions(options);
  options.onProgress?.(0, 'read');
  const source = await readSource(input, readOptions(options));
  try {
    return await convertInMemory(source, await planConversion(source, options, 'cpu'), options);
  } finally {
    await source.close();
  }
}

function readOptions(o: ConvertOptions, optimizerState = false): ReadOptions {
  return { config: o.config, fileName: o.fileName, maxDecodeRatio: o.maxDecodeRatio, optimizerState };
}

/** A conversion checked and ready to write: the weights are still in the input. */
interface Plan {
  model: IntermediateModel;
  layers: ReturnType<typeof normalizeModelConfig>['layers'];
}

/**
 * Everything but the weights' values: the topology normalized and checked, the weights named
 * and their shapes checked, the model built once in tfjs (on `startBackend` if the app has
 * none: 'cpu' when the model is only written — it allocates the check's zeroed weights lazily,
 * ~2 ms for 100 MB, where wasm copies them into its heap — 'wasm' when the model is then run).
 */
async function planConversion(source: SourceModel, options: ConvertOptions, startBackend: StartBackend): Promise<Plan>;
async function planConversion(source: SourceModel, options: ConvertOptions, startBackend: StartBackend, keepBuilt: true): Promise<Plan & { built: LayersModel }>;
async function planConversion(source: SourceModel, options: ConvertOptions, startBackend: StartBackend, keepBuilt = false): Promise<Plan & { built?: LayersModel }> {
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
    optimizerWeights: source.optimizerWeights ?? null,
  };
  progress(0.7, 'check');
  const plan = { model, layers: normalized.layers };
  if (!keepBuilt) {
    await checkTfjsBuild(source.file, normalized.modelConfig, built.weights, startBackend);
    return plan;
  }
  return { ...plan, built: await checkTfjsBuild(source.file, normalized.modelConfig, built.weights, startBackend, true) };
}

/** Reads every weight into one buffer (the artifacts' weightData) and returns the converted model. */
async function convertInMemory(source: SourceModel, plan: Plan, options: ConvertOptions, finish = () => source.finish()): Promise<ConvertResult> {
  options.onProgress?.(0.8, 'write');
  const q = options.quantize;
  // Quantized weights are kept as they were too (the model's values), so each is read once.
  const values = q ? await readAll(plan.model) : null;
  const weights = values ? plan.model.weights.map((w, i) => ({ ...w, ...arrayInMemory(w.shape, w.dtype, values[i]) })) : plan.model.weights;
  const encoded = encodeWeights(weights, { quantize: q, whenDone: finish });
  const weightData = new Uint8Array(encoded.totalBytes);
  let at = 0;
  for await (const piece of encoded.pieces) {
    weightData.set(piece, at);
    at += piece.byteLength;
  }
  let offset = 0;
  const loaded: LoadedWeight[] = plan.model.weights.map((w, i) => {
    const count = elementCount(w.shape);
    const data = values ? values[i] : w.dtype === 'float32' ? new Float32Array(weightData.buffer, offset, count) : new Int32Array(weightData.buffer, offset, count);
    offset += count * 4;
    return { name: w.name, shape: w.shape, dtype: w.dtype, data };
  });
  const model: LoadedModel = { ...plan.model, weights: loaded, warnings: [...plan.model.warnings, ...encoded.warnings] };
  options.onProgress?.(1, 'done');
  return {
    artifacts: { ...artifactsFor(plan.model, encoded.specs), weightData: weightData.buffer },
    model,
    report: reportFor(model, plan, encoded.totalBytes, options),
  };
}

async function readAll(model: IntermediateModel): Promise<Array<Float32Array | Int32Array>> {
  const out: Array<Float32Array | Int32Array> = [];
  for (const w of model.weights) out.push(await w.read());
  return out;
}

/**
 * Converts and writes model.json + weight shards into `outDir`, atomically: on any failure
 * nothing is left behind (and an existing model directory is left as it was). The weights are
 * read piece by piece and each shard written as it fills: memory stays bounded whatever the
 * model's size.
 */
export async function convertToDirectory(input: string, outDir: string, options: ConvertOptions = {}): Promise<ConversionReport> {
  checkOptions(options);
  const outer = options.onProgress;
  const progress = (f: number, s: string) => outer?.(f * 0.9, s);
  progress(0, 'read');
  const source = await readSource(input, readOptions(options));
  let report: ConversionReport;
  try {
    const plan = await planConversion(source, { ...options, onProgress: progress }, 'cpu');
    progress(0.8, 'write');
    const encoded = encodeWeights(plan.model.weights, { quantize: options.quantize, whenDone: () => source.finish() });
    // Not fsynced (see WriteArtifactsOptions.durable): the input file is still there to convert again.
    await writeModelDirectory(artifactsFor(plan.model, encoded.specs), encoded, outDir, { shardSizeBytes: options.shardSizeBytes, durable: false });
    const model = { ...plan.model, warnings: [...plan.model.warnings, ...encoded.warnings] };
    report = reportFor(model, plan, encoded.totalBytes, options);
  } finally {
    await source.close();
  }
  outer?.(1, 'done');
  // What this run wrote, not what the folder holds now: another run may be replacing it already.
  const files = [MODEL_JSON, ...shardFileNames(report.weightBytes, options.shardSizeBytes ?? DEFAULT_SHARD_SIZE_BYTES)];
  return { ...report, outputDir: outDir, files };
}

/** What `inspect` needs: the conversion checked, without reading any weight's values. */
export async function planFromSource(source: SourceModel, options: ConvertOptions = {}): Promise<{ model: IntermediateModel; report: ConversionReport }> {
  const plan = await planConversion(source, options, 'cpu');
  const totalBytes = encodeWeights(plan.model.weights, { quantize: options.quantize }).totalBytes;
  return { model: plan.model, report: reportFor(plan.model, plan, totalBytes, options) };
}

export interface LoadKerasModelOptions extends ConvertOptions {
  /**
   * Compile the model from the file's compile / training config (Keras-exact optimizer and loss),
   * with the optimizer state the file holds (iteration count and every slot), so training
   * continues where Keras stopped.
   */
  compile?: boolean;
  /**
   * Receives the warning when compiling cannot resume the file's optimizer state (the file holds
   * none, or state that does not fit the model). Default: `console.warn`. Also in the report.
   */
  onWarning?: (message: string) => void;
  /** Receives the conversion report (with `compileDropped` when compiling). */
  onReport?: (report: ConversionReport) => void;
}

/**
 * Converts and returns a live tfjs LayersModel (optionally compiled as in Keras). The weights go
 * from the input into the model's variables one at a time: the model holds the one copy of
 * them (quantized weights take the in-memory path: they are dequantized on the way, as tfjs does).
 */
export async function loadKerasModel(input: string, options: LoadKerasModelOptions = {}): Promise<LayersModel> {
  checkOptions(options);
  options.onProgress?.(0, 'read');
  const source = await readSource(input, readOptions(options, options.compile === true));
  let model: LayersModel;
  let report: ConversionReport;
  // Compiling resumes the file's optimizer state: read into memory once the weights are, before
  // the input is finished with (it is restored after the model is built).
  let optimizerWeights: SourceOptimizerWeights | null = null;
  const finish = async (saved: SourceOptimizerWeights | null | undefined) => {
    if (options.compile && saved) optimizerWeights = await readIntoMemory(saved);
    await source.finish();
  };
  try {
    if (options.quantize) {
      const plan = await planConversion(source, options, 'wasm');
      const converted = await convertInMemory(source, plan, options, () => finish(plan.model.optimizerWeights));
      report = converted.report;
      try {
        model = await loadLayersModel(io.fromMemory(converted.artifacts));
      } catch (e) {
        throw new Keras2TfjsError(ErrorCode.BAD_CONFIG, `${displayName(report.file)}: tfjs could not build the converted model (${firstLine(e)})`, { file: report.file });
      }
    } else {
      // The model the check builds is the one the weights go into.
      const plan = await planConversion(source, options, 'wasm', true);
      options.onProgress?.(0.8, 'load');
      const live = await fillLiveModel(plan.built, plan.model, { whenDone: () => finish(plan.model.optimizerWeights) });
      model = live.model;
      report = reportFor({ ...plan.model, warnings: [...plan.model.warnings, ...live.warnings] }, plan, live.bytes, options);
      options.onProgress?.(1, 'done');
    }
  } finally {
    await source.close();
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
      const { dropped, optimizer } = compileFromKerasConfig(model, report.trainingConfig);
      report.compileDropped = dropped;
      const state = await restoreOptimizerState(model, optimizer, optimizerWeights);
      report.optimizerIterations = state.iterations;
      if (state.warning) {
        const warning = `${displayName(report.file)}: ${state.warning}`;
        report.warnings.push(warning);
        (options.onWarning ?? ((m: string) => console.warn(m)))(warning);
      }
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

/** The optimizer's variables with their values read (the input is closed before they are used). */
async function readIntoMemory(saved: SourceOptimizerWeights): Promise<SourceOptimizerWeights> {
  const weights: SourceWeight[] = [];
  for (const w of saved.weights) {
    weights.push({ ...arrayInMemory(w.shape, w.dtype, await w.read()), sourceDtype: w.sourceDtype, storedName: w.storedName });
  }
  return { name: saved.name, weights };
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
  if (o.maxDecodeRatio !== undefined && !(typeof o.maxDecodeRatio === 'number' && o.maxDecodeRatio > 0 && Number.isFinite(o.maxDecodeRatio))) {
    throw invalidArgument('maxDecodeRatio', 'a positive number', o.maxDecodeRatio);
  }
  checkLambdaTargets(o.lambdas);
}

/** The stream exact dropout draws from: the option, else the file's backend, else TensorFlow's. */
function dropoutRng(source: Pick<SourceModel, 'backend'>, o: ConvertOptions): { rng: DropoutRngName; warning?: string } {
  if (o.rng) return { rng: o.rng };
  if (source.backend === 'tensorflow' || source.backend === 'jax') return { rng: source.backend };
  if (!o.exactDropout) return { rng: 'tensorflow' };
  return {
    rng: 'tensorflow',
    warning: `the file does not record its Keras backend; exact dropout assumes 'tensorflow' (pass rng: 'jax' / --rng jax for a model trained on JAX)`,
  };
}

function reportFor(
  model: { weights: Array<{ shape: number[] }> } & Pick<IntermediateModel, 'warnings' | 'mappings' | 'modelTopology'>,
  plan: Plan,
  weightBytes: number,
  options: ConvertOptions,
): ConversionReport {
  const source = plan.model.source;
  return {
    file: source.file,
    format: source.format,
    kerasVersion: source.kerasVersion,
    backend: source.backend,
    modelClass: String(model.modelTopology.class_name),
    layers: plan.layers.map((l) => ({ name: l.path.join('/'), sourceClass: l.sourceClass, targetClass: l.targetClass })),
    mappings: model.mappings,
    weightCount: model.weights.length,
    parameterCount: model.weights.reduce((n, w) => n + elementCount(w.shape), 0),
    weightBytes,
    quantize: options.quantize ?? null,
    trainingConfig: plan.model.trainingConfig,
    warnings: model.warnings,
  };
}
