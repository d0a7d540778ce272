/**
 * Which of an attention layer's inputs is which. Keras calls these layers with keyword tensors
 * (`mha(query, value, key=k, attention_mask=m)`); tfjs gives a layer its inputs as one list and,
 * when it predicts, no call arguments at all. The converter records the roles of the list's
 * entries in the layer config (`call_inputs`, e.g. ['query', 'value', 'attention_mask']); here
 * the list is read back by role. Role names are compared without '_' and case, since tfjs
 * camel-cases config strings when it loads them.
 */
import { reshape, type Tensor } from '@tensorflow/tfjs-core';

type Shape = Array<number | null>;

export const canonicalRole = (role: string): string => role.replace(/_/g, '').toLowerCase();

/**
 * The entries of `list` by role; `roles` defaults to query, value, key. One entry may hold
 * several roles ('query+value': the converter passes a tensor used twice once).
 */
export function byRole<T>(list: T[], roles: string[] | null): Map<string, T> {
  const names = roles ?? ['query', 'value', 'key'];
  const out = new Map<string, T>();
  names.forEach((r, i) => {
    if (i < list.length) for (const role of r.split('+')) out.set(canonicalRole(role), list[i]);
  });
  return out;
}

/** The input shapes tfjs hands build/computeOutputShape, as a list. */
export function shapeList(inputShape: Shape | Shape[]): Shape[] {
  return (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as Shape[];
}

/**
 * The masks tfjs hands call(): a list (one per input) through a model's apply, only the first
 * input's through predict. A value that is the query itself shares its mask; otherwise a mask
 * tfjs attached to the value tensor (straight after Embedding or Masking) is used. With
 * `maskedInputs` (set by the converter from Keras' own rules), only those roles get a mask.
 */
export function inputMasks(inputs: Tensor[], roles: Map<string, Tensor>, mask: unknown, maskedInputs: string[] | null): Map<string, Tensor | null> {
  const list = Array.isArray(mask) ? (mask as Array<Tensor | null>) : [((mask ?? null) as Tensor | null)];
  const out = new Map<string, Tensor | null>();
  // The converter lists the inputs Keras masks: tfjs' predict may hand a layer a stale mask.
  const masked = maskedInputs ? new Set(maskedInputs.map(canonicalRole)) : null;
  for (const [role, t] of roles) {
    if (masked && !masked.has(role)) {
      out.set(role, null);
      continue;
    }
    // indexOf finds the first entry holding this tensor: a value that is the query gets its mask.
    const i = inputs.indexOf(t);
    const m = i >= 0 && i < list.length ? (list[i] ?? null) : null;
    out.set(role, fitMask(m ?? (t as unknown as { kerasMask?: Tensor }).kerasMask ?? null, t));
  }
  return out;
}

/**
 * A tensor's mask has the tensor's shape without its last axis. tfjs' merge layers (Add,
 * Concatenate, ...) hand on their inputs' masks with a leading axis of size 1 added at each
 * merge ([1, 1, batch, steps] after two residual Adds); the values are right, so the mask is
 * given back its shape.
 */
function fitMask(mask: Tensor | null, t: Tensor): Tensor | null {
  if (!mask) return null;
  const want = t.shape.slice(0, -1);
  if (mask.rank === want.length) return mask;
  return mask.size === want.reduce((a, b) => a * b, 1) ? reshape(mask, want) : mask;
}
