/**
 * `exportKeras(model, 'model.keras')`: a tfjs LayersModel → a Keras 3 `.keras` file that
 * `keras.saving.load_model` (Keras 3.15, safe_mode on) loads and predicts with as tfjs does.
 *
 * The archive is what Keras' saving_lib writes: a zip with STORED (uncompressed) members, in
 * Keras' order — metadata.json, config.json, model.weights.h5. It is written to an exclusively
 * created temporary file beside `path` and renamed into place (io/atomic_file.ts), so a failed
 * export leaves nothing at `path` and a symlink planted beside it is never followed.
 */
import { zipSync } from 'fflate';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { basename, resolve } from 'node:path';
import { ErrorCode, Keras2TfjsError, invalidArgument } from '../../../errors.js';
import { writeH5 } from '../../../formats/hdf5/h5wasm/writer.js';
import { writeFileAtomically } from '../../../io/atomic_file.js';
import { kerasCompileConfig } from './compile_config.js';
import { kerasModelConfig } from './model_config.js';
import { kerasWeightsTree } from './weights.js';

/** The Keras release whose `.keras` schema we write (and record in metadata.json). */
export const KERAS_SCHEMA_VERSION = '3.15.1';

export interface ExportKerasOptions {
  /**
   * Receives non-fatal notes, e.g. why the compile settings were left out.
   * Default: `console.warn`.
   */
  onWarning?: (message: string) => void;
  /** The date recorded in metadata.json (default: now). Fix it for byte-identical files. */
  dateSaved?: Date;
}

/** The three members of a `.keras` archive, before zipping. */
export interface KerasArchiveParts {
  metadata: Record<string, string>;
  config: Record<string, unknown>;
  weights: Uint8Array;
  warnings: string[];
}

/**
 * Writes `model` as a Keras 3 `.keras` file at `path` (which must end in `.keras`, as Keras
 * requires). ManualDropout layers are written as `keras2tfjs>ManualDropout`: load them in Python
 * with the `keras2tfjs` package installed (`import keras2tfjs` registers the layer). The layers
 * the converter stood in for with keras2tfjs' own (causal Conv1D, reset_after GRU, bilinear
 * UpSampling2D, Normalization) are written as those Keras layers, so a converted model
 * fine-tuned in TypeScript goes back to Keras unchanged in form.
 *
 * Throws `Keras2TfjsError` (UNKNOWN_LAYER, UNSUPPORTED_SEMANTICS, WEIGHT_MISMATCH, WRITE_FAILED)
 * naming the layer when the model cannot be written with the same meaning; nothing is written then.
 */
export async function exportKeras(model: LayersModel, path: string, options: ExportKerasOptions = {}): Promise<void> {
  if (typeof path !== 'string' || !path.endsWith('.keras')) {
    throw invalidArgument('path', 'a file name ending in .keras (Keras 3 loads only that)', path);
  }
  const target = resolve(path);
  const parts = await buildKerasArchiveParts(model, basename(target), options.dateSaved ?? new Date());
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  for (const warning of parts.warnings) warn(`${basename(target)}: ${warning}`);
  await writeAtomically(target, zipKerasArchive(parts));
}

/** Builds config, metadata and weights for `model`; `file` names the output in errors. */
export async function buildKerasArchiveParts(model: LayersModel, file: string, dateSaved: Date): Promise<KerasArchiveParts> {
  const { compileConfig, warnings, optimizerState } = await kerasCompileConfig(model);
  const config = kerasModelConfig(model, file, compileConfig);
  const weights = await writeH5(kerasWeightsTree(model, file, optimizerState));
  return {
    metadata: { keras_version: KERAS_SCHEMA_VERSION, date_saved: pythonDate(dateSaved) },
    config,
    weights,
    warnings,
  };
}

/** Zips the parts exactly as saving_lib does: STORED members, metadata → config → weights. */
export function zipKerasArchive(parts: KerasArchiveParts): Uint8Array {
  const encoder = new TextEncoder();
  const stored = { level: 0 as const };
  return zipSync({
    'metadata.json': [encoder.encode(JSON.stringify(parts.metadata)), stored],
    'config.json': [encoder.encode(JSON.stringify(parts.config)), stored],
    'model.weights.h5': [parts.weights, stored],
  });
}

/** Python's `datetime.now().strftime("%Y-%m-%d@%H:%M:%S")`, local time, as Keras records it. */
function pythonDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

async function writeAtomically(target: string, bytes: Uint8Array): Promise<void> {
  try {
    // An exclusive temporary file with a random name: a symlink planted beside the target is
    // never followed (the old name, pid + time, could be guessed and was opened with a plain write).
    await writeFileAtomically(target, bytes);
  } catch (e) {
    throw new Keras2TfjsError(
      ErrorCode.WRITE_FAILED,
      `${target}: could not write the .keras file (${e instanceof Error ? e.message : String(e)}); nothing was written`,
      { file: target },
    );
  }
}
