/**
 * The official Python converter (pip tensorflowjs 4.22.0), in its own venv that
 * bench/python/setup_official_converter.sh creates from pinned requirements.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runScript, runTimed, type TimedRun } from './child.js';
import { PYTHON_BENCH_DIR } from './paths.js';

export const OFFICIAL_VENV = join(PYTHON_BENCH_DIR, '.venv-tfjs');
export const OFFICIAL_CONVERTER = join(OFFICIAL_VENV, 'bin', 'tensorflowjs_converter');
export const OFFICIAL_PYTHON = join(OFFICIAL_VENV, 'bin', 'python');

/** Creates the venv when missing (a few minutes: TensorFlow 2.19 and friends from PyPI). */
export function ensureOfficialConverter(): void {
  if (existsSync(OFFICIAL_CONVERTER)) return;
  runScript('bash', [join(PYTHON_BENCH_DIR, 'setup_official_converter.sh'), OFFICIAL_VENV]);
}

export type OfficialInputFormat = 'keras' | 'keras_keras';

/**
 * One timed run of `tensorflowjs_converter --input_format <format> --output_format
 * tfjs_layers_model <input> <outDir>`, with tf_keras as its Keras (TF_USE_LEGACY_KERAS=1: the
 * converter's Keras-2 code paths need it, and TensorFlow 2.19 would otherwise load Keras 3).
 */
export function runOfficial(input: string, outDir: string, format: OfficialInputFormat): TimedRun {
  rmSync(outDir, { recursive: true, force: true });
  return runTimed(
    [OFFICIAL_CONVERTER, '--input_format', format, '--output_format', 'tfjs_layers_model', input, outDir],
    { TF_USE_LEGACY_KERAS: '1' },
  );
}
