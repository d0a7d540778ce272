/**
 * A serialized Keras optimizer → one of our Keras-exact tfjs optimizers, plus the settings
 * that could not be carried over.
 *
 * Accepts what real files contain:
 * - Keras 3 `compile_config.optimizer`: `{module: 'keras.optimizers', class_name: 'Adam', config, registered_name}`
 *   or a plain string such as `'adam'`;
 * - Keras 2 `training_config.optimizer_config`: `{class_name: 'Custom>Adam' | 'Adam', config}`
 *   (tf.keras ≥ 2.11 prefixes 'Custom>'; older files use `lr` and `decay` keys).
 */
import { ErrorCode, Keras2TfjsError } from '../errors.js';
import { KerasAdam } from './adam.js';
import { KerasAdamW } from './adamw.js';
import type { KerasConfig, KerasOptimizer } from './keras_optimizer.js';
import { KerasRMSprop } from './rmsprop.js';
import { KerasSGD } from './sgd.js';
import { nameTable } from '../name_table.js';

export interface OptimizerFromConfig {
  optimizer: KerasOptimizer;
  /** One line per setting that was present and is not reproduced (empty when exact). */
  dropped: string[];
}

type OptimizerFactory = (config: KerasConfig) => KerasOptimizer;

/** Keras class names (lower-cased) → how to build ours from the Keras config. */
const FACTORIES: Readonly<Record<string, OptimizerFactory>> = nameTable({
  sgd: (c) => KerasSGD.fromConfig<KerasSGD>(KerasSGD, c),
  rmsprop: (c) => KerasRMSprop.fromConfig<KerasRMSprop>(KerasRMSprop, c),
  adam: (c) => KerasAdam.fromConfig<KerasAdam>(KerasAdam, c),
  adamw: (c) => KerasAdamW.fromConfig<KerasAdamW>(KerasAdamW, c),
});

/**
 * Builds the optimizer a Keras config describes. Throws UNSUPPORTED_SEMANTICS for optimizer
 * classes we do not implement Keras-exactly (e.g. Nadam, Adagrad, Ftrl).
 */
export function optimizerFromKerasConfig(serialized: unknown): OptimizerFromConfig {
  const { className, config } = readSerialized(serialized);
  const key = className.replace(/^Custom>/, '').toLowerCase();
  const factory = FACTORIES[key];
  if (!factory) {
    throw new Keras2TfjsError(
      ErrorCode.UNSUPPORTED_SEMANTICS,
      `optimizer '${className}' has no Keras-exact TypeScript version (supported: SGD, RMSprop, Adam, AdamW); ` +
        `compile the model yourself with a tfjs optimizer`,
    );
  }
  const dropped: string[] = [];
  const usable: KerasConfig = { ...config };

  // Keras 2 files before 2.3 call the learning rate `lr`.
  if (usable['learning_rate'] === undefined && typeof usable['lr'] === 'number') usable['learning_rate'] = usable['lr'];
  const lr = usable['learning_rate'];
  if (lr !== null && typeof lr === 'object') {
    const schedule = lr as KerasConfig;
    const scheduleConfig = (schedule['config'] ?? {}) as KerasConfig;
    const initial = scheduleConfig['initial_learning_rate'];
    dropped.push(
      `optimizer.learning_rate: schedule '${String(schedule['class_name'])}' ` +
        (typeof initial === 'number' ? `(kept constant at its initial_learning_rate ${initial})` : '(Keras default rate used)'),
    );
    usable['learning_rate'] = typeof initial === 'number' ? initial : null;
  }
  if (typeof usable['decay'] === 'number' && usable['decay'] !== 0) {
    dropped.push(`optimizer.decay=${usable['decay']}: legacy per-step learning-rate decay (learning rate kept constant)`);
  }
  if (usable['use_ema'] === true) dropped.push('optimizer.use_ema: exponential moving average of the weights');
  if (isSet(usable['loss_scale_factor'])) {
    dropped.push(`optimizer.loss_scale_factor=${String(usable['loss_scale_factor'])}: loss scaling`);
  }
  if (isSet(usable['gradient_accumulation_steps'])) {
    dropped.push(`optimizer.gradient_accumulation_steps=${String(usable['gradient_accumulation_steps'])}: gradient accumulation`);
  }
  return { optimizer: factory(usable), dropped };
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false && v !== 0;
}

/** `'adam'` or `{class_name, config}` (with or without Keras 3's module/registered_name). */
function readSerialized(serialized: unknown): { className: string; config: KerasConfig } {
  if (typeof serialized === 'string') return { className: serialized, config: {} };
  if (serialized !== null && typeof serialized === 'object') {
    const s = serialized as KerasConfig;
    const className = s['class_name'] ?? s['className'];
    const config = s['config'] ?? {};
    if (typeof className === 'string' && config !== null && typeof config === 'object' && !Array.isArray(config)) {
      return { className, config: config as KerasConfig };
    }
  }
  throw new Keras2TfjsError(
    ErrorCode.BAD_CONFIG,
    `optimizer config is neither a name nor {class_name, config}: ${JSON.stringify(serialized)}`,
  );
}
