/**
 * The Python-exported fixture models (fixtures/, real Keras 3 on TensorFlow and JAX, and
 * tf_keras), each in every format it was saved in, with the conversion options they need and
 * the training-phase outputs tfjs can replay: the parity tests in Node (test/convert) and in
 * Chromium (test/browser) run the same list.
 */
import type { ConvertOptions } from '../../src/convert/convert.js';
import { fixtureCase } from './fixtures.js';

export const DROPOUT_LAMBDA: ConvertOptions = { lambdas: { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } } };

export interface FixtureModel {
  name: string;
  formats: string[];
  options: ConvertOptions;
  /** Training-phase outputs replayable in tfjs: files and the stream step of each ManualDropout. */
  training?: Array<{ file: string; steps: Record<string, number> }>;
}

const builtin = fixtureCase<{ dropouts: Record<string, { state_before_training_call: [number, number] }> }>('builtin_dropout');
const manualTf = fixtureCase<{ seed_state_after_fit: [number, number]; layer_config: { name: string } }>('manual_dropout_tf');
const manualJax = fixtureCase<{ seed_state_after_fit: [number, number]; layer_config: { name: string } }>('manual_dropout_jax');

export const FIXTURE_MODELS: FixtureModel[] = [
  { name: 'seed_lambda', formats: ['model.keras', 'model.h5'], options: DROPOUT_LAMBDA },
  { name: 'seed_lambda_tfkeras', formats: ['model.h5', 'saved_model'], options: DROPOUT_LAMBDA },
  {
    name: 'manual_dropout_tf',
    formats: ['model.keras', 'model.h5'],
    options: {},
    training: [
      { file: 'y_train.npy', steps: { [manualTf.layer_config.name]: manualTf.seed_state_after_fit[1] } },
      { file: 'y_train_1.npy', steps: { [manualTf.layer_config.name]: manualTf.seed_state_after_fit[1] + 1 } },
    ],
  },
  {
    name: 'manual_dropout_jax',
    formats: ['model.keras'],
    options: {},
    training: [
      { file: 'y_train.npy', steps: { [manualJax.layer_config.name]: manualJax.seed_state_after_fit[1] } },
      { file: 'y_train_1.npy', steps: { [manualJax.layer_config.name]: manualJax.seed_state_after_fit[1] + 1 } },
    ],
  },
  {
    name: 'builtin_dropout',
    formats: ['model.keras', 'model.h5'],
    options: { exactDropout: true, rng: 'tensorflow' },
    training: [
      {
        file: 'y_train.npy',
        steps: Object.fromEntries(Object.entries(builtin.dropouts).map(([name, d]) => [name, d.state_before_training_call[1]])),
      },
    ],
  },
];

