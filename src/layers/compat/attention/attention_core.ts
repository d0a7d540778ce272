/**
 * The attention computation MultiHeadAttention and GroupedQueryAttention share, after the
 * projections, as Keras 3.15 computes it (keras/src/layers/attention/multi_head_attention.py
 * `_compute_attention`, backend/tensorflow/nn.py `dot_product_attention`) and as tf.keras 2.21
 * does (always the explicit path, additive or robust masking):
 *
 *   fused path    (Keras 3; no dropout, no scores returned, query of rank 4): logits =
 *                 (Q·K)·scale, masked with a very large negative, softmax, ·V
 *   explicit path Q·scale, (Q·K) by the dot-product equation, masked softmax over the
 *                 attention axes, dropout in training, ·V by the combine equation
 *
 * and the attention mask of `_compute_attention_mask`: query mask [B,T,1], value and key masks
 * [B,1,S], causal [1,T,S] (row ≥ column), sliding window |row − column| < w, all and-ed with
 * an explicit attention_mask.
 */
import {
  abs, cast, dropout, expandDims, less, lessEqual, logicalAnd, mul, range, reshape, sub, type Tensor,
} from '@tensorflow/tfjs-core';
import { einsum } from '../ops/einsum.js';
import { maskedSoftmax, type MaskConvention } from './masked_softmax.js';

export interface AttentionSettings {
  /** 'keras3' for files Keras 3 wrote, 'additive' / 'robust' for tf.keras (softmax_robust_masking). */
  masking: 'keras3' | 'additive' | 'robust';
  dropout: number;
  scale: number;
  dotProduct: string;
  combine: string;
  /** Axes of the scores the softmax normalizes (the key's attention axes). */
  normAxes: number[];
  /** Number of attention axes (for the mask's expansion axis). */
  attentionAxisCount: number;
}

/** [1, T, S] booleans: key position ≤ query position. */
export function causalMask(t: number, s: number): Tensor {
  const rows = reshape(range(0, t, 1, 'int32'), [1, t, 1]);
  const cols = reshape(range(0, s, 1, 'int32'), [1, 1, s]);
  return lessEqual(cols, rows);
}

/** [1, T, S] booleans: |query position − key position| < window. */
export function slidingWindowMask(t: number, s: number, window: number): Tensor {
  const rows = reshape(range(0, t, 1, 'int32'), [1, t, 1]);
  const cols = reshape(range(0, s, 1, 'int32'), [1, 1, s]);
  return less(abs(sub(rows, cols)), window);
}

const and = (a: Tensor | null, b: Tensor): Tensor => (a === null ? b : logicalAnd(a, b));
const bool = (t: Tensor): Tensor => (t.dtype === 'bool' ? t : cast(t, 'bool'));

/** Keras' _compute_attention_mask, from the (unprojected) query and value lengths. */
export function attentionMask(opts: {
  queryLength: number;
  valueLength: number;
  queryMask: Tensor | null;
  valueMask: Tensor | null;
  keyMask: Tensor | null;
  attentionMask: Tensor | null;
  causal: boolean;
  slidingWindow: number | null;
}): Tensor | null {
  let auto: Tensor | null = null;
  if (opts.queryMask) auto = expandDims(bool(opts.queryMask), -1);
  if (opts.valueMask) auto = and(auto, expandDims(bool(opts.valueMask), -2));
  if (opts.keyMask) auto = and(auto, expandDims(bool(opts.keyMask), -2));
  if (opts.causal) auto = and(auto, causalMask(opts.queryLength, opts.valueLength));
  if (opts.slidingWindow !== null) auto = and(auto, slidingWindowMask(opts.queryLength, opts.valueLength, opts.slidingWindow));
  const explicit = opts.attentionMask ? bool(opts.attentionMask) : null;
  if (auto === null) return explicit;
  return explicit === null ? auto : logicalAnd(explicit, auto);
}

/** The mask broadcast to the scores' rank by inserting axes before the attention axes (Keras' rule). */
function expandMask(mask: Tensor, scoresRank: number, attentionAxisCount: number): Tensor {
  let m = mask;
  const axis = -attentionAxisCount * 2 - 1;
  while (m.rank < scoresRank) m = expandDims(m, axis);
  return m;
}

/**
 * Attention of projected query, key, value. Returns the output and, on the explicit path, the
 * attention scores. `causalOnly`: the causal mask is the only mask (Keras then uses the fused
 * kernel's own causal masking).
 */
export function attend(
  q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, causalOnly: boolean, training: boolean, wantScores: boolean, s: AttentionSettings,
): { output: Tensor; scores: Tensor | null } {
  const fused = s.masking === 'keras3' && !(s.dropout > 0) && !wantScores && q.rank === 4;
  if (fused) {
    const logits = mul(einsum('BTNH,BSNH->BNTS', [q, k]), s.scale);
    let m = mask ? expandMask(mask, 4, 1) : null;
    const [t, len] = [q.shape[1] as number, k.shape[1] as number];
    if (causalOnly) m = and(m, reshape(causalMask(t, len), [1, 1, t, len]));
    const probs = maskedSoftmax(logits, [3], m, 'dpa');
    return { output: einsum('BNTS,BSNH->BTNH', [probs, v]), scores: null };
  }
  let m = mask;
  if (causalOnly) m = and(m, causalMask(q.shape[1] as number, k.shape[1] as number));
  const scaled = mul(q, s.scale);
  const logits = einsum(s.dotProduct, [k, scaled]);
  const convention: MaskConvention = s.masking;
  let scores = maskedSoftmax(logits, s.normAxes, m ? expandMask(m, logits.rank, s.attentionAxisCount) : null, convention);
  const kept = training && s.dropout > 0 ? dropout(scores, s.dropout) : scores;
  const output = einsum(s.combine, [kept, v]);
  if (kept !== scores) scores = scores.clone();
  return { output, scores };
}
