/**
 * Keras' Flatten accepts a (batch, features) input and returns it unchanged; tfjs' Flatten
 * insists on rank ≥ 3 ("expected min_ndim=3, found ndim=2"). Where the input is known to be
 * rank 2, Flatten becomes a tfjs layer that computes the same identity: Activation('linear')
 * (tfjs' Reshape cannot take [-1] when the batch size is unknown).
 *
 * Ranks are propagated through the normalized topology for the layer classes whose output rank
 * follows from their config; anything else is "unknown" and its Flatten consumers are kept.
 * Part of normalize/model_config.
 */
type Config = Record<string, unknown>;
type Model = { class_name: string; config: Config };
type Layer = { class_name: string; config: Config; name?: string; inbound_nodes?: unknown[] };

/** Layers whose output has their (first) input's rank. */
const SAME_RANK = new Set([
  'Dense', 'Activation', 'Dropout', 'ManualDropout', 'SpatialDropout1D', 'AlphaDropout', 'GaussianDropout', 'GaussianNoise',
  'BatchNormalization', 'LayerNormalization', 'Normalization', 'ReLU', 'LeakyReLU', 'ELU', 'PReLU', 'Softmax', 'ThresholdedReLU',
  'Conv1D', 'CausalConv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'Conv3DTranspose', 'SeparableConv2D', 'DepthwiseConv2D',
  'KerasConv3DTranspose', 'GroupedConv2D', 'LayerScale', 'Conv1DTranspose', 'DepthwiseConv1D', 'SeparableConv1D', 'KerasELU', 'KerasReLU', 'KerasSoftmax', 'InferenceIdentity',
  'MaskedAdd', 'MaskedSubtract', 'MaskedMultiply', 'MaskedAverage', 'MaskedMaximum', 'MaskedMinimum',
  'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D',
  'ZeroPadding2D', 'Cropping2D', 'UpSampling2D', 'BilinearUpSampling2D', 'Permute', 'Masking', 'Rescaling',
  'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'TimeDistributed',
]);

function outputRank(layer: Layer, inputRanks: Array<number | null>): number | null {
  const c = layer.config;
  const first = inputRanks[0] ?? null;
  switch (layer.class_name) {
    case 'InputLayer':
      return Array.isArray(c.batch_input_shape) ? c.batch_input_shape.length : null;
    case 'Flatten': case 'GlobalAveragePooling1D': case 'GlobalAveragePooling2D': case 'GlobalMaxPooling1D': case 'GlobalMaxPooling2D':
      return 2;
    case 'RepeatVector':
      return 3;
    case 'Reshape':
      return Array.isArray(c.target_shape) ? c.target_shape.length + 1 : null;
    case 'Embedding':
      return first === null ? null : first + 1;
    case 'LSTM': case 'GRU': case 'SimpleRNN': case 'RNN': case 'ResetAfterGRU':
      return c.return_state ? null : c.return_sequences ? 3 : 2;
    case 'Bidirectional': {
      const inner = (c.layer as Layer | undefined)?.config;
      return inner && !inner.return_state ? (inner.return_sequences ? 3 : 2) : null;
    }
    default:
      return SAME_RANK.has(layer.class_name) ? first : null;
  }
}

/** The rank a layer's config declares for its input (first layer of a Sequential). */
function declaredInputRank(c: Config): number | null {
  if (Array.isArray(c.batch_input_shape)) return c.batch_input_shape.length;
  if (Array.isArray(c.input_shape)) return c.input_shape.length + 1;
  return null;
}

/** Config objects rewritten by the current fixVectorFlatten call (the caller updates its notes). */
let rewritten: Config[] = [];

function vectorFlattenToIdentity(layer: Layer, inputRank: number | null): void {
  if (layer.class_name !== 'Flatten' || inputRank !== 2) return;
  const c = layer.config;
  const keep: Config = { name: c.name, trainable: c.trainable ?? true, activation: 'linear' };
  if (c.dtype !== undefined) keep.dtype = c.dtype;
  if (c.batch_input_shape !== undefined) keep.batch_input_shape = c.batch_input_shape;
  // In place, so every holder of this config object sees the change.
  for (const k of Object.keys(c)) delete c[k];
  Object.assign(c, keep);
  layer.class_name = 'Activation';
  rewritten.push(c);
}

/**
 * Rewrites, in place, every Flatten of a rank-2 input in the model (nested models included).
 * Returns the rewritten layers' config objects.
 */
export function fixVectorFlatten(model: Model): Config[] {
  rewritten = [];
  walk(model);
  return rewritten;
}

function walk(model: Model): void {
  const layers = model.config.layers as Layer[];
  for (const l of layers) if (Array.isArray((l.config as Config).layers)) walk(l as Model);
  if (model.class_name === 'Sequential') {
    let rank: number | null = layers.length ? declaredInputRank(layers[0].config) : null;
    for (const l of layers) {
      if (l.class_name === 'InputLayer') {
        rank = outputRank(l, []);
        continue;
      }
      vectorFlattenToIdentity(l, rank);
      rank = outputRank(l, [rank]);
    }
    return;
  }
  const ranks = new Map<string, number | null>();
  for (const l of layers) {
    const name = String(l.name);
    const calls = (l.inbound_nodes ?? []) as unknown[][];
    const inputRanks = (calls[0] ?? []).map((input) => (Array.isArray(input) ? ranks.get(String(input[0])) ?? null : null));
    // A shared layer called on inputs of different ranks keeps its Flatten.
    const consistent = calls.every((call) => ranksOf(call, ranks)[0] === inputRanks[0]);
    if (consistent) vectorFlattenToIdentity(l, inputRanks[0] ?? null);
    ranks.set(name, consistent ? outputRank(l, inputRanks) : null);
  }
}

function ranksOf(call: unknown[], ranks: Map<string, number | null>): Array<number | null> {
  return call.map((input) => (Array.isArray(input) ? ranks.get(String(input[0])) ?? null : null));
}
