/**
 * GroupedQueryAttention: Keras 3's grouped-query attention (keras/src/layers/attention/
 * grouped_query_attention.py; class name 'GroupedQueryAttention', exported as
 * keras.layers.GroupQueryAttention), which tfjs lacks. Query heads share key/value heads in
 * groups: keys and values are projected to num_key_value_heads, each repeated num_query_heads /
 * num_key_value_heads times along the heads axis, then attention as in MultiHeadAttention
 * (attention_core.ts).
 *
 * Weights, in Keras' order: query/kernel [d, Hq, head_dim], query/bias [Hq, head_dim],
 * key/… [d, Hkv, head_dim], gate/… (use_gate), value/…, attention_output/kernel
 * [Hq, head_dim, d], attention_output/bias [d].
 */
import { add, gather, mul, serialization, sigmoid, tensor1d, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { invalidArgument } from '../../../errors.js';
import { einsum } from '../ops/einsum.js';
import { initializerFrom, serializeInitializer, type Initializer, type InitializerIdentifier } from '../serialized.js';
import { attend, attentionMask, type AttentionSettings } from './attention_core.js';
import { byRole, inputMasks, shapeList } from './call_inputs.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;
type Kwargs = Record<string, unknown>;

export interface GroupedQueryAttentionArgs extends LayerArgs {
  headDim: number;
  numQueryHeads: number;
  numKeyValueHeads: number;
  dropout?: number;
  useBias?: boolean;
  useGate?: boolean;
  slidingWindow?: number | null;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  seed?: number | null;
  /** The roles of the call's inputs, in order (default query, value, key). */
  callInputs?: string[] | null;
  useCausalMask?: boolean;
  /** The roles of the inputs Keras masks (set by the converter; unset: every mask tfjs hands in). */
  maskedInputs?: string[] | null;
  returnAttentionScores?: boolean;
}

interface Projection {
  kernel: LayerVariable;
  bias: LayerVariable | null;
  equation: string;
}

export class GroupedQueryAttention extends layers.Layer {
  static className = 'GroupedQueryAttention';
  readonly headDim: number;
  readonly numQueryHeads: number;
  readonly numKeyValueHeads: number;
  readonly dropoutRate: number;
  readonly useBias: boolean;
  readonly useGate: boolean;
  readonly slidingWindow: number | null;
  readonly seed: number | null;
  readonly callInputs: string[] | null;
  readonly maskedInputs: string[] | null;
  readonly useCausalMask: boolean;
  readonly returnAttentionScores: boolean;
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  private projections: Record<string, Projection> = {};

  constructor(args: GroupedQueryAttentionArgs) {
    super(args);
    if (args.numQueryHeads % args.numKeyValueHeads !== 0) {
      throw invalidArgument('numQueryHeads', `a multiple of numKeyValueHeads (${args.numKeyValueHeads})`, args.numQueryHeads);
    }
    this.headDim = args.headDim;
    this.numQueryHeads = args.numQueryHeads;
    this.numKeyValueHeads = args.numKeyValueHeads;
    this.dropoutRate = args.dropout ?? 0;
    this.useBias = args.useBias ?? true;
    this.useGate = args.useGate ?? false;
    this.slidingWindow = args.slidingWindow ?? null;
    this.seed = args.seed ?? null;
    this.callInputs = args.callInputs ?? null;
    this.maskedInputs = args.maskedInputs ?? null;
    this.useCausalMask = args.useCausalMask ?? false;
    this.returnAttentionScores = args.returnAttentionScores ?? false;
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

  private projection(name: string, equation: string, kernelShape: number[], biasShape: number[]): void {
    const kernel = this.addWeight(`${name}/kernel`, kernelShape, 'float32', this.kernelInitializer);
    const bias = this.useBias ? this.addWeight(`${name}/bias`, biasShape, 'float32', this.biasInitializer) : null;
    this.projections[name] = { kernel, bias, equation };
  }

  override build(inputShape: Shape | Shape[]): void {
    const { query, value, key } = this.shapesOf(inputShape);
    const last = (s: Shape): number => s[s.length - 1] as number;
    const [hq, hkv, h] = [this.numQueryHeads, this.numKeyValueHeads, this.headDim];
    this.projection('query', 'bqm,muh->bquh', [last(query), hq, h], [hq, h]);
    this.projection('key', 'bkm,mvh->bkvh', [last(key), hkv, h], [hkv, h]);
    if (this.useGate) this.projection('gate', 'bqm,muh->bquh', [last(query), hq, h], [hq, h]);
    this.projection('value', 'bkm,mvh->bkvh', [last(value), hkv, h], [hkv, h]);
    this.projection('attention_output', 'bquh,uhm->bqm', [hq, h, last(query)], [last(query)]);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const { query, key } = this.shapesOf(inputShape);
    if (!this.returnAttentionScores) return [...query];
    return [[...query], [query[0], this.numQueryHeads, query[1], key[1]]];
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

  /** numpy.repeat along the heads axis: head i becomes heads i·r … i·r + r − 1. */
  private repeatHeads(t: Tensor): Tensor {
    const r = this.numQueryHeads / this.numKeyValueHeads;
    if (r === 1) return t;
    const idx = Array.from({ length: this.numQueryHeads }, (_, i) => Math.floor(i / r));
    return gather(t, tensor1d(idx, 'int32'), 2);
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
      const causalOnly = this.useCausalMask && !queryMask && !valueMask && !keyMask && !explicit && this.slidingWindow === null;
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
      const k = this.repeatHeads(this.project('key', key));
      const v = this.repeatHeads(this.project('value', value));
      const settings: AttentionSettings = {
        masking: 'keras3',
        dropout: this.dropoutRate,
        scale: 1 / Math.sqrt(this.headDim),
        // attend() passes (key, query), as MultiHeadAttention's equation reads them.
        dotProduct: 'bkuh,bquh->buqk',
        combine: 'buqk,bkuh->bquh',
        normAxes: [3],
        attentionAxisCount: 1,
      };
      const { output, scores } = attend(q, k, v, mask, causalOnly, kwargs['training'] === true, this.returnAttentionScores, settings);
      const out = this.project('attention_output', gate ? mul(output, gate) : output);
      return this.returnAttentionScores ? [out, scores as Tensor] : out;
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      headDim: this.headDim,
      numQueryHeads: this.numQueryHeads,
      numKeyValueHeads: this.numKeyValueHeads,
      dropout: this.dropoutRate,
      useBias: this.useBias,
      useGate: this.useGate,
      slidingWindow: this.slidingWindow,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      seed: this.seed,
      callInputs: this.callInputs,
      maskedInputs: this.maskedInputs,
      useCausalMask: this.useCausalMask,
      returnAttentionScores: this.returnAttentionScores,
    };
  }
}
serialization.registerClass(GroupedQueryAttention);
