/**
 * The JSON dialect tf.keras writes into SavedModel metadata (`json_utils.Encoder`):
 * tuples and TensorShapes become `{"class_name": "__tuple__" | "TensorShape", "items": [...]}`
 * (an encoding detail of this container; .h5 files store the same values as plain lists),
 * and Python's json module writes NaN and ±Infinity as bare words, which JSON.parse rejects.
 */
import { UnsafeJsonError, parseBoundedJson } from '../../formats/bounded_json.js';
import { nameTable } from '../../name_table.js';

/**
 * Parses tf.keras metadata JSON, decoding tuples/TensorShapes to lists. Throws SyntaxError or
 * UnsafeJsonError (the depth is checked before the recursive decoding below).
 */
export function parseKerasJson(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = parseBoundedJson(text);
  } catch (first) {
    if (first instanceof UnsafeJsonError || !/NaN|Infinity/.test(text)) throw first;
    parsed = parseBoundedJson(quoteNonFinite(text), (_k, v) => (typeof v === 'string' && v in NON_FINITE ? NON_FINITE[v] : v));
  }
  return decodeContainers(parsed);
}

/** Marked strings that stand for the non-finite numbers while JSON.parse runs. */
const NON_FINITE: Readonly<Record<string, number>> = nameTable({
  '\u0000NaN': NaN,
  '\u0000Infinity': Infinity,
  '\u0000-Infinity': -Infinity,
});
const NON_FINITE_TOKENS = ['-Infinity', 'Infinity', 'NaN'];

/** Quotes bare NaN / Infinity / -Infinity tokens (outside strings) as marked strings. */
function quoteNonFinite(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      continue;
    }
    const token = NON_FINITE_TOKENS.find((t) => text.startsWith(t, i));
    if (token) {
      out += `"\\u0000${token}"`;
      i += token.length - 1;
    } else {
      out += ch;
    }
  }
  return out;
}

function decodeContainers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeContainers);
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (
    keys.length === 2 &&
    (obj.class_name === '__tuple__' || obj.class_name === 'TensorShape') &&
    (Array.isArray(obj.items) || obj.items === null)
  ) {
    return Array.isArray(obj.items) ? obj.items.map(decodeContainers) : null;
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = decodeContainers(obj[k]);
  return out;
}
