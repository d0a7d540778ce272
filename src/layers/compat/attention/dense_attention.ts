/**
 * Attention (Luong-style dot product) and AdditiveAttention (Bahdanau-style), Keras' dense
 * attention layers (keras/src/layers/attention/attention.py, additive_attention.py), which tfjs
 * lacks. Called on [query, value] or [query, value, key]:
 *
 *   Attention          scores = q·kᵀ (× scale when use_scale), or with score_mode 'concat'
 *                      concat_score_weight · Σ tanh(scale·(q + k))
 *   AdditiveAttention  scores = Σ scale · tanh(q + k)   (scale: a weight per unit, use_scale)
 *
 * then scores − 1e9 where the value is masked (and above the diagonal with use_causal_mask),
 * softmax over the keys, · value, and rows of a masked query set to 0. Weights: Attention's
 * `scale` [] (use_scale) and `concat_score_weight` [] (concat); AdditiveAttention's `scale` [dim].
 */
import {
  add, cast, expandDims, logicalAnd, logicalNot, matMul, mul, softmax, sub, sum, tanh, tidy, where, zerosLike, dropout, serialization,
  type Tensor,
} from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { causalMask } from './attention_core.js';
import { byRole, inputMasks, shapeList } from './call_inputs.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;
type Kwargs = Record<string, unknown>;

export interface DenseAttentionArgs extends LayerArgs {
  useScale?: boolean;
  /** Attention only: 'dot' (default) or 'concat'. */
  scoreMode?: 'dot' | 'concat';
  dropout?: number;
  seed?: number | null;
  /** The roles of the call's inputs, in order (default query, value, key). */
  callInputs?: string[] | null;
  useCausalMask?: boolean;
  /** The roles of the inputs Keras masks (set by the converter; unset: every mask tfjs hands in). */
  maskedInputs?: string[] | null;
  returnAttentionScores?: boolean;
}

abstract class DenseAttention extends layers.Layer {
  readonly useScale: boolean;
  readonly dropoutRate: number;
  readonly seed: number | null;
  readonly callInputs: string[] | null;
  readonly maskedInputs: string[] | null;
  readonly useCausalMask: boolean;
  readonly returnAttentionScores: boolean;

  constructor(args: DenseAttentionArgs, useScaleDefault: boolean) {
    super(args);
    this.useScale = args.useScale ?? useScaleDefault;
    this.dropoutRate = args.dropout ?? 0;
    this.seed = args.seed ?? null;
    this.callInputs = args.callInputs ?? null;
    this.maskedInputs = args.maskedInputs ?? null;
    this.useCausalMask = args.useCausalMask ?? false;
    this.returnAttentionScores = args.returnAttentionScores ?? false;
    this.supportsMasking = true;
  }

  protected abstract scores(query: Tensor, key: Tensor): Tensor;

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const roles = byRole(shapeList(inputShape), this.callInputs);
    const query = roles.get('query') as Shape;
    const value = roles.get('value') as Shape;
    const key = roles.get('key') ?? value;
    const output = [...query.slice(0, -1), value[value.length - 1]];
    return this.returnAttentionScores ? [output, [...query.slice(0, -1), key[key.length - 2]]] : output;
  }

  override computeMask(inputs: Tensor | Tensor[], mask?: Tensor | Tensor[]): Tensor | Tensor[] {
    const first = (Array.isArray(mask) ? mask[0] : mask) ?? null;
    return (this.returnAttentionScores ? [first, null] : first) as unknown as Tensor;
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    return tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const roles = byRole(list, this.callInputs);
      const q = roles.get('query') as Tensor;
      const v = roles.get('value') as Tensor;
      const k = roles.get('key') ?? v;
      const masks = inputMasks(list, roles, kwargs['mask'], this.maskedInputs);
      // Explicit mask inputs (the call's `mask=[query_mask, value_mask]`) win over Keras masks.
      const qMask = roles.get('querymask') ?? masks.get('query') ?? null;
      const vMask = roles.get('valuemask') ?? masks.get('value') ?? null;
      let scores = this.scores(q, k);
      let scoresMask: Tensor | null = vMask ? expandDims(vMask.dtype === 'bool' ? vMask : cast(vMask, 'bool'), -2) : null;
      if (this.useCausalMask) {
        const causal = causalMask(scores.shape[scores.rank - 2] as number, scores.shape[scores.rank - 1] as number);
        scoresMask = scoresMask ? logicalAnd(scoresMask, causal) : causal;
      }
      if (scoresMask) scores = where(logicalNot(scoresMask), sub(scores, 1e9), scores);
      let weights = softmax(scores, -1);
      if (kwargs['training'] === true && this.dropoutRate > 0) weights = dropout(weights, this.dropoutRate);
      let output = matMul(weights, v);
      if (qMask) output = where(expandDims(qMask.dtype === 'bool' ? qMask : cast(qMask, 'bool'), -1), output, zerosLike(output));
      return this.returnAttentionScores ? [output, weights] : output;
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      useScale: this.useScale,
      dropout: this.dropoutRate,
      seed: this.seed,
      callInputs: this.callInputs,
      maskedInputs: this.maskedInputs,
      useCausalMask: this.useCausalMask,
      returnAttentionScores: this.returnAttentionScores,
    };
  }
}

export class Attention extends DenseAttention {
  static className = 'Attention';
  readonly scoreMode: 'dot' | 'concat';
  private scale: LayerVariable | null = null;
  private concatScoreWeight: LayerVariable | null = null;

  constructor(args: DenseAttentionArgs = {}) {
    super(args, false);
    this.scoreMode = args.scoreMode ?? 'dot';
  }

  override build(): void {
    if (this.useScale) this.scale = this.addWeight('scale', [], 'float32', initializers.ones());
    if (this.scoreMode === 'concat') this.concatScoreWeight = this.addWeight('concat_score_weight', [], 'float32', initializers.ones());
    this.built = true;
  }

  protected scores(q: Tensor, k: Tensor): Tensor {
    if (this.scoreMode === 'dot') {
      const s = matMul(q, k, false, true);
      return this.scale ? mul(s, this.scale.read()) : s;
    }
    const qk = add(expandDims(q, -2), expandDims(k, -3));
    const t = tanh(this.scale ? mul(this.scale.read(), qk) : qk);
    return mul(this.concatScoreWeight?.read() as Tensor, sum(t, -1));
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), scoreMode: this.scoreMode };
  }
}
serialization.registerClass(Attention);

export class AdditiveAttention extends DenseAttention {
  static className = 'AdditiveAttention';
  private scale: LayerVariable | null = null;

  constructor(args: DenseAttentionArgs = {}) {
    super(args, true);
  }

  override build(inputShape: Shape | Shape[]): void {
    const query = byRole(shapeList(inputShape), this.callInputs).get('query') as Shape;
    if (this.useScale) this.scale = this.addWeight('scale', [query[query.length - 1] as number], 'float32', initializers.glorotUniform({}));
    this.built = true;
  }

  protected scores(q: Tensor, k: Tensor): Tensor {
    const t = tanh(add(expandDims(q, -2), expandDims(k, -3)));
    return sum(this.scale ? mul(this.scale.read(), t) : t, -1);
  }
}
serialization.registerClass(AdditiveAttention);
