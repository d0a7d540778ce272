/**
 * `inspect`: what a Keras model file holds and how it would convert, without writing anything —
 * format and Keras version, every layer with its class, the class it becomes in tfjs, output
 * shape and parameter count, every Lambda with what can be read of its function and the
 * `--lambda` flag that would map it, and, if the model cannot convert yet, the precise reason.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { Keras2TfjsError } from '../errors.js';
import { elementCount } from '../formats/stored_array.js';
import { ownValue } from '../name_table.js';
import { planFromSource, type ConvertOptions } from './convert.js';
import type { IntermediateModel, SourceFormat, SourceModel, SourceWeight } from './intermediate.js';
import { describeLambda, stripPackage, suggestedLambdaFlag, tfjsClassName, isRegisteredLayer, type LambdaTarget } from './normalize/layer_map.js';
import type { MarshalConst } from '../formats/python/marshal.js';
import { readSource } from './read/read_source.js';
import { buildWithZeros } from './normalize/tfjs_build.js';

export type InspectOptions = Pick<ConvertOptions, 'lambdas' | 'exactDropout' | 'rng' | 'config' | 'fileName' | 'maxDecodeRatio'>;

export interface InspectedLayer {
  /** 'dense_1', or 'encoder/dense_1' inside a nested model. */
  name: string;
  sourceClass: string;
  /** The tfjs class it becomes, or null if it cannot convert (unknown class, unmapped Lambda). */
  targetClass: string | null;
  /** Output shape(s) as tfjs computes them (null dims = any size), or null if not convertible. */
  outputShape: Array<number | null> | Array<Array<number | null>> | null;
  /** Number of weight values the file holds for this layer. */
  parameters: number;
}

export interface InspectedLambda {
  layer: string;
  /** The Python function's name, or null for an anonymous lambda. */
  functionName: string | null;
  /** Global and attribute names read from the bytecode (never executed). */
  names: string[];
  /** Constants read from the bytecode. */
  constants: MarshalConst[];
  /** The mapping the given options apply, or null. */
  mappedTo: LambdaTarget | null;
  /** The CLI flag that maps it (a guess of the class for dropout functions). */
  suggestedFlag: string;
}

export interface InspectReport {
  file: string;
  format: SourceFormat;
  kerasVersion: string | null;
  backend: string | null;
  modelClass: string;
  layers: InspectedLayer[];
  totalParameters: number;
  lambdas: InspectedLambda[];
  /** Layer classes tfjs and keras2tfjs lack (custom Python classes). */
  unknownClasses: string[];
  /** True if `convert` with these options would succeed. */
  convertible: boolean;
  /** Why not: the error `convert` would throw. */
  problem: { code: string; message: string } | null;
  warnings: string[];
  /** The file carries compile settings (loadKerasModel can compile from them). */
  hasTrainingConfig: boolean;
}

type Config = Record<string, unknown>;

/** Reads the file's structure only: no weight's values are read. */
export async function inspect(input: string | Uint8Array, options: InspectOptions = {}): Promise<InspectReport> {
  const source = await readSource(input, { config: options.config, fileName: options.fileName, maxDecodeRatio: options.maxDecodeRatio });
  try {
    return await inspectSource(source, options);
  } finally {
    await source.close();
  }
}

async function inspectSource(source: Awaited<ReturnType<typeof readSource>>, options: InspectOptions): Promise<InspectReport> {
  const raw = rawLayers(source.modelConfig, []);
  const params = (path: string[]): number => parameterCount(source.layerWeights, path);
  const lambdas = raw
    .filter((l) => stripPackage(l.cls) === 'Lambda')
    .map((l) => {
      const info = describeLambda(l.path[l.path.length - 1], l.config);
      const mapped = ownValue(options.lambdas, info.layer) ?? (info.functionName ? ownValue(options.lambdas, info.functionName) : undefined) ?? null;
      return {
        layer: l.path.join('/'),
        functionName: info.functionName,
        names: info.code?.names ?? [],
        constants: info.code?.consts ?? [],
        mappedTo: mapped,
        suggestedFlag: suggestedLambdaFlag(info),
      };
    });
  const unknownClasses = [...new Set(raw.map((l) => stripPackage(l.cls)).filter((c) => c !== 'Lambda' && !isRegisteredLayer(tfjsClassName(c))))];

  const base = {
    file: source.file,
    format: source.format,
    kerasVersion: source.kerasVersion,
    backend: source.backend,
    modelClass: typeof source.modelConfig.class_name === 'string' ? stripPackage(source.modelConfig.class_name) : 'unknown',
    lambdas,
    unknownClasses,
    hasTrainingConfig: source.trainingConfig !== null,
  };
  let converted: Awaited<ReturnType<typeof planFromSource>>;
  try {
    converted = await planFromSource(source, options);
  } catch (e) {
    if (!(e instanceof Keras2TfjsError)) throw e;
    const layers = raw.map((l) => ({ name: l.path.join('/'), sourceClass: stripPackage(l.cls), targetClass: null, outputShape: null, parameters: params(l.path) }));
    return { ...base, layers, totalParameters: layers.reduce((n, l) => n + l.parameters, 0), convertible: false, problem: { code: e.code, message: e.message }, warnings: [] };
  }
  const shapes = outputShapes(converted.model);
  const layers = converted.report.layers.map((l) => ({
    name: l.name,
    sourceClass: l.sourceClass,
    targetClass: l.targetClass,
    outputShape: shapes.get(l.name) ?? null,
    parameters: params(l.name.split('/')),
  }));
  return {
    ...base,
    layers,
    totalParameters: converted.report.parameterCount,
    convertible: true,
    problem: null,
    warnings: converted.report.warnings,
  };
}

/**
 * The parameters of the layer at `path`. Keras 3 files and SavedModels key a nested model's
 * layers by their full path ('inner/dense'); Keras 2 .h5 files keep a nested model's weights in
 * the nested model's own group, named by the inner layer ('inner' → 'dense/kernel:0').
 */
function parameterCount(layerWeights: SourceModel['layerWeights'], path: string[]): number {
  const count = (weights: SourceWeight[]): number => weights.reduce((n, w) => n + elementCount(w.shape), 0);
  const exact = layerWeights.get(path.join('/'));
  if (exact) return count(exact);
  for (let owner = path.length - 1; owner > 0; owner--) {
    const weights = layerWeights.get(path.slice(0, owner).join('/'));
    if (!weights) continue;
    const inner = `${path.slice(owner).join('/')}/`;
    return count(weights.filter((w) => w.storedName !== null && (w.storedName.startsWith(inner) || w.storedName.includes(`/${inner}`))));
  }
  return 0;
}

/** Every non-model layer of the config, depth first, with its path. */
function rawLayers(model: Config, prefix: string[]): Array<{ path: string[]; cls: string; config: Config }> {
  const cfg = model.config;
  const list = Array.isArray(cfg) ? cfg : isObject(cfg) && Array.isArray(cfg.layers) ? cfg.layers : [];
  const out: Array<{ path: string[]; cls: string; config: Config }> = [];
  for (const entry of list) {
    if (!isObject(entry) || typeof entry.class_name !== 'string') continue;
    const config = isObject(entry.config) ? entry.config : {};
    const name = typeof entry.name === 'string' ? entry.name : typeof config.name === 'string' ? config.name : '?';
    if (Array.isArray(config.layers) || Array.isArray(entry.config)) out.push(...rawLayers(entry, [...prefix, name]));
    else out.push({ path: [...prefix, name], cls: entry.class_name, config });
  }
  return out;
}

function isObject(v: unknown): v is Config {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Builds the converted model in tfjs (zero weights) to read each layer's output shape, then frees it. */
function outputShapes(converted: IntermediateModel): Map<string, InspectedLayer['outputShape']> {
  const model = buildWithZeros(converted.modelTopology);
  const out = new Map<string, InspectedLayer['outputShape']>();
  const visit = (m: LayersModel, prefix: string): void => {
    for (const layer of m.layers) {
      if ((layer as unknown as LayersModel).layers !== undefined && layer.getClassName() !== 'InputLayer' && 'layers' in layer) {
        visit(layer as unknown as LayersModel, `${prefix}${layer.name}/`);
      } else {
        out.set(`${prefix}${layer.name}`, layer.outputShape as InspectedLayer['outputShape']);
      }
    }
  };
  try {
    visit(model, '');
  } finally {
    model.dispose();
  }
  return out;
}
