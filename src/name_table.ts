/**
 * Lookups by names that come from files. A plain object literal answers `table['constructor']`,
 * `table['toString']` and `table['__proto__']` from Object.prototype, so a model whose
 * initializer is named 'constructor' would find a function where a name was expected (and one
 * named '__proto__' would find an object). Every table keyed by such names is built with
 * `nameTable`, which has no prototype: only its own entries answer, whatever is added to it later.
 */

/** `entries` as a frozen lookup table without a prototype (same type, same literal syntax). */
export function nameTable<V>(entries: Readonly<Record<string, V>>): Readonly<Record<string, V>> {
  const table = Object.create(null) as Record<string, V>;
  for (const key of Object.keys(entries)) table[key] = entries[key];
  return Object.freeze(table);
}

/** `object[key]` if `object` has that key itself (never an inherited member), else undefined. */
export function ownValue<V>(object: Readonly<Record<string, V>> | null | undefined, key: string): V | undefined {
  return object != null && Object.hasOwn(object, key) ? object[key] : undefined;
}
