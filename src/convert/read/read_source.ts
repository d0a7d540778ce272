/**
 * Input (path or bytes) → SourceModel: detects the format from content and hands it to the
 * right reader. Weights-only files get their architecture from the `config` option (a Keras
 * `config.json` / `model.to_json()` file, a tfjs `model.json`, or the parsed object).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '../../errors.js';
import { checkKerasZip, classifyHdf5, detectDirectory, sniffBytes, unknownBytes } from './detect.js';
import { convertError, displayName } from '../../errors.js';
import { ownBytes, readFileAligned } from '../../io/aligned_read.js';
import { withHdf5 } from '../../formats/hdf5/open_hdf5.js';
import type { SourceModel } from '../intermediate.js';
import { KERAS_WEIGHTS_MEMBER, readKeras3Weights, readKerasArchive, type ArchiveSource } from './keras_archive.js';
import { readLegacyH5, readLegacyWeights } from './legacy_h5.js';
import { readSavedModel } from './saved_model.js';
import { ZipArchive } from '../../formats/zip/zip_archive.js';

export interface ReadOptions {
  /** Architecture for weights-only files: a JSON file path or the parsed config. */
  config?: string | Record<string, unknown>;
  /** Name for messages when the input is bytes. */
  fileName?: string;
  /**
   * Also read the optimizer's saved variables (`optimizerWeights`), for resuming training. Off by
   * default: a conversion does not need them, and damage there must not fail it.
   */
  optimizerState?: boolean;
}

export async function readSource(input: string | Uint8Array, options: ReadOptions = {}): Promise<SourceModel> {
  if (typeof input !== 'string') return readBytes(input, options.fileName ?? '<memory>', options, false);
  let isDir: boolean;
  try {
    isDir = (await stat(input)).isDirectory();
  } catch {
    throw convertError(ErrorCode.FILE_NOT_FOUND, input, 'no such file or directory');
  }
  if (isDir) {
    const format = await detectDirectory(input);
    if (format === 'savedmodel') return readSavedModel(input, options);
    return readKerasArchive(input, directorySource(input), options);
  }
  let bytes: Uint8Array;
  try {
    // Placed so that a .keras archive's model.weights.h5 is aligned: its weights are then used in place.
    bytes = await readFileAligned(input, KERAS_WEIGHTS_MEMBER);
  } catch (e) {
    throw convertError(ErrorCode.FILE_NOT_FOUND, input, `cannot be read (${(e as Error).message})`);
  }
  return readBytes(bytes, input, options, true);
}

/** `ours`: the bytes were read here (not the caller's), so HDF5 may take them instead of a copy. */
async function readBytes(bytes: Uint8Array, file: string, options: ReadOptions, ours: boolean): Promise<SourceModel> {
  const kind = sniffBytes(bytes);
  if (kind === 'zip') {
    const zip = ZipArchive.open(bytes, file);
    checkKerasZip(zip);
    return readKerasArchive(file, zipSource(zip, ours), options);
  }
  if (kind !== 'hdf5') throw unknownBytes(bytes, file);
  return withHdf5(bytes, file, async (h5) => {
    if (classifyHdf5(h5) === 'h5-full') return readLegacyH5(h5, options);
    if (options.config === undefined) {
      throw convertError(
        ErrorCode.WEIGHTS_ONLY, file,
        'holds only weights (saved with save_weights), no architecture; pass the model\'s architecture with --config <model.json|config.json> (API: the `config` option), e.g. the JSON of model.to_json()',
      );
    }
    const config = await loadArchitecture(options.config, file);
    if (h5.stringListAttr('/', 'layer_names') !== null) {
      const source = readLegacyWeights(h5, config);
      source.kerasVersion ??= typeof config.keras_version === 'string' ? config.keras_version : null;
      source.backend ??= typeof config.backend === 'string' ? config.backend : null;
      return source;
    }
    // Keras 3 `.weights.h5`: the saving_lib layout, which only the config can map.
    return {
      file,
      format: 'h5-weights',
      kerasVersion: typeof config.keras_version === 'string' ? config.keras_version : null,
      backend: typeof config.backend === 'string' ? config.backend : null,
      modelConfig: config,
      trainingConfig: null,
      layerWeights: readKeras3Weights(h5, config),
    };
  }, ours);
}

/** `ours`: the zip's bytes were read here, so its buffer may be given to HDF5 (then unusable). */
function zipSource(zip: ZipArchive, ours: boolean): ArchiveSource {
  return { format: 'keras-zip', read: async (m) => (zip.has(m) ? zip.read(m) : null), movable: ours };
}

function directorySource(dir: string): ArchiveSource {
  return {
    format: 'keras-dir',
    movable: true, // each member is its own freshly read buffer
    read: async (m) => {
      try {
        return ownBytes(await readFile(join(dir, m)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw convertError(ErrorCode.FILE_NOT_FOUND, dir, `'${m}' cannot be read (${(e as Error).message})`);
      }
    },
  };
}

/**
 * The model config from a `config` option: Keras `{class_name, config}` (config.json,
 * model.to_json()), a tfjs model.json (`modelTopology[.model_config]`), or an h5 `model_config`
 * copied out as JSON.
 */
export async function loadArchitecture(config: string | Record<string, unknown>, weightsFile: string): Promise<Record<string, unknown>> {
  let parsed: unknown = config;
  let where = 'the `config` option';
  if (typeof config === 'string') {
    where = displayName(config);
    let text: string;
    try {
      text = await readFile(config, 'utf8');
    } catch {
      throw convertError(ErrorCode.FILE_NOT_FOUND, config, 'no such file (given as the architecture for a weights-only file)');
    }
    try {
      parsed = JSON.parse(text);
    } catch {
      throw convertError(ErrorCode.BAD_CONFIG, config, 'is not JSON; the architecture must be a Keras config.json / model.to_json() or a tfjs model.json');
    }
  }
  const obj = parsed as Record<string, unknown>;
  const topology = isObject(obj?.modelTopology) ? obj.modelTopology : obj;
  const model = isObject(topology?.model_config) ? topology.model_config : topology;
  if (!isObject(model) || typeof model.class_name !== 'string') {
    throw convertError(ErrorCode.BAD_CONFIG, weightsFile, `${where} is not a model architecture (expected {"class_name": ..., "config": ...})`);
  }
  // Keep the recorded version next to the config, as full-model files have it.
  const out: Record<string, unknown> = { ...model };
  for (const key of ['keras_version', 'backend']) {
    if (out[key] === undefined && isObject(topology) && typeof topology[key] === 'string') out[key] = topology[key];
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
