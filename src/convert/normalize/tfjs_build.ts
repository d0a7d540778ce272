/**
 * A tfjs model built from a converted topology the way tfjs' `loadLayersModel` builds one it
 * has weights for: "fast weight init" (every variable starts as zeros instead of running its
 * initializer, while the layers keep their initializer configs), through the model class's own
 * `fromConfig`, with the config in tfjs' camelCase form (pythonic.ts). The topology check
 * builds it (validate_topology.ts), and loadKerasModel then fills it with the weights.
 */
import { serialization } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { pythonicToTs } from './pythonic.js';

type FromConfig = (cls: unknown, config: serialization.ConfigDict, customObjects: serialization.ConfigDict, fastWeightInit: boolean) => LayersModel;

/** The model, variables at zero; throws tfjs' own error if tfjs refuses the topology. */
export function buildWithZeros(topology: Record<string, unknown>): LayersModel {
  const className = String(topology.class_name);
  const entry = serialization.SerializationMap.getMap().classNameMap[className] as unknown as [unknown, FromConfig] | undefined;
  if (!entry) throw new Error(`Unknown layer: ${className}`);
  const [cls, fromConfig] = entry;
  const config = pythonicToTs(topology.config) as serialization.ConfigDict;
  // As tfjs' deserialization hands every class its custom objects.
  config.customObjects = {};
  return fromConfig(cls, config, {}, true);
}
