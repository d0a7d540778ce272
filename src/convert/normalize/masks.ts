/**
 * Keras masks in a converted model. Keras decides when it builds a functional model which
 * tensors carry a mask (Embedding(mask_zero=True) and Masking make one; layers that support
 * masking hand it on; every other layer drops it); tfjs computes masks as it runs and has two
 * flaws this room works around:
 *
 *   - its merge layers keep only their first input's mask (with a leading axis added per merge),
 *     so masked models get keras2tfjs' merges that follow the writing Keras' rule
 *     (`Add` → `MaskedAdd`, mask_rule 'or' for Keras 3, 'and' for tf.keras;
 *     src/layers/compat/merge/masked_merge.ts);
 *   - when it predicts, a layer is handed the mask of the last layer that had one, whether or
 *     not its own input has a mask; keras2tfjs' attention layers therefore take the mask only
 *     for the inputs Keras masks (`masked_inputs`, computed here from Keras' own rules).
 *
 * Part of normalize/model_config.
 */
import { decodeStrings } from '../../layers/compat/ops/template.js';

type Config = Record<string, unknown>;
type Layer = { class_name: string; config: Config; name?: string; inbound_nodes?: unknown[] };

const MERGES = new Set(['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum']);
const ATTENTION = new Set(['MultiHeadAttention', 'GroupedQueryAttention', 'Attention', 'AdditiveAttention']);
/** Layers whose output has their input's mask (Keras' supports_masking, both Kerases). */
const PASS_MASK = new Set([
  'Activation', 'ELU', 'KerasELU', 'LeakyReLU', 'PReLU', 'ReLU', 'KerasReLU', 'Softmax', 'KerasSoftmax', 'ThresholdedReLU', 'Dense', 'Dropout',
  'ManualDropout',
  'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D', 'AlphaDropout', 'GaussianDropout', 'GaussianNoise', 'BatchNormalization',
  'GroupNormalization', 'LayerNormalization', 'UnitNormalization', 'Normalization', 'Rescaling', 'ActivityRegularization', 'TimeDistributed',
  'Masking',
]);
const RECURRENT = new Set(['LSTM', 'GRU', 'SimpleRNN', 'RNN', 'ResetAfterGRU', 'ConvLSTM2D', 'Bidirectional']);

function layersOf(model: Layer): Layer[] {
  const layers = model.config.layers;
  return Array.isArray(layers) ? (layers as Layer[]) : [];
}

function hasMaskProducer(model: Layer): boolean {
  return layersOf(model).some((l) =>
    l.class_name === 'Masking' || (l.class_name === 'Embedding' && l.config.mask_zero === true) || hasMaskProducer(l));
}

/** Whether the output of `layer`, called on inputs with masks `inputs`, carries a mask. */
function outputMasked(layer: Layer, inputs: boolean[], kerasMajor: number): boolean {
  const cls = layer.class_name.replace(/^Masked/, '');
  const c = layer.config;
  const first = inputs[0] ?? false;
  if (cls === 'Embedding' || cls === 'ReversibleEmbedding') return c.mask_zero === true;
  if (cls === 'InferenceIdentity') {
    const kerasClass = decodeStrings(c.keras_class);
    return first && (kerasClass === 'Identity' || kerasClass === 'ActivityRegularization');
  }
  if (cls === 'Masking') return true;
  if (PASS_MASK.has(cls)) return first;
  if (RECURRENT.has(cls)) {
    const inner = cls === 'Bidirectional' ? ((c.layer as Layer | undefined)?.config ?? {}) : c;
    return first && inner.return_sequences === true;
  }
  if (ATTENTION.has(cls)) return first;
  if (MERGES.has(cls)) return kerasMajor >= 3 ? inputs.every(Boolean) : inputs.some(Boolean);
  if (cls === 'Concatenate') return inputs.some(Boolean);
  return false;
}

export interface Renamed {
  config: Config;
  className: string;
}

function rewriteMerges(model: Layer, rule: 'or' | 'and', renamed: Renamed[]): void {
  for (const l of layersOf(model)) {
    if (MERGES.has(l.class_name)) {
      l.class_name = `Masked${l.class_name}`;
      l.config.mask_rule = rule;
      renamed.push({ config: l.config, className: l.class_name });
    }
    rewriteMerges(l, rule, renamed);
  }
}

/**
 * Follows Keras' masks through a functional model (tfjs nodes: [[layer, node, tensor, {}], ...])
 * and tells each attention layer which of its inputs are masked.
 */
function markAttentionMasks(model: Layer, kerasMajor: number, problems: string[], renamed: Renamed[]): void {
  if (model.class_name !== 'Functional') return;
  const masked = new Map<string, boolean[]>(); // layer name → per node: output masked
  const done = new Set<string>();
  const layers = layersOf(model);
  for (let progress = true; progress; ) {
    progress = false;
    for (const l of layers) {
      const name = String(l.name ?? l.config.name);
      if (done.has(name)) continue;
      const nodes = (l.inbound_nodes ?? []) as unknown[][];
      const refsReady = nodes.every((node) => node.every((ref) => Array.isArray(ref) && masked.has(String(ref[0]))));
      if (!refsReady) continue;
      const perNode = nodes.map((node) => {
        const inputs = node.map((ref) => (masked.get(String((ref as unknown[])[0])) ?? [])[Number((ref as unknown[])[1])] ?? false);
        if (ATTENTION.has(l.class_name)) {
          const roles = Array.isArray(l.config.call_inputs) ? (l.config.call_inputs as string[]) : ['query', 'value', 'key'];
          l.config.masked_inputs = roles.filter((_, i) => inputs[i]).flatMap((r) => r.split('+'));
          if (inputs.slice(1).some(Boolean)) {
            problems.push(`layer '${name}' attends to a masked ${roles[inputs.slice(1).findIndex(Boolean) + 1]} that is not its query; tfjs hands a layer the mask of its first input only, so the mask would be lost`);
          }
        }
        if ((l.class_name === 'Softmax' || l.class_name === 'KerasSoftmax') && inputs[0]) {
          // A masked Softmax: tfjs' ignores masks, keras2tfjs' applies them as Keras does.
          if (l.class_name === 'Softmax') renamed.push({ config: l.config, className: 'KerasSoftmax' });
          l.class_name = 'KerasSoftmax';
          l.config.masked = true;
          l.config.masking = kerasMajor <= 2 ? 'additive' : 'keras3';
        }
        return outputMasked(l, inputs, kerasMajor);
      });
      // An InputLayer or nested model: its own node 0 has no mask.
      masked.set(name, nodes.length === 0 || l.class_name === 'Functional' || l.class_name === 'Sequential' ? [false, ...perNode] : perNode);
      done.add(name);
      progress = true;
    }
  }
}

/**
 * Applies Keras' mask rules to a normalized model in place. Returns the layers whose class it changed
 * and what tfjs cannot reproduce (message clauses).
 */
export function useKerasMaskRules(model: Layer, kerasMajor: number): { renamed: Renamed[]; problems: string[] } {
  const renamed: Renamed[] = [];
  const problems: string[] = [];
  if (!hasMaskProducer(model)) return { renamed, problems };
  rewriteMerges(model, kerasMajor >= 3 ? 'or' : 'and', renamed);
  const visit = (m: Layer): void => {
    markAttentionMasks(m, kerasMajor, problems, renamed);
    layersOf(m).forEach(visit);
  };
  visit(model);
  return { renamed, problems };
}
