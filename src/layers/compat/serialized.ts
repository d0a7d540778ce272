/**
 * Initializers and activations of compat layers from their serialized form, and back. tfjs-layers
 * resolves these for its own layers with helpers it does not export (getInitializer,
 * getActivation); both are classes in tfjs' serialization registry, looked up here the same way.
 */
import { serialization, type Tensor } from '@tensorflow/tfjs-core';
import type { initializers, layers } from '@tensorflow/tfjs-layers';

export type Initializer = ReturnType<typeof initializers.zeros>;
export type InitializerIdentifier = string | { className: string; config?: serialization.ConfigDict };
export interface Activation {
  apply(x: Tensor): Tensor;
  getClassName(): string;
}

function registered(className: string): serialization.SerializableConstructor<serialization.Serializable> | undefined {
  // Own entries only: a name from a file ('constructor') must not find Object's members.
  const map = serialization.SerializationMap.getMap().classNameMap;
  const entry = Object.hasOwn(map, className) ? map[className] : undefined;
  return entry?.[0] as serialization.SerializableConstructor<serialization.Serializable> | undefined;
}

/** 'glorotUniform' (tfjs' identifier) or {className: 'GlorotUniform', config} → the initializer. */
export function initializerFrom(id: InitializerIdentifier | null | undefined, fallback: InitializerIdentifier): Initializer {
  const value = id ?? fallback;
  const className = typeof value === 'string' ? value.charAt(0).toUpperCase() + value.slice(1) : value.className;
  const config = typeof value === 'string' ? {} : (value.config ?? {});
  const cls = registered(className === 'LecunNormal' ? 'LeCunNormal' : className === 'LecunUniform' ? 'LeCunUniform' : className);
  if (!cls) throw new Error(`unknown initializer ${JSON.stringify(value)}`);
  return (cls as unknown as { fromConfig(c: unknown, config: serialization.ConfigDict): Initializer }).fromConfig(cls, config);
}

export function serializeInitializer(init: Initializer): serialization.ConfigDict {
  return { className: init.getClassName(), config: init.getConfig() };
}

/** An activation by its tfjs name ('relu', 'hardSilu', ...). */
export function activationFrom(name: string | null | undefined): Activation {
  const cls = registered(name ?? 'linear');
  if (!cls) throw new Error(`unknown activation '${name}'`);
  return new (cls as unknown as new () => Activation)();
}

type LayerInstance = InstanceType<typeof layers.Layer>;
type LayerClass = serialization.SerializableConstructor<LayerInstance> & {
  fromConfig(cls: serialization.SerializableConstructor<LayerInstance>, config: serialization.ConfigDict): LayerInstance;
};

/** A layer from its serialized form {className, config} (tfjs' own `deserialize` is not exported). */
export function layerFrom(entry: { className: string; config: serialization.ConfigDict }): LayerInstance {
  const cls = registered(entry.className) as unknown as LayerClass | undefined;
  if (!cls) throw new Error(`unknown layer class '${entry.className}'`);
  return cls.fromConfig(cls, entry.config);
}
