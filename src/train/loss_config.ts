/**
 * Keras loss and metric identifiers (strings, Keras 3 serialized objects, Keras 2
 * `{class_name, config}` and `MeanMetricWrapper` entries) → what tfjs-layers' `compile` takes.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { metrics as tfjsMetrics } from '@tensorflow/tfjs-layers';
import { ErrorCode, Keras2TfjsError } from '../errors.js';
import type { KerasConfig } from './keras_optimizer.js';
import {
  kerasBinaryCrossentropy,
  kerasCategoricalCrossentropy,
  kerasSparseCategoricalCrossentropy,
  type KerasLossFn,
} from './losses.js';
import { nameTable } from '../name_table.js';

/** A loss for tfjs `compile`: a tfjs loss name or a function. */
export type TfjsLoss = string | KerasLossFn;

/** Which crossentropy family a loss is, to resolve Keras' 'accuracy' the same way Keras does. */
export type LossKind = 'binary' | 'categorical' | 'sparse' | 'other';

export interface MappedLoss {
  loss: TfjsLoss;
  kind: LossKind;
  dropped: string[];
}

/** Keras loss names (snake_case function names, aliases, and class names lower-cased) → tfjs names with Keras' formula. */
const SAME_FORMULA_IN_TFJS: Readonly<Record<string, string>> = nameTable({
  mean_squared_error: 'meanSquaredError',
  mse: 'meanSquaredError',
  meansquarederror: 'meanSquaredError',
  mean_absolute_error: 'meanAbsoluteError',
  mae: 'meanAbsoluteError',
  meanabsoluteerror: 'meanAbsoluteError',
  mean_absolute_percentage_error: 'meanAbsolutePercentageError',
  mape: 'meanAbsolutePercentageError',
  meanabsolutepercentageerror: 'meanAbsolutePercentageError',
  mean_squared_logarithmic_error: 'meanSquaredLogarithmicError',
  msle: 'meanSquaredLogarithmicError',
  meansquaredlogarithmicerror: 'meanSquaredLogarithmicError',
  log_cosh: 'logcosh',
  logcosh: 'logcosh',
  poisson: 'poisson',
});

const CROSSENTROPIES: Readonly<Record<string, LossKind>> = nameTable({
  binary_crossentropy: 'binary',
  binarycrossentropy: 'binary',
  bce: 'binary',
  categorical_crossentropy: 'categorical',
  categoricalcrossentropy: 'categorical',
  cce: 'categorical',
  sparse_categorical_crossentropy: 'sparse',
  sparsecategoricalcrossentropy: 'sparse',
});

/** Maps one Keras loss identifier. Throws UNSUPPORTED_SEMANTICS for losses tfjs would compute differently. */
export function lossFromKeras(identifier: unknown, where = 'loss'): MappedLoss {
  const { name, config } = readIdentifier(identifier, where);
  const key = name.toLowerCase();
  const dropped: string[] = [];
  const reduction = config['reduction'];
  if (reduction !== undefined && reduction !== null && reduction !== 'sum_over_batch_size' && reduction !== 'auto') {
    dropped.push(`${where}.reduction='${String(reduction)}': tfjs averages over the batch (sum_over_batch_size)`);
  }
  const kind = CROSSENTROPIES[key];
  if (kind) {
    const fromLogits = config['from_logits'] === true;
    const labelSmoothing = typeof config['label_smoothing'] === 'number' ? config['label_smoothing'] : 0;
    if (kind === 'sparse' && config['ignore_class'] !== undefined && config['ignore_class'] !== null) {
      dropped.push(`${where}.ignore_class=${String(config['ignore_class'])}: not supported, every class counts`);
    }
    if (typeof config['axis'] === 'number' && config['axis'] !== -1) {
      dropped.push(`${where}.axis=${config['axis']}: the last axis is used`);
    }
    const loss =
      kind === 'binary'
        ? kerasBinaryCrossentropy({ fromLogits, labelSmoothing })
        : kind === 'categorical'
          ? kerasCategoricalCrossentropy({ fromLogits, labelSmoothing })
          : kerasSparseCategoricalCrossentropy({ fromLogits });
    return { loss, kind, dropped };
  }
  const tfjsName = SAME_FORMULA_IN_TFJS[key];
  if (tfjsName) return { loss: tfjsName, kind: 'other', dropped };
  throw new Keras2TfjsError(
    ErrorCode.UNSUPPORTED_SEMANTICS,
    `${where} '${name}' has no Keras-exact tfjs version (supported: crossentropies, mse, mae, mape, msle, log_cosh, poisson); ` +
      `compile the model yourself with a tfjs loss`,
  );
}

/** Keras metric names → tfjs metric names with the same per-batch formula. */
const METRICS: Readonly<Record<string, string>> = nameTable({
  binary_accuracy: 'binaryAccuracy',
  binaryaccuracy: 'binaryAccuracy',
  categorical_accuracy: 'categoricalAccuracy',
  categoricalaccuracy: 'categoricalAccuracy',
  sparse_categorical_accuracy: 'sparseCategoricalAccuracy',
  sparsecategoricalaccuracy: 'sparseCategoricalAccuracy',
  mean_squared_error: 'meanSquaredError',
  mse: 'meanSquaredError',
  meansquarederror: 'meanSquaredError',
  mean_absolute_error: 'meanAbsoluteError',
  mae: 'meanAbsoluteError',
  meanabsoluteerror: 'meanAbsoluteError',
  mean_absolute_percentage_error: 'meanAbsolutePercentageError',
  mape: 'meanAbsolutePercentageError',
  binary_crossentropy: 'binaryCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
});

/**
 * Maps one Keras metric identifier to a tfjs metric name, or null (and a `dropped` line) if
 * tfjs has no equivalent. 'accuracy' resolves as Keras does: binary for a 1-unit output or a
 * binary loss, sparse for a sparse loss, else categorical.
 */
export function metricFromKeras(
  identifier: unknown,
  context: { lossKind: LossKind; outputUnits: number | null },
  dropped: string[],
  where = 'metrics',
): string | null {
  let name: string;
  let config: KerasConfig;
  try {
    ({ name, config } = readIdentifier(identifier, where));
  } catch {
    dropped.push(`${where}: unreadable metric ${JSON.stringify(identifier)}`);
    return null;
  }
  // Keras 2 wraps function metrics: {class_name: 'MeanMetricWrapper', config: {fn: 'binary_accuracy', name: 'accuracy'}}.
  if (name === 'MeanMetricWrapper' && typeof config['fn'] === 'string') name = config['fn'];
  const key = name.toLowerCase();
  if (key === 'accuracy' || key === 'acc') {
    if (context.outputUnits === 1 || context.lossKind === 'binary') return 'binaryAccuracy';
    return context.lossKind === 'sparse' ? 'sparseCategoricalAccuracy' : 'categoricalAccuracy';
  }
  if (typeof config['threshold'] === 'number' && config['threshold'] !== 0.5) {
    dropped.push(`${where} '${name}': threshold ${config['threshold']} (tfjs uses 0.5)`);
    return null;
  }
  const mapped = METRICS[key];
  if (!mapped) dropped.push(`${where} '${name}': no tfjs equivalent`);
  return mapped ?? null;
}

/** A metric function for tfjs `compile`, tagged with its Keras name (exportKeras writes it back). */
export type KerasMetricFn = ((yTrue: Tensor, yPred: Tensor) => Tensor) & { kerasIdentifier: string };

/**
 * tfjs-layers' `compile` resolves metric names through a table that lacks
 * 'sparseCategoricalAccuracy' ("Unknown metric"), although the function exists
 * (tf.metrics.sparseCategoricalAccuracy); compile gets the function instead.
 */
const sparseCategoricalAccuracy: KerasMetricFn = Object.assign(
  function sparseCategoricalAccuracy(yTrue: Tensor, yPred: Tensor): Tensor {
    return tfjsMetrics.sparseCategoricalAccuracy(yTrue, yPred);
  },
  { kerasIdentifier: 'sparse_categorical_accuracy' },
);

/** What tfjs `compile({metrics})` resolves for a metric name `metricFromKeras` returned. */
export function tfjsMetric(name: string): string | KerasMetricFn {
  return name === 'sparseCategoricalAccuracy' ? sparseCategoricalAccuracy : name;
}

/** A string, or `{class_name, config}` (Keras 3 adds module/registered_name). */
function readIdentifier(identifier: unknown, where: string): { name: string; config: KerasConfig } {
  if (typeof identifier === 'string') return { name: identifier, config: {} };
  if (identifier !== null && typeof identifier === 'object' && !Array.isArray(identifier)) {
    const s = identifier as KerasConfig;
    const name = s['class_name'];
    const config = s['config'] ?? {};
    if (typeof name === 'string' && typeof config === 'object' && config !== null && !Array.isArray(config)) {
      return { name, config: config as KerasConfig };
    }
  }
  throw new Keras2TfjsError(ErrorCode.BAD_CONFIG, `${where} is neither a name nor {class_name, config}: ${JSON.stringify(identifier)}`);
}
