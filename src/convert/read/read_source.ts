/**
 * Input (path or bytes) → SourceModel: detects the format from content and hands it to the
 * right reader. Weights-only files get their architecture from the `config` option (a Keras
 * `config.json` / `model.to_json()` file, a tfjs `model.json`, or the parsed object).
 *
 * A file is opened as a `ByteSource` (src/io) and read by ranges: the structure now, each
 * weight's values when the writer asks for them; the SourceModel holds the file open until its
 * `finish` (or `close`). Everything decoded is charged to one decode budget for the input.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, Keras2TfjsError } from '../../errors.js';
import { checkKerasZip, classifyHdf5, detectDirectory, sniffSource, unknownFormat } from './detect.js';
import { convertError, displayName } from '../../errors.js';
import { MemorySource, type ByteSource } from '../../io/byte_source.js';
import { FileSource, openFileSource, readSmallFile, WHOLE_READ_MAX_BYTES } from '../../io/file_source.js';
import { DecodeBudget, DEFAULT_DECODE_RATIO } from '../../formats/decode_budget.js';
import { openHdf5, type Hdf5File } from '../../formats/hdf5/open_hdf5.js';
import type { SourceContent, SourceModel } from '../intermediate.js';
import { KERAS_WEIGHTS_MEMBER, MAX_JSON_MEMBER_BYTES, readKeras3Weights, readKerasArchive, type ArchiveSource } from './keras_archive.js';
import { readLegacyH5, readLegacyWeights } from './legacy_h5.js';
import { readSavedModel } from './saved_model.js';
import { isZip, memberDataOffset, ZipArchive } from '../../formats/zip/zip_archive.js';

export interface ReadOptions {
  /** Architecture for weights-only files: a JSON file path or the parsed config. */
  config?: string | Record<string, unknown>;
  /** Name for messages when the input is bytes. */
  fileName?: string;
  /** Decoding may produce this many times the input's size, at most (default 100; see DecodeBudget). */
  maxDecodeRatio?: number;
  /** The decode budget itself (tests read its counter); built from `maxDecodeRatio` otherwise. */
  budget?: DecodeBudget;
  /** Files up to this many bytes are read whole, larger ones by ranges (tests set 0). */
  wholeReadMax?: number;
  /**
   * Also read the optimizer's saved variables (`optimizerWeights`), for resuming training. Off by
   * default: a conversion does not need them, and damage there must not fail it.
   */
  optimizerState?: boolean;
}

export async function readSource(input: string | Uint8Array, options: ReadOptions = {}): Promise<SourceModel> {
  if (typeof input !== 'string') {
    const name = options.fileName ?? '<memory>';
    return readFromSource(new MemorySource(input, name, 'borrowed'), name, options);
  }
  let isDir: boolean;
  try {
    isDir = (await stat(input)).isDirectory();
  } catch {
    throw convertError(ErrorCode.FILE_NOT_FOUND, input, 'no such file or directory');
  }
  if (isDir) {
    const format = await detectDirectory(input);
    if (format === 'savedmodel') return readSavedModel(input, options);
    return readKerasArchive(input, directorySource(input, options), options);
  }
  const source = await openFileSource(input, {
    wholeReadMax: options.wholeReadMax ?? WHOLE_READ_MAX_BYTES,
    // Read whole, a .keras archive is placed so that its weights are aligned: used in place.
    alignment: (head) => (isZip(head) ? memberDataOffset(head, KERAS_WEIGHTS_MEMBER) : null),
  });
  return readFromSource(source, input, options);
}

/** The input's decode budget: from the option, relative to `inputBytes`. */
function budgetFor(inputBytes: number, options: ReadOptions): DecodeBudget {
  return options.budget ?? new DecodeBudget(inputBytes, options.maxDecodeRatio ?? DEFAULT_DECODE_RATIO);
}

/** A .keras zip or an HDF5 file; `source` is closed on failure, and by the SourceModel otherwise. */
async function readFromSource(source: ByteSource, file: string, options: ReadOptions): Promise<SourceModel> {
  const budget = budgetFor(source.size, options);
  try {
    const kind = await sniffSource(source);
    if (kind === 'zip') {
      const zip = await ZipArchive.open(source, file, budget);
      checkKerasZip(zip);
      return await readKerasArchive(file, zipSource(zip, source, budget), options);
    }
    if (kind !== 'hdf5') throw await unknownFormat(source, file);
    const h5 = await openHdf5(source, file, budget);
    try {
      const content = await readHdf5Model(h5, file, options);
      const close = async () => {
        h5.close();
        await source.close();
      };
      return { ...content, finish: close, close };
    } catch (e) {
      h5.close();
      throw e;
    }
  } catch (e) {
    await source.close();
    throw e;
  }
}

async function readHdf5Model(h5: Hdf5File, file: string, options: ReadOptions): Promise<SourceContent> {
  if (classifyHdf5(h5) === 'h5-full') return readLegacyH5(h5, options);
  if (options.config === undefined) {
    throw convertError(
      ErrorCode.WEIGHTS_ONLY, file,
      'holds only weights (saved with save_weights), no architecture; pass the model\'s architecture with --config <model.json|config.json> (API: the `config` option), e.g. the JSON of model.to_json()',
    );
  }
  const config = await loadArchitecture(options.config, file);
  if (h5.stringListAttr('/', 'layer_names') !== null) {
    const content = readLegacyWeights(h5, config);
    content.kerasVersion ??= typeof config.keras_version === 'string' ? config.keras_version : null;
    content.backend ??= typeof config.backend === 'string' ? config.backend : null;
    return content;
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
}

/** A .keras zip's members: small ones read whole, the weights by ranges straight from the archive. */
function zipSource(zip: ZipArchive, source: ByteSource, budget: DecodeBudget): ArchiveSource {
  return {
    format: 'keras-zip',
    budget,
    read: async (m, maxBytes) => (zip.has(m) ? zip.read(m, maxBytes) : null),
    has: async (m) => zip.has(m),
    open: async (m) => (zip.has(m) ? zip.openMember(m) : null),
    close: () => source.close(),
  };
}

/** An unzipped .keras folder: each member a file of its own (regular files only). */
function directorySource(dir: string, options: ReadOptions): ArchiveSource {
  const opened: ByteSource[] = [];
  let budget: DecodeBudget | null = null;
  const fail = (m: string, e: unknown): never => {
    if (e instanceof Keras2TfjsError) throw e;
    throw convertError(ErrorCode.FILE_NOT_FOUND, dir, `'${m}' cannot be read (${(e as Error).message})`);
  };
  return {
    format: 'keras-dir',
    get budget(): DecodeBudget {
      // Relative to the weights file, the one input that matters for it.
      return (budget ??= budgetFor(opened[0]?.size ?? 0, options));
    },
    read: async (m, maxBytes) => {
      try {
        const file = await FileSource.openIfExists(join(dir, m));
        if (file === null) return null;
        try {
          if (file.size > maxBytes) {
            throw convertError(ErrorCode.RESOURCE_LIMIT, dir, `'${m}' is ${file.size} bytes, more than the ${maxBytes} bytes such a file may have; this is not a genuine Keras model folder`);
          }
          return await file.read(0, file.size);
        } finally {
          await file.close();
        }
      } catch (e) {
        return fail(m, e);
      }
    },
    has: async (m) => {
      const file = await FileSource.openIfExists(join(dir, m)).catch(() => null);
      await file?.close();
      return file !== null;
    },
    open: async (m) => {
      let source: ByteSource | null;
      try {
        source = await FileSource.openIfExists(join(dir, m));
      } catch (e) {
        return fail(m, e);
      }
      if (source === null) return null;
      opened.push(source);
      return Object.assign(source, { verify: async () => {} });
    },
    close: async () => {
      for (const s of opened.splice(0)) await s.close();
    },
  };
}

/** A config file for a weights-only input is read whole: no genuine one comes near this. */
const MAX_CONFIG_FILE_BYTES = MAX_JSON_MEMBER_BYTES;

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
      text = new TextDecoder('utf-8').decode(await readSmallFile(config, MAX_CONFIG_FILE_BYTES, 'model config'));
    } catch (e) {
      if (e instanceof Keras2TfjsError && e.code !== ErrorCode.FILE_NOT_FOUND) throw e;
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
