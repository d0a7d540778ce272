/**
 * A compiled tfjs model's optimizer, loss and metrics → Keras 3's `compile_config`
 * (`Trainer.compile` records optimizer, loss, loss_weights, metrics, weighted_metrics,
 * run_eagerly, steps_per_execution, jit_compile). An uncompiled model gets `{}`, as Keras writes.
 *
 * Only what Keras can rebuild with the same meaning is written; anything else (a loss given as a
 * function, an optimizer Keras has no twin for) leaves `{}` and a warning saying why, so Python
 * loads the weights and the user compiles there.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { kerasObject, type Json, type JsonObject } from './keras3_objects.js';

export interface CompileConfigResult {
  compileConfig: JsonObject;
  /** Why the compile settings were not written (empty when they were, or there were none). */
  warnings: string[];
}

// tfjs loss identifiers (tfjs snake_cases them on save) → Keras 3 identifiers.
const LOSSES: Record<string, string> = {
  binary_crossentropy: 'binary_crossentropy',
  categorical_crossentropy: 'categorical_crossentropy',
  sparse_categorical_crossentropy: 'sparse_categorical_crossentropy',
  mean_squared_error: 'mean_squared_error',
  mean_absolute_error: 'mean_absolute_error',
  mean_absolute_percentage_error: 'mean_absolute_percentage_error',
  mean_squared_logarithmic_error: 'mean_squared_logarithmic_error',
  squared_hinge: 'squared_hinge',
  hinge: 'hinge',
  categorical_hinge: 'categorical_hinge',
  logcosh: 'log_cosh',
  kullback_leibler_divergence: 'kl_divergence',
  poisson: 'poisson',
  cosine_proximity: 'cosine_similarity',
  mse: 'mean_squared_error',
  mae: 'mean_absolute_error',
  mape: 'mean_absolute_percentage_error',
  msle: 'mean_squared_logarithmic_error',
};

const METRICS: Record<string, string> = {
  accuracy: 'accuracy',
  acc: 'accuracy',
  binary_accuracy: 'binary_accuracy',
  categorical_accuracy: 'categorical_accuracy',
  sparse_categorical_accuracy: 'sparse_categorical_accuracy',
  top_k_categorical_accuracy: 'top_k_categorical_accuracy',
  sparse_top_k_categorical_accuracy: 'sparse_top_k_categorical_accuracy',
  precision: 'precision',
  recall: 'recall',
  binary_crossentropy: 'binary_crossentropy',
  categorical_crossentropy: 'categorical_crossentropy',
  sparse_categorical_crossentropy: 'sparse_categorical_crossentropy',
  mean_squared_error: 'mean_squared_error',
  mean_absolute_error: 'mean_absolute_error',
  mean_absolute_percentage_error: 'mean_absolute_percentage_error',
  mse: 'mse',
  mae: 'mae',
  mape: 'mape',
};

/** Keras 3.15's OptimizerBase config keys, with the defaults tfjs has no notion of. */
function optimizerBase(name: string, learningRate: Json): JsonObject {
  return {
    name,
    learning_rate: learningRate,
    weight_decay: null,
    clipnorm: null,
    global_clipnorm: null,
    clipvalue: null,
    use_ema: false,
    ema_momentum: 0.99,
    ema_overwrite_frequency: null,
    loss_scale_factor: null,
    gradient_accumulation_steps: null,
  };
}

/** A tfjs optimizer's class and config → a Keras optimizer object, or a reason it has none. */
function kerasOptimizer(className: string, c: Record<string, unknown>): JsonObject | string {
  const lr = (c.learningRate ?? 0.001) as number;
  const opt = (kerasClass: string, name: string, extra: JsonObject) =>
    kerasObject('keras.optimizers', kerasClass, { ...optimizerBase(name, lr), ...extra });
  switch (className) {
    case 'SGD':
      return opt('SGD', 'sgd', { momentum: 0, nesterov: false });
    case 'Momentum':
      // TF1's momentum (v = m·v + g; θ -= lr·v) equals Keras' SGD momentum for a constant rate.
      return opt('SGD', 'sgd', { momentum: c.momentum as number, nesterov: Boolean(c.useNesterov) });
    case 'Adam':
      return opt('Adam', 'adam', { beta_1: c.beta1 as number, beta_2: c.beta2 as number, epsilon: c.epsilon as number, amsgrad: false });
    case 'RMSProp':
      return opt('RMSprop', 'rm_sprop', {
        rho: (c.decay ?? 0.9) as number,
        momentum: (c.momentum ?? 0) as number,
        epsilon: c.epsilon as number,
        centered: Boolean(c.centered),
      });
    case 'Adagrad':
      return opt('Adagrad', 'adagrad', { initial_accumulator_value: (c.initialAccumulatorValue ?? 0.1) as number, epsilon: 1e-7 });
    case 'Adadelta':
      return opt('Adadelta', 'adadelta', { rho: c.rho as number, epsilon: c.epsilon as number });
    case 'Adamax':
      if (c.decay) return `tfjs' Adamax learning-rate decay (${String(c.decay)}) has no Keras twin`;
      return opt('Adamax', 'adamax', { beta_1: c.beta1 as number, beta_2: c.beta2 as number, epsilon: c.epsilon as number });
    default:
      return `Keras has no optimizer matching tfjs' ${className}`;
  }
}

interface CompiledModel {
  optimizer?: { getClassName(): string; getConfig(): Record<string, unknown> };
  loss?: unknown;
  metrics?: unknown;
}

/** Builds `compile_config` for `model`; see the module comment for what is left out. */
export function kerasCompileConfig(model: LayersModel): CompileConfigResult {
  const m = model as unknown as CompiledModel;
  if (!m.optimizer) return { compileConfig: {}, warnings: [] };
  const skip = (why: string): CompileConfigResult => ({
    compileConfig: {},
    warnings: [`compile settings not exported (${why}): compile the model again in Python after loading it`],
  });
  const optimizer = kerasOptimizer(m.optimizer.getClassName(), m.optimizer.getConfig());
  if (typeof optimizer === 'string') return skip(optimizer);
  if (typeof m.loss !== 'string') return skip('the loss is not a single built-in loss name');
  const loss = LOSSES[snake(m.loss)];
  if (!loss) return skip(`Keras has no loss named like tfjs' '${m.loss}'`);
  const metricNames = m.metrics === undefined || m.metrics === null ? [] : Array.isArray(m.metrics) ? m.metrics : [m.metrics];
  const metrics: Json[] = [];
  for (const metric of metricNames) {
    const keras = typeof metric === 'string' ? METRICS[snake(metric)] : undefined;
    if (!keras) return skip(`metric ${typeof metric === 'string' ? `'${metric}'` : 'given as a function'} has no Keras name`);
    metrics.push(keras);
  }
  return {
    compileConfig: {
      optimizer,
      loss,
      loss_weights: null,
      metrics: metrics.length > 0 ? metrics : null,
      weighted_metrics: null,
      run_eagerly: false,
      steps_per_execution: 1,
      jit_compile: false,
    },
    warnings: [],
  };
}

/** tfjs' toSnakeCase for identifiers: 'binaryCrossentropy' → 'binary_crossentropy'. */
function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}
