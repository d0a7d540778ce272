/**
 * MultiHeadAttention: Keras' multi-head attention (keras/src/layers/attention/
 * multi_head_attention.py; the same algorithm in tf.keras), which tfjs lacks: every text and
 * vision Transformer. Query, key and value go through their EinsumDense projections to
 * [batch, positions, heads, key_dim]; attention (attention_core.ts) over `attention_axes`;
 * the optional gate (sigmoid projection of the query, Keras 3's `use_gate`); the output
 * projection back to the query's size (or `output_shape`).
 *
 * Weights, in Keras' order and shapes: query/kernel [d, heads, key_dim], query/bias
 * [heads, key_dim], key/…, gate/… (use_gate), value/… [d, heads, value_dim],
 * attention_output/kernel [heads, value_dim, out…], attention_output/bias [out…].
 *
 * Keras masks: the query's mask (tfjs' mask of the first input) and the value's and key's
 * (call_inputs.ts) are and-ed with the causal mask, the sliding window and an explicit
 * attention_mask input; the output keeps the query's mask. How masked scores are treated
 * follows the Keras that wrote the model (`masking`: 'keras3', or tf.keras' 'additive' /
 * 'robust').
 */
import { add, mul, serialization, sigmoid, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { invalidArgument } from '../../../errors.js';
import { einsum } from '../ops/einsum.js';
import { initializerFrom, serializeInitializer, type Initializer, type InitializerIdentifier } from '../serialized.js';
import { attend, attentionMask, type AttentionSettings } from './attention_core.js';
import { byRole, inputMasks, shapeList } from './call_inputs.js';
import { attentionEquations, projectionEquation } from './equations.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;
type Kwargs = Record<string, unknown>;

export interface MultiHeadAttentionArgs extends LayerArgs {
  numHeads: number;
  keyDim: number;
  /** Defaults to keyDim. */
  valueDim?: number | null;
  /** Dropout rate on the attention scores in training. */
  dropout?: number;
  useBias?: boolean;
  /** Keras 3: gate the attention output with a sigmoid projection of the query. */
  useGate?: boolean;
  /** The output's last axes (default: the query's last size). */
  outputShape?: number | number[] | null;
  /** Axes of the query and key attention runs over (default: all but batch, heads, channels). */
  attentionAxes?: number | number[] | null;
  /** Keras 3: attend only to keys within this distance. */
  slidingWindow?: number | null;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  seed?: number | null;
  /** The roles of the call's inputs, in order (default query, value, key). */
  callInputs?: string[] | null;
  /** The recorded call's use_causal_mask. */
  useCausalMask?: boolean;
  /** The roles of the inputs Keras masks (set by the converter; unset: every mask tfjs hands in). */
  maskedInputs?: string[] | null;
  /** The recorded call's return_attention_scores: a second output. */
  returnAttentionScores?: boolean;
  /** How masked scores are treated: Keras 3's 'keras3' (default), tf.keras' 'additive' or 'robust'. */
  masking?: 'keras3' | 'additive' | 'robust';
}

interface Projection {
  kernel: LayerVariable;
  bias: LayerVariable | null;
  equation: string;
}

export class MultiHeadAttention extends layers.Layer {
  static className = 'MultiHeadAttention';
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropoutRate: number;
  readonly useBias: boolean;
  readonly useGate: boolean;
  readonly outputShapeSetting: number[] | null;
  readonly attentionAxesSetting: number[] | null;
  readonly slidingWindow: number | null;
  readonly seed: number | null;
  readonly callInputs: string[] | null;
  readonly maskedInputs: string[] | null;
  readonly useCausalMask: boolean;
  readonly returnAttentionScores: boolean;
  readonly masking: 'keras3' | 'additive' | 'robust';
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  private projections: Record<string, Projection> = {};
  private settings: AttentionSettings | null = null;

  constructor(args: MultiHeadAttentionArgs) {
    super(args);
    if (!Number.isInteger(args.numHeads) || args.numHeads <= 0) throw invalidArgument('numHeads', 'a positive integer', args.numHeads);
    if (!Number.isInteger(args.keyDim) || args.keyDim <= 0) throw invalidArgument('keyDim', 'a positive integer', args.keyDim);
    this.numHeads = args.numHeads;
    this.keyDim = args.keyDim;
    this.valueDim = args.valueDim ?? args.keyDim;
    this.dropoutRate = args.dropout ?? 0;
    this.useBias = args.useBias ?? true;
    this.useGate = args.useGate ?? false;
    this.outputShapeSetting = args.outputShape == null ? null : Array.isArray(args.outputShape) ? [...args.outputShape] : [args.outputShape];
    this.attentionAxesSetting = args.attentionAxes == null ? null : Array.isArray(args.attentionAxes) ? [...args.attentionAxes] : [args.attentionAxes];
    this.slidingWindow = args.slidingWindow ?? null;
    this.seed = args.seed ?? null;
    this.callInputs = args.callInputs ?? null;
    this.maskedInputs = args.maskedInputs ?? null;
    this.useCausalMask = args.useCausalMask ?? false;
    this.returnAttentionScores = args.returnAttentionScores ?? false;
    this.masking = args.masking ?? 'keras3';
    this.kernelInitializer = initializerFrom(args.kernelInitializer, 'glorotUniform');
    this.biasInitializer = initializerFrom(args.biasInitializer, 'zeros');
    this.supportsMasking = true;
  }

  private shapesOf(inputShape: Shape | Shape[]): { query: Shape; value: Shape; key: Shape } {
    const roles = byRole(shapeList(inputShape), this.callInputs);
    const query = roles.get('query');
    const value = roles.get('value');
    if (!query || !value) throw invalidArgument('inputs', 'a query and a value', this.callInputs);
    return { query, value, key: roles.get('key') ?? value };
  }

  private outputLastAxes(query: Shape): number[] {
    return this.outputShapeSetting ?? [query[query.length - 1] as number];
  }

  private projection(name: string, inputRank: number, bound: number, outputs: number[], inputLast: number[]): void {
    const eq = projectionEquation(inputRank - bound, bound, outputs.length);
    const kernel = this.addWeight(`${name}/kernel`, [...inputLast, ...outputs], 'float32', this.kernelInitializer);
    const bias = this.useBias ? this.addWeight(`${name}/bias`, outputs, 'float32', this.biasInitializer) : null;
    this.projections[name] = { kernel, bias, equation: eq.equation };
  }

  override build(inputShape: Shape | Shape[]): void {
    const { query, value, key } = this.shapesOf(inputShape);
    const last = (s: Shape): number => s[s.length - 1] as number;
    // Keras' creation order: query, key, gate, value, attention_output.
    this.projection('query', query.length, 1, [this.numHeads, this.keyDim], [last(query)]);
    this.projection('key', key.length, 1, [this.numHeads, this.keyDim], [last(key)]);
    if (this.useGate) this.projection('gate', query.length, 1, [this.numHeads, this.valueDim], [last(query)]);
    this.projection('value', value.length, 1, [this.numHeads, this.valueDim], [last(value)]);
    this.projection('attention_output', query.length + 1, 2, this.outputLastAxes(query), [this.numHeads, this.valueDim]);
    const rank = query.length + 1;
    const axes = (this.attentionAxesSetting ?? Array.from({ length: rank - 3 }, (_, i) => i + 1)).map((a) => (a >= 0 ? a : rank - 1 + a));
    const eq = attentionEquations(rank, axes);
    this.settings = {
      masking: this.masking,
      dropout: this.dropoutRate,
      scale: 1 / Math.sqrt(this.keyDim),
      dotProduct: eq.dotProduct,
      combine: eq.combine,
      normAxes: Array.from({ length: axes.length }, (_, i) => eq.scoresRank - axes.length + i),
      attentionAxisCount: axes.length,
    };
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const { query, key } = this.shapesOf(inputShape);
    const output = [...query.slice(0, -1), ...this.outputLastAxes(query)];
    if (!this.returnAttentionScores) return output;
    const rank = query.length + 1;
    const axes = (this.attentionAxesSetting ?? Array.from({ length: rank - 3 }, (_, i) => i + 1)).map((a) => (a >= 0 ? a : rank - 1 + a));
    const batch = query.slice(0, -1).filter((_, i) => !axes.includes(i));
    const scores = [...batch, this.numHeads, ...axes.map((a) => query[a]), ...axes.map((a) => key[a])];
    return [output, scores];
  }

  override computeMask(inputs: Tensor | Tensor[], mask?: Tensor | Tensor[]): Tensor | Tensor[] {
    const first = (Array.isArray(mask) ? mask[0] : mask) ?? null;
    return (this.returnAttentionScores ? [first, null] : first) as unknown as Tensor;
  }

  private project(name: string, x: Tensor): Tensor {
    const p = this.projections[name];
    const y = einsum(p.equation, [x, p.kernel.read()]);
    return p.bias ? add(y, p.bias.read()) : y;
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    return tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const roles = byRole(list, this.callInputs);
      const query = roles.get('query') as Tensor;
      const value = roles.get('value') as Tensor;
      const key = roles.get('key') ?? value;
      const masks = inputMasks(list, roles, kwargs['mask'], this.maskedInputs);
      const explicit = roles.get('attentionmask') ?? null;
      const queryMask = masks.get('query') ?? null;
      const valueMask = masks.get('value') ?? null;
      const keyMask = roles.has('key') ? (masks.get('key') ?? null) : null;
      const causalOnly = this.masking === 'keras3' && this.useCausalMask && !queryMask && !valueMask && !keyMask && !explicit && this.slidingWindow === null;
      const mask = causalOnly ? null : attentionMask({
        queryLength: query.shape[1] as number,
        valueLength: value.shape[1] as number,
        queryMask, valueMask, keyMask,
        attentionMask: explicit,
        causal: this.useCausalMask,
        slidingWindow: this.slidingWindow,
      });
      const gate = this.useGate ? sigmoid(this.project('gate', query)) : null;
      const q = this.project('query', query);
      const k = this.project('key', key);
      const v = this.project('value', value);
      const training = kwargs['training'] === true;
      const { output, scores } = attend(q, k, v, mask, causalOnly, training, this.returnAttentionScores, this.settings as AttentionSettings);
      const out = this.project('attention_output', gate ? mul(output, gate) : output);
      return this.returnAttentionScores ? [out, scores as Tensor] : out;
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      dropout: this.dropoutRate,
      useBias: this.useBias,
      useGate: this.useGate,
      outputShape: this.outputShapeSetting,
      attentionAxes: this.attentionAxesSetting,
      slidingWindow: this.slidingWindow,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      seed: this.seed,
      callInputs: this.callInputs,
      maskedInputs: this.maskedInputs,
      useCausalMask: this.useCausalMask,
      returnAttentionScores: this.returnAttentionScores,
      masking: this.masking,
    };
  }
}
serialization.registerClass(MultiHeadAttention);
