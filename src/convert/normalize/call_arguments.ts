/**
 * Layers whose recorded calls pass tensors by keyword or settings tfjs cannot carry: Keras'
 * attention layers (`mha(query, value, key=k, attention_mask=m, use_causal_mask=True)`,
 * `Attention()([q, v], mask=[qm, vm], return_attention_scores=True)`). tfjs gives a layer one
 * list of inputs and, when it predicts, none of the call's keyword arguments. So each call
 * becomes a tfjs node reading every distinct tensor argument once, with the roles the layer
 * config records (`call_inputs`: 'query+value' for mha(x, x)), and the call's settings become config keys
 * (`use_causal_mask`, `return_attention_scores`). Every call of one layer must agree on both.
 */
import { nameTable, ownValue } from '../../name_table.js';
import { isObject } from './values.js';

type Config = Record<string, unknown>;
type Ref = [string, number, number];

interface Signature {
  /** call()'s parameters in order (positional arguments are named by these). */
  params: string[];
  /** Parameters that hold a list of tensors: their entries get these roles. */
  lists?: Record<string, string[]>;
  /** Parameters that are settings, copied into the layer config. */
  settings: string[];
  /** Parameters that are dropped (training: tfjs passes its own). */
  ignored: string[];
}

const MHA: Signature = {
  params: ['query', 'value', 'key', 'query_mask', 'value_mask', 'key_mask', 'attention_mask', 'return_attention_scores', 'training', 'use_causal_mask'],
  settings: ['return_attention_scores', 'use_causal_mask'],
  ignored: ['training'],
};
const DENSE_ATTENTION: Signature = {
  params: ['inputs', 'mask', 'training', 'return_attention_scores', 'use_causal_mask'],
  lists: { inputs: ['query', 'value', 'key'], mask: ['query_mask', 'value_mask', 'key_mask'] },
  settings: ['return_attention_scores', 'use_causal_mask'],
  ignored: ['training'],
};

const SIGNATURES: Readonly<Record<string, Signature>> = nameTable({
  MultiHeadAttention: MHA,
  GroupedQueryAttention: MHA,
  Attention: DENSE_ATTENTION,
  AdditiveAttention: DENSE_ATTENTION,
});

export function hasCallSignature(className: string): boolean {
  return ownValue(SIGNATURES, className) !== undefined;
}

export interface CallNodes {
  /** Per call: the tensors it reads, in role order. */
  calls: Ref[][];
  roles: string[];
  settings: Config;
}

/** Reads a Keras 3 `__keras_tensor__` or a tf.keras `[layer, node, tensor]` reference. */
function refOf(v: unknown, layerNames: Set<string>): Ref | null {
  if (isObject(v) && v.class_name === '__keras_tensor__' && isObject(v.config)) {
    const h = v.config.keras_history;
    if (Array.isArray(h) && typeof h[0] === 'string' && typeof h[1] === 'number' && typeof h[2] === 'number') return [h[0], h[1], h[2]];
    return null;
  }
  if (Array.isArray(v) && (v.length === 3 || v.length === 4) && typeof v[0] === 'string' && layerNames.has(v[0]) && typeof v[1] === 'number' && typeof v[2] === 'number') {
    return [v[0], v[1], v[2]];
  }
  return null;
}

/** One call as named arguments, from Keras 3's {args, kwargs} or tf.keras' list form. */
function namedArguments(node: unknown, sig: Signature): Config | null {
  if (isObject(node)) {
    const named: Config = {};
    (Array.isArray(node.args) ? node.args : []).forEach((a, i) => (named[sig.params[i]] = a));
    Object.assign(named, isObject(node.kwargs) ? node.kwargs : {});
    return named;
  }
  if (!Array.isArray(node)) return null;
  // tf.keras: the first argument (one reference, or a list of them), each carrying the call's kwargs.
  const single = typeof node[0] === 'string';
  const inputs = (single ? [node] : node) as unknown[][];
  // A first argument that is one tensor is still written as a list of one input.
  const oneTensor = !sig.lists?.[sig.params[0]] && inputs.length === 1;
  const first = single || oneTensor ? inputs[0].slice(0, 3) : inputs.map((i) => i.slice(0, 3));
  const kwargs = inputs.length > 0 && isObject(inputs[0][3]) ? (inputs[0][3] as Config) : {};
  return { ...kwargs, [sig.params[0]]: first };
}

/**
 * The tfjs calls, roles and settings of a layer with a special call signature, or a problem
 * (a message clause) when its calls cannot be expressed.
 */
export function callNodes(className: string, layer: string, nodes: unknown[], layerNames: Set<string>): CallNodes | { problem: string } {
  const sig = ownValue(SIGNATURES, className);
  if (!sig) return { problem: `layer '${layer}' has class '${className}', which has no call signature` };
  let roles: string[] | null = null;
  let settings: Config | null = null;
  const calls: Ref[][] = [];
  for (const node of nodes) {
    const named = namedArguments(node, sig);
    if (!named) return { problem: `layer '${layer}' has a malformed call ${JSON.stringify(node).slice(0, 80)}` };
    const refs: Ref[] = [];
    const callRoles: string[] = [];
    const callSettings: Config = {};
    // Keras reads a call's tensors as tree.flatten(args, kwargs): positional arguments in order,
    // then keyword arguments sorted by name; the tfjs node keeps that order.
    const positional = Array.isArray((node as Config)?.args) ? sig.params.slice(0, ((node as Config).args as unknown[]).length) : [sig.params[0]];
    const keywords = Object.keys(named).filter((k) => !positional.includes(k)).sort();
    for (const param of [...positional, ...keywords]) {
      if (!(param in named) || !sig.params.includes(param)) continue;
      const value = named[param];
      if (sig.settings.includes(param)) {
        if (value !== null && value !== false) callSettings[param] = value;
        continue;
      }
      if (sig.ignored.includes(param) || value === null || value === undefined) continue;
      const listRoles = sig.lists?.[param];
      const entries = listRoles && Array.isArray(value) ? value : [value];
      for (const [i, entry] of entries.entries()) {
        if (entry === null) continue;
        const ref = refOf(entry, layerNames);
        if (!ref) return { problem: `layer '${layer}' is called with a ${param} that is not a tensor of the model` };
        const role = listRoles ? listRoles[i] : param;
        // A tensor in two roles (self-attention: mha(x, x)) is one input with both roles: tfjs'
        // executor would release a tensor a layer reads twice before its other readers ran.
        const seen = refs.findIndex((r) => r[0] === ref[0] && r[1] === ref[1] && r[2] === ref[2]);
        if (seen >= 0) {
          callRoles[seen] += `+${role}`;
          continue;
        }
        refs.push(ref);
        callRoles.push(role);
      }
    }
    const unknown = Object.keys(named).filter((k) => !sig.params.includes(k) && k !== 'mask');
    if (unknown.length > 0) return { problem: `layer '${layer}' is called with ${unknown.join(', ')}, which keras2tfjs does not implement` };
    if (roles && JSON.stringify(roles) !== JSON.stringify(callRoles)) {
      return { problem: `layer '${layer}' is called several times with different arguments (${roles.join(', ')} / ${callRoles.join(', ')}), which one tfjs layer config cannot express` };
    }
    if (settings && JSON.stringify(settings) !== JSON.stringify(callSettings)) {
      return { problem: `layer '${layer}' is called several times with different settings, which one tfjs layer config cannot express` };
    }
    roles = callRoles;
    settings = callSettings;
    calls.push(refs);
  }
  return { calls, roles: roles ?? [], settings: settings ?? {} };
}
