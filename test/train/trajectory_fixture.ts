/**
 * The `trajectories` fixture (scripts/fixture_cases/trajectories.py): its case.json and arrays.
 */
import { join } from 'node:path';
import { FIXTURES_ROOT, loadCaseJson, loadNpyFloat32, type NpyArray } from '../random/fixture_npy.js';

export type { NpyArray };

export const TRAJECTORY_DIR = join(FIXTURES_ROOT, 'trajectories');

/** A float32 .npy file of the trajectories fixture. */
export function loadTrajectoryArray(relativePath: string): NpyArray {
  return loadNpyFloat32('trajectories', relativePath);
}

/** The parsed case.json of the trajectories fixture. */
export function trajectoryCase(): TrajectoryCase {
  return loadCaseJson<TrajectoryCase>('trajectories');
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
