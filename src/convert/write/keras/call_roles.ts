/**
 * The recorded call of a layer whose tfjs inputs have roles (keras2tfjs' attention layers keep
 * `call_inputs`, e.g. ['query', 'value', 'attention_mask'], and the call's settings in their
 * config: see normalize/call_arguments.ts) → the `{args, kwargs}` Keras 3 replays:
 *
 *   MultiHeadAttention, GroupedQueryAttention   args [query, value], kwargs {key, attention_mask, ...,
 *                                               use_causal_mask, return_attention_scores}
 *   Attention, AdditiveAttention                args [[query, value, key]], kwargs {mask: [query_mask,
 *                                               value_mask], use_causal_mask, return_attention_scores}
 */
import type { Json, JsonObject } from './objects.js';

const canonical = (role: string): string => role.replace(/_/g, '').toLowerCase();
const KERAS_NAME: Record<string, string> = {
  query: 'query', value: 'value', key: 'key', attentionmask: 'attention_mask',
  querymask: 'query_mask', valuemask: 'value_mask', keymask: 'key_mask',
};

/** The node's entries by role (one entry may hold several: 'query+value'). */
function tensorsByRole(config: JsonObject, entries: Json[]): Map<string, Json> {
  const roles = Array.isArray(config.call_inputs) ? config.call_inputs.map(String) : ['query', 'value', 'key'];
  const out = new Map<string, Json>();
  roles.forEach((r, i) => {
    if (i < entries.length) for (const role of r.split('+')) out.set(canonical(role), entries[i]);
  });
  return out;
}

export function roleCall(kind: 'mha' | 'dense', config: JsonObject, tensors: Json[]): { args: Json[]; kwargs: JsonObject } {
  const byRole = tensorsByRole(config, tensors);
  const kwargs: JsonObject = {};
  let args: Json[];
  if (kind === 'mha') {
    args = [byRole.get('query') ?? null, byRole.get('value') ?? null];
    for (const r of ['key', 'attentionmask', 'querymask', 'valuemask', 'keymask']) {
      const t = byRole.get(r);
      if (t !== undefined) kwargs[KERAS_NAME[r]] = t;
    }
  } else {
    args = [['query', 'value', 'key'].filter((r) => byRole.has(r)).map((r) => byRole.get(r) as Json)];
    const masks = ['querymask', 'valuemask'].map((r) => byRole.get(r) ?? null);
    if (masks.some((m) => m !== null)) kwargs.mask = masks;
  }
  if (config.use_causal_mask === true) kwargs.use_causal_mask = true;
  if (config.return_attention_scores === true) kwargs.return_attention_scores = true;
  return { args, kwargs };
}

/** Keras 3's build_config of MultiHeadAttention / GroupedQueryAttention: the shapes by role. */
export function shapesDict(config: JsonObject, shapes: Json): JsonObject {
  const list = Array.isArray(shapes) && Array.isArray(shapes[0]) ? (shapes as Json[]) : [shapes];
  const byRole = tensorsByRole(config, list);
  const dict: JsonObject = {};
  for (const r of ['query', 'value', 'key']) if (byRole.has(r)) dict[`${r}_shape`] = byRole.get(r) as Json;
  return { shapes_dict: dict };
}

/** Keras' build_config of Attention / AdditiveAttention: the shapes of [query, value(, key)]. */
export function denseAttentionInputShape(config: JsonObject, shapes: Json): JsonObject {
  const list = Array.isArray(shapes) && Array.isArray(shapes[0]) ? (shapes as Json[]) : [shapes];
  const byRole = tensorsByRole(config, list);
  return { input_shape: ['query', 'value', 'key'].filter((r) => byRole.has(r)).map((r) => byRole.get(r) as Json) };
}
