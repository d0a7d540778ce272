/**
 * tfjs-layers registers its layer classes for deserialization but exports only some of them.
 * The compat layers extend a few unexported ones (GRUCell, Conv1D); this looks a class up in
 * tfjs' own registry, typed with the instance type of its public factory.
 */
import { serialization } from '@tensorflow/tfjs-core';
// tfjs-layers registers its classes when it loads: it must have loaded before any lookup here,
// whatever imported the compat layers first (the package root imports them before the converter).
import '@tensorflow/tfjs-layers';

export function registeredClass<Ctor>(className: string): Ctor {
  const map = serialization.SerializationMap.getMap().classNameMap;
  const entry = Object.hasOwn(map, className) ? map[className] : undefined;
  if (!entry) throw new Error(`tfjs-layers has no registered class '${className}'`);
  return entry[0] as unknown as Ctor;
}
