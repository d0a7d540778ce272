/**
 * Einstein summation for one or two operands, as numpy and TensorFlow define it: explicit
 * (`'abc,cd->abd'`) and implicit (`'ij,jk'`: output = the indices that appear once, sorted)
 * forms, `...` for leading broadcast axes, indices summed within one operand. tfjs' own einsum
 * refuses ellipses, which Keras' EinsumDense and MultiHeadAttention equations use, so the
 * product is written here as one batched matrix multiplication:
 *
 *   A → [batch, free A, contracted],  B → [batch, contracted, free B],  A·B → output order.
 */
import { broadcastTo, matMul, reshape, sum, transpose, type Tensor } from '@tensorflow/tfjs-core';

interface Parsed {
  inputs: string[][];
  output: string[];
}

/** Splits the equation into index lists, naming the axes `...` stands for ('…0', '…1', ...). */
function parse(equation: string, ranks: number[]): Parsed {
  const eq = equation.replace(/\s/g, '');
  const [lhs, rhs] = eq.includes('->') ? eq.split('->') : [eq, null];
  const terms = lhs.split(',');
  if (terms.length !== ranks.length) throw new Error(`einsum '${equation}' takes ${terms.length} operands, got ${ranks.length}`);
  const ellipsisRanks = terms.map((term, k) => (term.includes('...') ? ranks[k] - term.replace('...', '').length : 0));
  const ellipsisRank = Math.max(0, ...ellipsisRanks);
  const inputs = terms.map((term, k) => {
    if (!term.includes('...')) return term.split('');
    const n = ellipsisRanks[k];
    const [before, after] = term.split('...');
    // Ellipsis axes are right-aligned across operands, like numpy broadcasting.
    const dots = Array.from({ length: n }, (_, i) => `…${i + ellipsisRank - n}`);
    return [...before.split('').filter(Boolean), ...dots, ...after.split('').filter(Boolean)];
  });
  const allDots = Array.from({ length: ellipsisRank }, (_, i) => `…${i}`);
  let output: string[];
  if (rhs !== null) {
    const [before, after] = rhs.includes('...') ? rhs.split('...') : [rhs, null];
    output = after === null ? before.split('').filter(Boolean) : [...before.split('').filter(Boolean), ...allDots, ...after.split('').filter(Boolean)];
  } else {
    const counts = new Map<string, number>();
    for (const list of inputs) for (const i of list) if (!i.startsWith('…')) counts.set(i, (counts.get(i) ?? 0) + 1);
    output = [...allDots, ...[...counts].filter(([, n]) => n === 1).map(([i]) => i).sort()];
  }
  return { inputs, output };
}

/** Sums the axes of `t` whose index is not in `keep`, and any repeated index (first kept). */
function reduceTo(t: Tensor, idx: string[], keep: Set<string>): { t: Tensor; idx: string[] } {
  const drop: number[] = [];
  idx.forEach((i, d) => {
    if (!keep.has(i)) drop.push(d);
  });
  if (new Set(idx).size !== idx.length) throw new Error('einsum with a repeated index in one operand (a diagonal) is not implemented');
  if (drop.length === 0) return { t, idx };
  return { t: sum(t, drop), idx: idx.filter((_, d) => !drop.includes(d)) };
}

export function einsum(equation: string, operands: Tensor[]): Tensor {
  const { inputs, output } = parse(equation, operands.map((t) => t.rank));
  const outSet = new Set(output);
  if (operands.length === 1) {
    const r = reduceTo(operands[0], inputs[0], outSet);
    return transpose(r.t, output.map((i) => r.idx.indexOf(i)));
  }
  if (operands.length !== 2) throw new Error(`einsum with ${operands.length} operands is not implemented`);
  const [ia, ib] = inputs;
  const a0 = reduceTo(operands[0], ia, new Set([...output, ...ib]));
  const b0 = reduceTo(operands[1], ib, new Set([...output, ...ia]));
  const sizes = new Map<string, number>();
  a0.idx.forEach((i, d) => sizes.set(i, Math.max(sizes.get(i) ?? 1, a0.t.shape[d])));
  b0.idx.forEach((i, d) => sizes.set(i, Math.max(sizes.get(i) ?? 1, b0.t.shape[d])));
  const batch = output.filter((i) => a0.idx.includes(i) && b0.idx.includes(i));
  const contracted = a0.idx.filter((i) => b0.idx.includes(i) && !outSet.has(i));
  const freeA = a0.idx.filter((i) => !b0.idx.includes(i));
  const freeB = b0.idx.filter((i) => !a0.idx.includes(i));
  const size = (list: string[]): number => list.reduce((p, i) => p * (sizes.get(i) as number), 1);
  // Batch axes may broadcast (size 1 in one operand): widen before flattening.
  const arrange = (t: Tensor, idx: string[], order: string[]): Tensor => {
    const moved = transpose(t, order.map((i) => idx.indexOf(i)));
    const full = order.map((i) => sizes.get(i) as number);
    return moved.shape.every((s, d) => s === full[d]) ? moved : broadcastTo(moved, full);
  };
  const a = reshape(arrange(a0.t, a0.idx, [...batch, ...freeA, ...contracted]), [size(batch), size(freeA), size(contracted)]);
  const b = reshape(arrange(b0.t, b0.idx, [...batch, ...contracted, ...freeB]), [size(batch), size(contracted), size(freeB)]);
  const product = matMul(a, b);
  const order = [...batch, ...freeA, ...freeB];
  const shaped = reshape(product, order.map((i) => sizes.get(i) as number));
  return transpose(shaped, output.map((i) => order.indexOf(i)));
}
