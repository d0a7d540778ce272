/**
 * The model under test, as fresh copies: each part of a verification starts from the model as
 * given (weights, dropout streams at their start), because training-phase calls move
 * BatchNormalization's moving statistics and every stream, and training moves the weights.
 *
 *   a Keras file (.keras, .h5, SavedModel)  loaded again by loadKerasModel, Keras Dropout as
 *                                           ManualDropout on the fixture's backend stream; compiled
 *                                           copies restore the file's optimizer state
 *   a tfjs model (model.json or its folder) loaded from disk once, then as a LayersModel
 *   a LayersModel                           cloned (topology and weights); a compiled copy gets a
 *                                           copy of its Keras-exact optimizer, state included
 * The caller's own LayersModel is never trained or called in training mode.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { io, type Tensor } from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { loadKerasModel } from '../convert/convert.js';
import type { LambdaMappings } from '../convert/normalize/layer_map.js';
import { ErrorCode, Keras2TfjsError } from '../errors.js';
import { MODEL_JSON, fileSystem } from '../io/file_system.js';
import { KerasOptimizer } from '../train/keras_optimizer.js';
import { optimizerFromKerasConfig } from '../train/optimizer_config.js';

export interface ModelCopy {
  model: LayersModel;
  /** Notes from loading: compile settings not reproduced, optimizer state not restored. */
  notes: string[];
}

export interface ModelUnderTest {
  /** How the report names it. */
  label: string;
  /** A fresh copy; `compiled`: with the optimizer (and its state) training continues from. */
  copy(compiled: boolean): Promise<ModelCopy>;
}

export interface ModelSourceOptions {
  backend: 'tensorflow' | 'jax';
  lambdas?: LambdaMappings;
}

export async function modelUnderTest(model: string | LayersModel, options: ModelSourceOptions): Promise<ModelUnderTest> {
  if (typeof model !== 'string') return fromLayersModel(model, 'the given LayersModel');
  if (await isTfjsModel(model)) return fromLayersModel(await loadLayersModel(fileSystem(model)), model);
  return {
    label: model,
    async copy(compiled) {
      const notes: string[] = [];
      const loaded = await loadKerasModel(model, {
        exactDropout: true,
        rng: options.backend,
        lambdas: options.lambdas,
        compile: compiled,
        onWarning: (w) => notes.push(w),
        onReport: (r) => notes.push(...(r.compileDropped ?? []).map((d) => `not reproduced: ${d}`)),
      });
      return { model: loaded, notes };
    },
  };
}

/** A tfjs model: a model.json file, or a folder holding one (and not a Keras SavedModel or unzipped .keras). */
async function isTfjsModel(path: string): Promise<boolean> {
  if (path.endsWith('.json')) return true;
  const isDir = await stat(path).then((s) => s.isDirectory(), () => false);
  if (!isDir) return false;
  const has = (f: string) => stat(join(path, f)).then(() => true, () => false);
  return (await has(MODEL_JSON)) && !(await has('saved_model.pb')) && !(await has('config.json'));
}

async function fromLayersModel(source: LayersModel, label: string): Promise<ModelUnderTest> {
  let artifacts!: io.ModelArtifacts;
  await source.save(io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return {
    label,
    async copy(compiled) {
      const model = await loadLayersModel(io.fromMemory({ ...artifacts, trainingConfig: undefined }));
      if (compiled) await copyOptimizer(source, model);
      return { model, notes: [] };
    },
  };
}

/** Compiles `target` like `source`, with a copy of its Keras-exact optimizer and that optimizer's state. */
async function copyOptimizer(source: LayersModel, target: LayersModel): Promise<void> {
  const optimizer = (source as { optimizer?: unknown }).optimizer;
  if (!optimizer || !KerasOptimizer.prototype.isPrototypeOf(optimizer)) {
    target.dispose();
    throw new Keras2TfjsError(
      ErrorCode.INVALID_ARGUMENT,
      "the model is not compiled with a Keras-exact optimizer (KerasSGD, KerasRMSprop, KerasAdam, KerasAdamW) holding Keras' state; pass the Keras file, or a model from loadKerasModel(file, {compile: true})",
    );
  }
  const original = optimizer as KerasOptimizer;
  const className = original.getClassName().replace(/^Keras/, '');
  const { optimizer: twin } = optimizerFromKerasConfig({ class_name: className, config: original.getConfig() });
  target.compile({ optimizer: twin, loss: source.loss as Parameters<LayersModel['compile']>[0]['loss'] });
  const state = await original.getWeights();
  await twin.setWeights(state);
  (state[0].tensor as Tensor).dispose(); // getWeights makes the iteration count afresh; the slots are the original's
}
