/**
 * A built tfjs model (normalize/tfjs_build.ts: the one the topology check built, variables at
 * zero) filled with the converted weights, read from the input straight into the model's
 * variables one weight at a time, so that the model's own tensors are the one copy of the
 * weights in memory (tfjs' `loadLayersModel` takes all weights at once in one buffer and
 * decodes them all into tensors: two copies at its peak, three with the converted bytes).
 * Each weight is written as `loadWeights` writes it (`LayerVariable.write`: constraints applied
 * the same way).
 */
import { tensor } from '@tensorflow/tfjs-core';
import type { LayersModel, LayerVariable } from '@tensorflow/tfjs-layers';
import { ErrorCode, Keras2TfjsError, displayName } from '../../errors.js';
import { elementCount } from '../../formats/stored_array.js';
import type { IntermediateModel } from '../intermediate.js';
import { countNonFinite, nonFiniteNote } from './weight_encoder.js';

export interface LiveModel {
  model: LayersModel;
  /** NaN / infinity notes found on the way. */
  warnings: string[];
  /** Bytes of weight values loaded. */
  bytes: number;
}

/**
 * Writes `model`'s weights into `built` (a model of its topology whose variables match its
 * weights: checkTfjsBuild checked them). On failure `built` is disposed.
 */
export async function fillLiveModel(built: LayersModel, model: IntermediateModel, options: { whenDone?: () => Promise<void> } = {}): Promise<LiveModel> {
  const file = model.source.file;
  try {
    const variables = new Map<string, LayerVariable>();
    for (const v of built.weights) variables.set(v.originalName, v);
    const warnings: string[] = [];
    let bytes = 0;
    for (const w of model.weights) {
      const variable = variables.get(w.name);
      if (!variable) throw new Keras2TfjsError(ErrorCode.WEIGHT_MISMATCH, `${displayName(file)}: tfjs built no variable for the weight '${w.name}'`, { file });
      variables.delete(w.name);
      const data = await w.read();
      const bad = countNonFinite(data);
      if (bad > 0) warnings.push(nonFiniteNote(w.name, bad));
      const value = tensor(data, w.shape, w.dtype);
      // The variable takes the tensor's memory (Variable.assign shares it): no copy is kept.
      variable.write(value);
      value.dispose();
      bytes += elementCount(w.shape) * 4;
    }
    await options.whenDone?.();
    if (model.trainingConfig) built.setUserDefinedMetadata({ kerasTrainingConfig: model.trainingConfig });
    return { model: built, warnings, bytes };
  } catch (e) {
    built.dispose();
    throw e;
  }
}
