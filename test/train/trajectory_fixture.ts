/**
 * The `trajectories` fixture (scripts/fixture_cases/trajectories.py): its case.json and arrays.
 */
import { join } from 'node:path';
import { FIXTURES_DIR, fixtureCase, loadFixture } from '../helpers/fixtures.js';

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

export const TRAJECTORY_DIR = join(FIXTURES_DIR, 'trajectories');

/** A float32 .npy file of the trajectories fixture. */
export function loadTrajectoryArray(relativePath: string): NpyArray {
  const { shape, data } = loadFixture('trajectories', relativePath, { as: 'float32' });
  return { shape, data: data as Float32Array };
}

/** The parsed case.json of the trajectories fixture. */
export function trajectoryCase(): TrajectoryCase {
  return fixtureCase<TrajectoryCase>('trajectories');
}

export interface TrajectoryCase {
  steps: number;
  batch_size: number;
  model: {
    features: number;
    hidden: number;
    l2: number;
    dropout_rate: number;
    dropout_seed: number;
    weights: string[];
  };
  runs: Record<string, { optimizer: string; arguments: Record<string, unknown>; compile_config: Record<string, unknown> }>;
}
