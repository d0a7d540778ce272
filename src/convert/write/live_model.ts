/**
 * IntermediateModel → a live tf.LayersModel, its weights read from the input straight into the
 * model's variables, one weight at a time, so that the model's own tensors are the one copy of
 * the weights in memory (tfjs' `loadLayersModel` takes all weights at once in one buffer and
 * decodes them all into tensors: two copies at its peak, three with the converted bytes).
 *
 * The model is built the way `loadLayersModel` builds one whose weights it is given: tfjs'
 * "fast weight init" (every variable starts as zeros instead of running its initializer, while
 * the layers keep their initializer configs), through the model class's own `fromConfig` with
 * the config in tfjs' camelCase form (pythonic.ts). Then each weight is written into its
 * variable (`LayerVariable.write`, as `loadWeights` does: constraints applied the same way).
 */
import { serialization, tensor } from '@tensorflow/tfjs-core';
import type { LayersModel, LayerVariable } from '@tensorflow/tfjs-layers';
import { ErrorCode, Keras2TfjsError, displayName, firstLine } from '../../errors.js';
import { elementCount } from '../../formats/stored_array.js';
import type { IntermediateModel } from '../intermediate.js';
import { pythonicToTs } from './pythonic.js';
import { countNonFinite } from './weight_encoder.js';

export interface LiveModel {
  model: LayersModel;
  /** NaN / infinity notes found on the way. */
  warnings: string[];
  /** Bytes of weight values loaded. */
  bytes: number;
}

type FromConfig = (cls: unknown, config: serialization.ConfigDict, customObjects: serialization.ConfigDict, fastWeightInit: boolean) => LayersModel;

export async function loadLiveModel(model: IntermediateModel, options: { whenDone?: () => Promise<void> } = {}): Promise<LiveModel> {
  const file = model.source.file;
  const live = buildWithZeros(model);
  try {
    const variables = new Map<string, LayerVariable>();
    for (const v of live.weights) variables.set(v.originalName, v);
    const warnings: string[] = [];
    let bytes = 0;
    for (const w of model.weights) {
      const variable = variables.get(w.name);
      if (!variable) throw new Keras2TfjsError(ErrorCode.WEIGHT_MISMATCH, `${displayName(file)}: tfjs built no variable for the weight '${w.name}'`, { file });
      variables.delete(w.name);
      const data = await w.read();
      const bad = countNonFinite(data);
      if (bad > 0) warnings.push(`layer '${w.name.slice(0, w.name.indexOf('/'))}': weight '${w.name.slice(w.name.indexOf('/') + 1)}' has ${bad} NaN or infinite value${bad === 1 ? '' : 's'}`);
      const value = tensor(data, w.shape, w.dtype);
      // The variable takes the tensor's memory (Variable.assign shares it): no copy is kept.
      variable.write(value);
      value.dispose();
      bytes += elementCount(w.shape) * 4;
    }
    if (variables.size > 0) {
      throw new Keras2TfjsError(ErrorCode.WEIGHT_MISMATCH, `${displayName(file)}: the file has no value for tfjs' weight '${[...variables.keys()][0]}'`, { file });
    }
    await options.whenDone?.();
    if (model.trainingConfig) live.setUserDefinedMetadata({ kerasTrainingConfig: model.trainingConfig });
    return { model: live, warnings, bytes };
  } catch (e) {
    live.dispose();
    throw e;
  }
}

/** The model built from its topology with every variable zero (tfjs' fast weight init). */
export function buildWithZeros(model: Pick<IntermediateModel, 'source' | 'modelTopology'>): LayersModel {
  const file = model.source.file;
  const topology = model.modelTopology;
  const className = String(topology.class_name);
  const entry = serialization.SerializationMap.getMap().classNameMap[className] as unknown as [unknown, FromConfig] | undefined;
  try {
    if (!entry) throw new Error(`Unknown model class: ${className}`);
    const [cls, fromConfig] = entry;
    const config = pythonicToTs(topology.config) as serialization.ConfigDict;
    // As tfjs' deserialization hands every class its custom objects.
    config.customObjects = {};
    return fromConfig(cls, config, {}, true);
  } catch (e) {
    throw new Keras2TfjsError(ErrorCode.BAD_CONFIG, `${displayName(file)}: tfjs could not build the converted model (${firstLine(e)})`, { file });
  }
}
