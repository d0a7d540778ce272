/**
 * Keras 3 `AdamW` (keras/src/optimizers/adamw.py) as a tfjs optimizer, className 'KerasAdamW'.
 *
 * Adam with decoupled weight decay, which Keras applies in the shared optimizer step before
 * the Adam update: w ← w − (w·wd)·lr, then the Adam step on the decayed w. Weight decay is
 * required (Keras default 0.004) and applies to every trainable variable, biases included,
 * unless Keras' `exclude_from_weight_decay` was used (not part of the config).
 */
import { serialization } from '@tensorflow/tfjs-core';
import { invalidArgument } from '../errors.js';
import { KerasAdam, type KerasAdamArgs } from './adam.js';

export type KerasAdamWArgs = KerasAdamArgs;

export class KerasAdamW extends KerasAdam {
  /** @nocollapse */
  static override className = 'KerasAdamW';

  constructor(args: KerasAdamWArgs = {}) {
    if (args.weightDecay === null) throw invalidArgument('weightDecay', 'a number (AdamW needs weight decay)', null);
    super({ ...args, weightDecay: args.weightDecay ?? 0.004 }, 'adamw');
  }

  // fromConfig is KerasAdam's: it builds `cls` (this class) from the same Keras arguments.
}
serialization.registerClass(KerasAdamW);
