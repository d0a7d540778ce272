/**
 * The two models the training bench trains, shared by the Node and browser sections: the seed
 * fixture file (its Lambda mapped to ManualDropout) and the small conv model Python saves beside
 * its data (bench/python/train_keras.py --model conv).
 */
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

export type TrainModel = 'seed' | 'conv';

export const BATCH_SIZE: Record<TrainModel, number> = { seed: 512, conv: 128 };

export const SEED_MODEL = join(REPO_ROOT, 'fixtures', 'seed_lambda', 'model.keras');

/** The seed model's Lambda: a function named 'dropout', Bernoulli(0.5) with 1/0.5 scaling. */
export const SEED_LAMBDAS = { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } };

/** The model file a run trains: the fixture, or the conv model in its data directory. */
export function modelFile(model: TrainModel, dataDir: string): string {
  return model === 'seed' ? SEED_MODEL : join(dataDir, 'model.keras');
}
