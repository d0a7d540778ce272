/**
 * The arguments of one recorded operation call, as a KerasOperation layer keeps them in its
 * config: plain JSON where every tensor argument is a marker `{"tensor": i}` (the i-th input of
 * the layer's node), and the few Python values JSON lacks are tagged objects:
 *
 *   {"tensor": 0}                      the layer's first input
 *   {"slice": [start, stop, step]}     a Python slice (nulls for omitted parts)
 *   {"ellipsis": true}                 `...`
 *   {"hex": "6368616e"}                a string tfjs would not keep as it is (see below)
 *   {"array": {"value": [...], "dtype": "float32"}}   a constant numpy array
 *
 * tfjs rewrites every string of a layer config it loads (snake_case → camelCase) and saves
 * (camelCase → snake_case, lower-cased): a string survives both only if it has no '_' and no
 * capital letter. Strings that do not (einsum subscripts in capitals, 'channels_last') travel
 * hex-encoded, so a model.json round trip through tfjs keeps every value exactly.
 */
import type { Tensor } from '@tensorflow/tfjs-core';

/** A JSON value of a stored template. */
export type Stored = null | boolean | number | string | Stored[] | { [key: string]: Stored };

/** A template value with tensors and Python objects resolved. */
export type Value = null | boolean | number | string | Tensor | Slice | Ellipsis | ConstArray | Value[] | { [key: string]: Value };

export interface Slice {
  kind: 'slice';
  start: number | null;
  stop: number | null;
  step: number | null;
}
export interface Ellipsis {
  kind: 'ellipsis';
}
export interface ConstArray {
  kind: 'array';
  value: unknown;
  dtype: string;
}

export function isSlice(v: unknown): v is Slice {
  return typeof v === 'object' && v !== null && (v as Slice).kind === 'slice';
}
export function isEllipsis(v: unknown): v is Ellipsis {
  return typeof v === 'object' && v !== null && (v as Ellipsis).kind === 'ellipsis';
}
export function isConstArray(v: unknown): v is ConstArray {
  return typeof v === 'object' && v !== null && (v as ConstArray).kind === 'array';
}

/** True if tfjs' load (camelCase) and save (snake_case) both leave `s` unchanged. */
export function isStableString(s: string): boolean {
  return !/[_A-Z]/.test(s);
}

export function encodeString(s: string): Stored {
  if (isStableString(s)) return s;
  return { hex: Array.from(new TextEncoder().encode(s), (b) => b.toString(16).padStart(2, '0')).join('') };
}

function decodeHex(hex: string): string {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return new TextDecoder().decode(bytes);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A stored template → values, with `tensor(i)` for each marker. Keys of plain objects are kept
 * as tfjs hands them (camelCase after loading).
 */
export function resolve(stored: unknown, tensor: (index: number) => Tensor): Value {
  if (Array.isArray(stored)) return stored.map((s) => resolve(s, tensor));
  if (!isObject(stored)) return stored as Value;
  if (typeof stored.tensor === 'number' && Object.keys(stored).length === 1) return tensor(stored.tensor);
  if (Array.isArray(stored.slice) && Object.keys(stored).length === 1) {
    const [start, stop, step] = stored.slice as Array<number | null>;
    return { kind: 'slice', start: start ?? null, stop: stop ?? null, step: step ?? null };
  }
  if (stored.ellipsis === true && Object.keys(stored).length === 1) return { kind: 'ellipsis' };
  if (typeof stored.hex === 'string' && Object.keys(stored).length === 1) return decodeHex(stored.hex);
  if (isObject(stored.array) && Object.keys(stored).length === 1) {
    return { kind: 'array', value: stored.array.value, dtype: String(stored.array.dtype ?? 'float32') };
  }
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(stored)) out[k] = resolve(v, tensor);
  return out;
}

/** Decodes hex strings (and leaves everything else) in a stored op config. */
export function decodeStrings(stored: unknown): unknown {
  if (Array.isArray(stored)) return stored.map(decodeStrings);
  if (!isObject(stored)) return stored;
  if (typeof stored.hex === 'string' && Object.keys(stored).length === 1) return decodeHex(stored.hex);
  return Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, decodeStrings(v)]));
}

/** How many tensor markers a stored template holds (the layer's input count). */
export function countTensors(stored: unknown): number {
  let n = 0;
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (isObject(v)) {
      if (typeof v.tensor === 'number' && Object.keys(v).length === 1) n = Math.max(n, v.tensor + 1);
      else Object.values(v).forEach(visit);
    }
  };
  visit(stored);
  return n;
}
