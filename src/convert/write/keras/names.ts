/**
 * Layer names as Keras 3 accepts them. Keras 3 refuses a '/' in a layer name ("Argument `name`
 * must be a string and cannot contain character `/`"), which tf.keras allowed and its
 * applications use ('Conv/BatchNorm' in MobileNetV3, 'block_1/expand' ...). Such names become
 * '_'-joined, made unique within the model by a numeric suffix; every other name is kept.
 * config.json and model.weights.h5 both take names from here, so references stay consistent.
 */
type Named = { name: string; layers?: Named[] };

const assigned = new WeakMap<object, string>();

/** Decides the Keras names of every layer of `model` (nested models included). Idempotent. */
export function assignKerasNames(model: Named): void {
  const taken = new Set<string>();
  const all: Named[] = [];
  const walk = (m: Named): void => {
    for (const l of m.layers ?? []) {
      all.push(l);
      taken.add(l.name);
      walk(l);
    }
  };
  walk(model);
  for (const l of all) {
    if (!l.name.includes('/')) continue;
    const base = l.name.replace(/\//g, '_');
    let name = base;
    for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    assigned.set(l, name);
  }
}

/** The name Keras 3 gets for this layer. */
export function kerasName(layer: { name: string }): string {
  return assigned.get(layer) ?? layer.name;
}
