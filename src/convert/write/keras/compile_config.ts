/**
 * A compiled tfjs model's optimizer, loss and metrics → Keras 3's `compile_config`
 * (`Trainer.compile` records optimizer, loss, loss_weights, metrics, weighted_metrics,
 * run_eagerly, steps_per_execution, jit_compile). An uncompiled model gets `{}`, as Keras writes.
 *
 * Only what Keras can rebuild with the same meaning is written; anything else (a loss given as a
 * function without a Keras identifier, an optimizer Keras has no twin for) leaves `{}` and a
 * warning saying why, so Python loads the weights and the user compiles there.
 *
 * keras2tfjs' Keras-exact optimizers (src/train: KerasSGD, KerasRMSprop, KerasAdam, KerasAdamW)
 * also hand over their state — iterations, learning rate and slots — in the order Keras' own
 * optimizer saves its variables, so training resumes in Python where TypeScript left off.
 * tfjs' built-in optimizers update differently from Keras: their state is not written and Keras
 * starts its optimizer afresh (it warns "Skipping variable loading for optimizer").
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { KerasOptimizer } from '../../../train/keras_optimizer.js';
import { KERAS_SLOT_CALLS, kerasSlots } from '../../../train/slot_layout.js';
import type { H5Dataset } from '../../../formats/hdf5/h5wasm/writer.js';
import { kerasObject, type Json, type JsonObject } from './objects.js';
import { nameTable } from '../../../name_table.js';

export interface CompileConfigResult {
  compileConfig: JsonObject;
  /** Why some compile settings were not written (empty when all were, or there were none). */
  warnings: string[];
  /** `optimizer/vars` for model.weights.h5, when the optimizer's state maps onto Keras'. */
  optimizerState: OptimizerState | null;
}

export interface OptimizerState {
  /** The optimizer's name, recorded on its `vars` group. */
  name: string;
  /** iterations (int64), learning_rate (float32), then the slots in Keras' order. */
  vars: H5Dataset[];
}

// tfjs loss identifiers (tfjs snake_cases them on save) → Keras 3 identifiers.
const LOSSES: Readonly<Record<string, string>> = nameTable({
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
});

const METRICS: Readonly<Record<string, string>> = nameTable({
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
});

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

/** A loss function may name its Keras twin: a Keras loss name or serialized Keras loss object. */
interface IdentifiedLoss {
  kerasIdentifier?: Json;
}

/** Builds `compile_config` (and the optimizer state) for `model`; see the module comment. */
export async function kerasCompileConfig(model: LayersModel): Promise<CompileConfigResult> {
  const m = model as unknown as CompiledModel;
  if (!m.optimizer) return { compileConfig: {}, warnings: [], optimizerState: null };
  const skip = (why: string): CompileConfigResult => ({
    compileConfig: {},
    warnings: [`compile settings not exported (${why}): compile the model again in Python after loading it`],
    optimizerState: null,
  });
  // Not `instanceof`: tfjs' Optimizer answers instanceof by duck typing, for every subclass too.
  const exact = KerasOptimizer.prototype.isPrototypeOf(m.optimizer) ? (m.optimizer as KerasOptimizer) : null;
  const optimizer = exact ? kerasExactOptimizer(exact) : kerasOptimizer(m.optimizer.getClassName(), m.optimizer.getConfig());
  if (typeof optimizer === 'string') return skip(optimizer);
  const mapped = kerasLoss(m.loss);
  if ('why' in mapped) return skip(mapped.why);
  const { loss } = mapped;
  const metricNames = m.metrics === undefined || m.metrics === null ? [] : Array.isArray(m.metrics) ? m.metrics : [m.metrics];
  const metrics: Json[] = [];
  for (const metric of metricNames) {
    // A function metric may carry its Keras name, as keras2tfjs' compile mapping tags them.
    const keras = typeof metric === 'string' ? METRICS[snake(metric)] : (metric as IdentifiedLoss | null)?.kerasIdentifier;
    if (!keras) return skip(`metric ${typeof metric === 'string' ? `'${metric}'` : 'given as a function'} has no Keras name`);
    metrics.push(keras);
  }
  const warnings: string[] = [];
  let optimizerState: OptimizerState | null = null;
  if (exact) {
    optimizerState = await kerasOptimizerState(exact, model);
    if (!optimizerState) warnings.push('optimizer state not exported (its slots do not match the model\'s trainable weights): Keras starts the optimizer afresh');
  } else {
    warnings.push(`optimizer state not exported (tfjs' ${m.optimizer.getClassName()} updates differently from Keras'): Keras starts the optimizer afresh`);
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
    warnings,
    optimizerState,
  };
}

/** The Keras loss for a tfjs loss name or a loss function carrying `kerasIdentifier`, or why none. */
function kerasLoss(loss: unknown): { loss: Json } | { why: string } {
  const identified = typeof loss === 'function' ? (loss as IdentifiedLoss).kerasIdentifier : undefined;
  if (identified !== undefined) return { loss: identified };
  if (typeof loss !== 'string') return { why: 'the loss is not a single built-in loss name' };
  const keras = LOSSES[snake(loss)];
  return keras ? { loss: keras } : { why: `Keras has no loss named like tfjs' '${loss}'` };
}

/** keras2tfjs' Keras-exact optimizers already speak Keras: class 'KerasAdam' is Keras' Adam. */
function kerasExactOptimizer(optimizer: KerasOptimizer): JsonObject {
  const config = optimizer.getConfig() as JsonObject;
  const className = optimizer.getClassName().replace(/^Keras/, '');
  return kerasObject('keras.optimizers', className, { ...optimizerBase(String(config.name), config.learning_rate), ...config });
}

async function kerasOptimizerState(optimizer: KerasOptimizer, model: LayersModel): Promise<OptimizerState | null> {
  const className = optimizer.getClassName().replace(/^Keras/, '');
  const calls = KERAS_SLOT_CALLS[className];
  if (!calls) return null;
  const trainable = model.trainableWeights;
  const [iterations, ...slotWeights] = await optimizer.getWeights();
  // getWeights makes a fresh tensor for the iteration count; the slots are the optimizer's own.
  iterations.tensor.dispose();
  // getWeights lists each slot name's block in gradient order (the model's trainable weights).
  const bySlot = new Map<string, Float32Array[]>();
  for (const { name, tensor } of slotWeights) {
    const slot = name.slice(name.lastIndexOf('/') + 1);
    const list = bySlot.get(slot) ?? [];
    list.push(Float32Array.from(tensor.dataSync()));
    bySlot.set(slot, list);
  }
  const slotNames = calls.flat().filter((slot) => kerasSlots(className, optimizer.getConfig()).includes(slot));
  if ([...bySlot.keys()].some((slot) => !slotNames.includes(slot))) return null;
  const values = (slot: string, i: number): Float32Array => {
    const list = bySlot.get(slot);
    // Never stepped: Keras' slots start as zeros, so zeros are the exact state.
    if (!list) return new Float32Array(trainable[i].read().size);
    return list[i];
  };
  for (const slot of slotNames) {
    const list = bySlot.get(slot);
    if (list && (list.length !== trainable.length || list.some((v, i) => v.length !== trainable[i].read().size))) return null;
  }
  const vars: H5Dataset[] = [
    { shape: [], dtype: 'int64', data: BigInt64Array.of(BigInt(optimizer.iterations)) },
    { shape: [], dtype: 'float32', data: Float32Array.of(optimizer.learningRate) },
  ];
  for (const call of calls) {
    const names = call.filter((slot) => slotNames.includes(slot));
    trainable.forEach((w, i) => {
      for (const slot of names) vars.push({ shape: w.read().shape, dtype: 'float32', data: values(slot, i) });
    });
  }
  return { name: String(optimizer.getConfig().name), vars };
}
/** tfjs' toSnakeCase for identifiers: 'binaryCrossentropy' → 'binary_crossentropy'. */
function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}
