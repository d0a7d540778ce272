/**
 * The one intermediate model every reader produces and every writer consumes:
 *
 *   read/      (keras_archive | legacy_h5 | saved_model | weights-only h5 + config)
 *     → SourceModel   (config JSON exactly as the file has it + weights per layer, as stored)
 *   normalize/ (model_config + layer_map + weights, then validate_topology)
 *     → IntermediateModel (tfjs-loadable Keras-2-style topology + ordered, tfjs-named weights)
 *   write/     (tfjs_artifacts: model.json + shards, or in-memory ModelArtifacts)
 *
 * Readers never rewrite configs; Keras-specific rewrites live only in normalize/.
 */
import type { StoredArray, WeightData, WeightDType } from '../formats/stored_array.js';

export type { StoredArray, StoredValues, WeightData, WeightDType } from '../formats/stored_array.js';

/** Which container the model came from (detected from content, not from the extension). */
export type SourceFormat =
  | 'keras-zip' // Keras 3 / tf.keras ≥2.13 `.keras` zip
  | 'keras-dir' // unzipped `.keras` directory (config.json + model.weights.h5)
  | 'h5-full' // legacy full-model HDF5 (root attribute model_config)
  | 'h5-weights' // weights-only HDF5 (needs the architecture from elsewhere)
  | 'savedmodel'; // tf.keras SavedModel directory with keras_metadata.pb

/** A weight as the source file stores it, before tfjs naming; its values are read when asked. */
export interface SourceWeight extends StoredArray {
  /**
   * The name the file gives it, if any: legacy h5 `weight_names` entries ('dense_1/kernel:0'),
   * SavedModel checkpoint attribute names ('kernel'), or null where the file only has an index
   * (Keras 3 `vars/0`).
   */
  storedName: string | null;
}

/** What a reader returns: the file's own config and weights, untouched. */
export interface SourceModel {
  /** The input path (for error messages). */
  file: string;
  format: SourceFormat;
  /** keras_version as recorded by the file (metadata.json / h5 attribute), or null. */
  kerasVersion: string | null;
  /** Keras backend recorded by the file ('tensorflow', 'jax', ...), or null. */
  backend: string | null;
  /** The serialized model, `{class_name, config, ...}`, exactly as in the file. */
  modelConfig: Record<string, unknown>;
  /** Keras 3 `compile_config` or Keras 2 `training_config`, as in the file; null if absent. */
  trainingConfig: Record<string, unknown> | null;
  /**
   * Weights grouped by layer, in the order the file stores them for that layer
   * (Keras 3: vars/0, vars/1, ...; legacy h5: weight_names order; SavedModel: checkpoint keys).
   * Key = the layer path inside the model: 'dense_1', or 'outer_model/dense_1' for nested models.
   */
  layerWeights: Map<string, SourceWeight[]>;
  /**
   * Checks what can only be checked once the weights were read (a stored zip member's CRC-32),
   * then releases the input (its open files). Call it after the last weight was read.
   */
  finish(): Promise<void>;
  /** Releases the input without checking (after a failure); harmless after `finish`. */
  close(): Promise<void>;
  /** The optimizer's saved variables, when the file holds them (absent or null: none). */
  optimizerWeights?: SourceOptimizerWeights | null;
}

/**
 * An optimizer's variables as the file stores them, in the file's order, untouched: Keras 3
 * `optimizer/vars/0..` (unnamed: iterations, learning rate, then the slots), legacy h5
 * `optimizer_weights` in `weight_names` order ('Adam/m/dense/kernel:0', 'Adam/dense/kernel/m:0',
 * 'adam/dense_kernel_momentum'), a SavedModel's optimizer variables (their checkpoint names).
 * src/train/optimizer_state.ts reads the layouts.
 */
export interface SourceOptimizerWeights {
  /** The optimizer's name as the file records it (Keras 3 `vars` attribute), or null. */
  name: string | null;
  weights: SourceWeight[];
}

/** A reader's result before the caller attaches how to finish with the input. */
export type SourceContent = Omit<SourceModel, 'finish' | 'close'>;

/** A weight ready for tfjs: named exactly as tfjs' LayersModel.loadWeights matches it; values read when asked. */
export interface NamedWeight extends StoredArray<WeightData> {
  /** '<layer name>/<variable name>', e.g. 'dense_1/kernel' (no ':0', no model prefix). */
  name: string;
}

/** A weight with its values in memory (what `convert` returns). */
export interface LoadedWeight {
  name: string;
  shape: number[];
  dtype: WeightDType;
  data: WeightData;
}

/** How one Lambda (or custom class) layer was mapped, for the report and `inspect`. */
export interface LayerMapping {
  layer: string;
  /** Class in the source file ('Lambda', 'keras2tfjs>ManualDropout', 'Dropout', ...). */
  sourceClass: string;
  /** Python function name for Lambdas (from the config or read from marshal data), else null. */
  functionName: string | null;
  /** The registered tfjs class it became. */
  targetClass: string;
  /** The tfjs config it was given. */
  targetConfig: Record<string, unknown>;
}

/** The intermediate model: what every writer starts from. */
export interface IntermediateModel {
  source: {
    file: string;
    format: SourceFormat;
    kerasVersion: string | null;
    backend: string | null;
  };
  /** tfjs-loadable topology: `{class_name, config, keras_version, backend}` (Keras 2 style). */
  modelTopology: Record<string, unknown>;
  /** Weights in the order tfjs expects them (model.weights order), named for tfjs. */
  weights: NamedWeight[];
  /** tfjs TrainingConfig if the file had a compile config tfjs can express, else null. */
  trainingConfig: Record<string, unknown> | null;
  /** Lambda / custom / dropout layers and what they became. */
  mappings: LayerMapping[];
  /** Non-fatal notes for the user (dropped compile settings, NaN weights, ...). */
  warnings: string[];
  /**
   * The optimizer's saved variables, as the reader found them (null: the file holds none); read
   * only when asked (ReadOptions.optimizerState), before the source is finished.
   */
  optimizerWeights?: SourceOptimizerWeights | null;
}

/** The intermediate model with every weight's values in memory (`convert`'s result). */
export interface LoadedModel extends Omit<IntermediateModel, 'weights'> {
  weights: LoadedWeight[];
}
