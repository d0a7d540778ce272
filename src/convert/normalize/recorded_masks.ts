/**
 * Keras 3 writes the mask a layer receives into the layer's node, as a `mask` keyword tensor
 * computed by operation nodes of its own:
 *
 *   Masking(mask_value=v) on x      any(not_equal(x, v), axis=-1)   (NotEqual, then Any)
 *   Embedding(mask_zero=True) on x  not_equal(x, 0)                 (NotEqual)
 *
 * (Masking → LSTM saves as input → Masking → LSTM(mask=any(not_equal(input, v)))). tfjs computes
 * these very masks itself and hands them to the next layers, so such a recorded mask says nothing
 * new: the converter drops the keyword and the operation nodes that only computed it. A mask
 * tensor computed any other way is a real call argument and is refused by the caller.
 * Part of normalize/model_config.
 */
import { isObject } from './values.js';

type Config = Record<string, unknown>;

export interface RecordedMasks {
  /** 'layer:node:tensor' of every tensor that is a Masking/Embedding layer's own mask. */
  tensors: Set<string>;
  /** The operation layers that compute those masks (dropped when nothing else reads them). */
  operations: Set<string>;
}

export function tensorKey(layer: string, node: number, tensor: number): string {
  return `${layer}:${node}:${tensor}`;
}

/** The keras_history of a `__keras_tensor__` argument, as a key. */
function historyKey(v: unknown): string | null {
  if (!isObject(v) || v.class_name !== '__keras_tensor__' || !isObject(v.config)) return null;
  const h = v.config.keras_history;
  return Array.isArray(h) && typeof h[0] === 'string' ? tensorKey(h[0], Number(h[1]), Number(h[2])) : null;
}

function firstNode(l: Config): Config | null {
  const nodes = Array.isArray(l.inbound_nodes) ? l.inbound_nodes : [];
  return nodes.length === 1 && isObject(nodes[0]) ? nodes[0] : null;
}

function nodeArgs(l: Config): unknown[] {
  const node = firstNode(l);
  return node && Array.isArray(node.args) ? node.args : [];
}

function isOperation(l: Config, className: string): boolean {
  return l.class_name === className && typeof l.module === 'string' && l.module.startsWith('keras.src.ops');
}

/** Finds, in a Keras 3 functional layer list, the mask tensors Masking and Embedding made. */
export function recordedMasks(rawLayers: Config[], nameOf: (l: Config) => string): RecordedMasks {
  const tensors = new Set<string>();
  const operations = new Set<string>();
  // Sources of masks: the tensor a mask is computed from, and how (the value compared with).
  const sources = new Map<string, { value: number; reduce: boolean }>();
  for (const l of rawLayers) {
    const c = isObject(l.config) ? l.config : {};
    const input = historyKey(nodeArgs(l)[0]);
    if (!input) continue;
    if (l.class_name === 'Masking') sources.set(input, { value: typeof c.mask_value === 'number' ? c.mask_value : 0, reduce: true });
    if ((l.class_name === 'Embedding' || l.class_name === 'ReversibleEmbedding') && c.mask_zero === true) sources.set(input, { value: 0, reduce: false });
  }
  const notEqualOf = new Map<string, { reduce: boolean }>();
  for (const l of rawLayers) {
    if (!isOperation(l, 'NotEqual')) continue;
    const [x, v] = nodeArgs(l);
    const source = sources.get(historyKey(x) ?? '');
    if (!source || v !== source.value) continue;
    const out = tensorKey(nameOf(l), 0, 0);
    notEqualOf.set(out, { reduce: source.reduce });
    if (!source.reduce) tensors.add(out);
    operations.add(nameOf(l));
  }
  for (const l of rawLayers) {
    if (!isOperation(l, 'Any')) continue;
    const c = isObject(l.config) ? l.config : {};
    const from = notEqualOf.get(historyKey(nodeArgs(l)[0]) ?? '');
    if (!from?.reduce || c.axis !== -1 || c.keepdims === true) continue;
    tensors.add(tensorKey(nameOf(l), 0, 0));
    operations.add(nameOf(l));
  }
  return { tensors, operations };
}

/**
 * The layers of a normalized layer list without the mask operations nothing reads any more
 * (nor the model's outputs).
 */
export function withoutUnreadMaskOperations<L extends { name: string; inbound_nodes: unknown[] }>(
  layers: L[], operations: Set<string>, outputs: Array<[string, number, number]>,
): L[] {
  let kept = layers;
  for (;;) {
    const read = new Set(outputs.map((t) => t[0]));
    for (const l of kept) {
      for (const node of l.inbound_nodes) {
        if (Array.isArray(node)) for (const input of node) if (Array.isArray(input) && typeof input[0] === 'string') read.add(input[0]);
      }
    }
    const next = kept.filter((l) => !operations.has(l.name) || read.has(l.name));
    if (next.length === kept.length) return kept;
    kept = next;
  }
}
