/**
 * Which state a Keras optimizer keeps per trainable variable, and in what order Keras saves it:
 * the one description both directions use (exportKeras writes `optimizer/vars` with it;
 * loadKerasModel reads every file's optimizer variables back with it).
 *
 * Keras 3 builds slots with `add_optimizer_variables(vars, names)`, which interleaves the names
 * it is given per variable; each call appends after the previous one. tf.keras 2.11+ optimizers
 * save in the same order; tf.keras' legacy optimizers (OptimizerV2) save one block per slot.
 */
import { nameTable } from '../name_table.js';

/** Per Keras class, its slot-building calls in order. */
export const KERAS_SLOT_CALLS: Readonly<Record<string, string[][]>> = nameTable({
  SGD: [['momentum']],
  RMSprop: [['velocity'], ['momentum'], ['average_gradient']],
  Adam: [['momentum', 'velocity'], ['velocity_hat']],
  AdamW: [['momentum', 'velocity'], ['velocity_hat']],
});

/** The slots Keras' `build` creates for this configuration (e.g. SGD only with momentum ≠ 0). */
export function kerasSlots(className: string, config: Record<string, unknown>): string[] {
  switch (className) {
    case 'SGD':
      return config.momentum ? ['momentum'] : [];
    case 'RMSprop':
      return ['velocity', ...(Number(config.momentum) > 0 ? ['momentum'] : []), ...(config.centered ? ['average_gradient'] : [])];
    case 'Adam':
    case 'AdamW':
      return ['momentum', 'velocity', ...(config.amsgrad ? ['velocity_hat'] : [])];
    default:
      return [];
  }
}

/**
 * Slot names as older savers spell them → Keras 3's: tf.keras 2.11+ (`Adam/m/dense/kernel`) and
 * legacy OptimizerV2 (`Adam/dense/kernel/m`, RMSprop's `rms` and `mg`).
 */
export const SLOT_ALIASES: Readonly<Record<string, string>> = nameTable({
  m: 'momentum',
  v: 'velocity',
  vhat: 'velocity_hat',
  rms: 'velocity',
  mg: 'average_gradient',
  momentum: 'momentum',
  velocity: 'velocity',
  velocity_hat: 'velocity_hat',
  average_gradient: 'average_gradient',
});
