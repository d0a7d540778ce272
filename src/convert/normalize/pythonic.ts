/**
 * A model.json topology (Keras' snake_case, "pythonic") in the camelCase form tfjs-layers'
 * classes are built from, by tfjs' documented rule for model.json (serialization_utils
 * `convertPythonicToTs`, applied by `loadLayersModel` before it deserializes): keys and string
 * values become camelCase (`hard_sigmoid` → `hardSigmoid`), except a string under a `name`
 * key, and the layer name that opens each entry of `inbound_nodes`, `input_layers` and
 * `output_layers`. tfjs_build.ts builds models from this; live_model.test.ts checks that they
 * are the models `loadLayersModel` builds.
 */

/** The keys whose arrays start with a layer name (kept as it is). */
const LAYER_REFERENCE_KEYS = new Set(['inboundNodes', 'inputLayers', 'outputLayers']);

export function pythonicToTs(value: unknown, key?: string): unknown {
  if (value === null) return null;
  if (typeof value === 'string') return toCamelCase(value);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    return value.map((item, i) => (key !== undefined && LAYER_REFERENCE_KEYS.has(key) && i === 0 && typeof item === 'string' ? item : pythonicToTs(item, key)));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'name' && typeof v === 'string') {
      out[k] = v;
    } else {
      const camel = toCamelCase(k);
      out[camel] = pythonicToTs(v, camel);
    }
  }
  return out;
}

/** 'kernel_initializer' → 'kernelInitializer'; identifiers without '_' (or of one character) as they are. */
export function toCamelCase(identifier: string): string {
  if (identifier.length <= 1 || !identifier.includes('_')) return identifier;
  return identifier.replace(/_+(\w|$)/g, (_, next: string) => next.toUpperCase());
}
