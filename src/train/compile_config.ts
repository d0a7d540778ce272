/**
 * Compiles a tfjs LayersModel from the compile settings saved with a Keras model, using the
 * Keras-exact optimizers and losses, and says what could not be carried over.
 *
 * Accepted inputs (as they appear in real files):
 * - Keras 3 `compile_config` (in `.keras` `config.json` / `.h5` `training_config`):
 *   `{optimizer: {module, class_name, config, registered_name} | 'adam', loss, metrics, loss_weights,
 *   weighted_metrics, run_eagerly, steps_per_execution, jit_compile}`
 * - Keras 2 `training_config`: `{optimizer_config: {class_name, config}, loss, metrics, weighted_metrics, loss_weights}`
 *   (metrics may be nested per output: `[[{class_name: 'MeanMetricWrapper', config: {fn, name}}]]`).
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ErrorCode, Keras2TfjsError } from '../errors.js';
import type { KerasConfig, KerasOptimizer } from './keras_optimizer.js';
import { lossFromKeras, metricFromKeras, tfjsMetric, type LossKind, type TfjsLoss } from './loss_config.js';
import { optimizerFromKerasConfig } from './optimizer_config.js';

export interface KerasCompileResult {
  optimizer: KerasOptimizer;
  /** The loss(es) passed to tfjs `compile`: one per output (an array when the model has several outputs). */
  loss: TfjsLoss | TfjsLoss[];
  /** The tfjs metric names passed to `compile` (for the first output, as tfjs applies them). */
  metrics: string[];
  /** One line per saved setting that is not reproduced in TypeScript (empty when all were). */
  dropped: string[];
}

/**
 * Maps the Keras compile config and calls `model.compile` with the result.
 * Throws BAD_CONFIG when there is no optimizer or loss, UNSUPPORTED_SEMANTICS for an optimizer
 * or loss with no Keras-exact TypeScript version.
 */
export function compileFromKerasConfig(model: LayersModel, kerasCompileConfig: unknown): KerasCompileResult {
  const result = kerasCompileArgs(model, kerasCompileConfig);
  // tfjs resolves each entry of a loss array by itself, so names and functions may be mixed;
  // its typings only admit arrays of one kind.
  const loss = result.loss as Parameters<LayersModel['compile']>[0]['loss'];
  model.compile({ optimizer: result.optimizer, loss, metrics: result.metrics.map(tfjsMetric) });
  return result;
}

/** Same mapping as `compileFromKerasConfig`, without compiling. */
export function kerasCompileArgs(model: LayersModel, kerasCompileConfig: unknown): KerasCompileResult {
  if (kerasCompileConfig === null || typeof kerasCompileConfig !== 'object' || Array.isArray(kerasCompileConfig)) {
    throw new Keras2TfjsError(ErrorCode.BAD_CONFIG, `compile config must be an object, got ${JSON.stringify(kerasCompileConfig)}`);
  }
  const config = kerasCompileConfig as KerasConfig;
  const serializedOptimizer = config['optimizer'] ?? config['optimizer_config'];
  if (serializedOptimizer === undefined || serializedOptimizer === null) {
    throw new Keras2TfjsError(ErrorCode.BAD_CONFIG, 'compile config has no optimizer (neither `optimizer` nor `optimizer_config`)');
  }
  if (config['loss'] === undefined || config['loss'] === null) {
    throw new Keras2TfjsError(ErrorCode.BAD_CONFIG, 'compile config has no loss; compile the model yourself');
  }
  const { optimizer, dropped } = optimizerFromKerasConfig(serializedOptimizer);

  // A Sequential loaded from JSON has no outputNames until it is built (tfjs builds it in
  // compile, after we need them); its output tensors already name their layers.
  const outputNames = model.outputNames.length > 0 ? model.outputNames : model.outputs.map((t) => t.sourceLayer.name);
  const perOutputLoss = lossesPerOutput(config['loss'], outputNames);
  const mapped = perOutputLoss.map((l, i) => lossFromKeras(l, outputNames.length > 1 ? `loss[${outputNames[i]}]` : 'loss'));
  for (const m of mapped) dropped.push(...m.dropped);

  const firstUnits = lastDim(model.outputs[0]?.shape);
  const metrics: string[] = [];
  for (const identifier of firstOutputMetrics(config['metrics'], outputNames, dropped)) {
    const name = metricFromKeras(identifier, { lossKind: mapped[0].kind, outputUnits: firstUnits }, dropped);
    if (name !== null && !metrics.includes(name)) metrics.push(name);
  }

  if (isPresent(config['loss_weights'])) dropped.push(`loss_weights=${JSON.stringify(config['loss_weights'])}: tfjs compile has none`);
  if (isPresent(config['weighted_metrics'])) dropped.push('weighted_metrics: tfjs compile has none');
  if (typeof config['steps_per_execution'] === 'number' && config['steps_per_execution'] !== 1) {
    dropped.push(`steps_per_execution=${config['steps_per_execution']}: no effect on results, ignored`);
  }
  const loss = mapped.length === 1 ? mapped[0].loss : mapped.map((m) => m.loss);
  return { optimizer, loss, metrics, dropped };
}

/** One Keras loss identifier per model output, from a single identifier, a list or a dict by output name. */
function lossesPerOutput(loss: unknown, outputNames: string[]): unknown[] {
  if (Array.isArray(loss)) {
    if (loss.length !== outputNames.length) {
      throw new Keras2TfjsError(ErrorCode.BAD_CONFIG, `loss has ${loss.length} entries for ${outputNames.length} outputs`);
    }
    return loss;
  }
  if (loss !== null && typeof loss === 'object' && !('class_name' in loss)) {
    const byName = loss as KerasConfig;
    return outputNames.map((name) => {
      if (!Object.hasOwn(byName, name)) throw new Keras2TfjsError(ErrorCode.BAD_CONFIG, `loss has no entry for output '${name}'`);
      return byName[name];
    });
  }
  return outputNames.map(() => loss);
}

/**
 * The metric identifiers of the first output. tfjs `compile({metrics})` takes one flat list;
 * Keras 2 nests lists per output; metrics of other outputs are reported as dropped.
 */
function firstOutputMetrics(metrics: unknown, outputNames: string[], dropped: string[]): unknown[] {
  if (metrics === undefined || metrics === null) return [];
  if (!Array.isArray(metrics)) {
    if (typeof metrics === 'object') {
      const byName = metrics as KerasConfig;
      for (const name of Object.keys(byName)) if (name !== outputNames[0]) dropped.push(`metrics for output '${name}'`);
      const first = byName[outputNames[0]];
      return first === undefined || first === null ? [] : Array.isArray(first) ? first : [first];
    }
    return [metrics];
  }
  const nested = metrics.length > 0 && metrics.every((m) => Array.isArray(m) || m === null);
  if (!nested) return metrics;
  metrics.slice(1).forEach((_, i) => dropped.push(`metrics for output '${outputNames[i + 1] ?? i + 1}'`));
  return (metrics[0] as unknown[] | null) ?? [];
}

function lastDim(shape: Array<number | null> | undefined): number | null {
  return shape && shape.length > 0 ? shape[shape.length - 1] : null;
}

function isPresent(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}
