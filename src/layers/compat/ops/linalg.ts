/**
 * Products and norms (keras/src/ops/numpy.py, linalg.py): matmul (numpy's rules for 1-D
 * operands, broadcast batch axes), dot, tensordot, einsum, outer, inner, vdot, and linalg.norm
 * for vectors and for the matrix norms that need no decomposition.
 */
import {
  abs, cast, expandDims, matMul, max, min, mul, notEqual, pow, reshape, sqrt, square, squeeze, sum, transpose, type Tensor,
} from '@tensorflow/tfjs-core';
import { einsum } from './einsum.js';
import { arg, asFloat, axesOf, defineOps, promote, setting } from './registry.js';

/** numpy.matmul: 1-D operands become a row / column vector and that axis is dropped again. */
export function numpyMatmul(a: Tensor, b: Tensor): Tensor {
  const a2 = a.rank === 1 ? expandDims(a, 0) : a;
  const b2 = b.rank === 1 ? expandDims(b, 1) : b;
  let out = matMul(a2, b2);
  if (b.rank === 1) out = squeeze(out, [out.rank - 1]);
  if (a.rank === 1) out = squeeze(out, [out.rank - (b.rank === 1 ? 1 : 2)]);
  return out;
}

/** tensordot over the given axes of a and b. */
export function tensordot(a: Tensor, b: Tensor, axesA: number[], axesB: number[]): Tensor {
  const na = axesA.map((x) => (x < 0 ? x + a.rank : x));
  const nb = axesB.map((x) => (x < 0 ? x + b.rank : x));
  const freeA = a.shape.map((_, i) => i).filter((i) => !na.includes(i));
  const freeB = b.shape.map((_, i) => i).filter((i) => !nb.includes(i));
  const k = na.reduce((p, i) => p * a.shape[i], 1);
  const ma = reshape(transpose(a, [...freeA, ...na]), [-1, k]);
  const mb = reshape(transpose(b, [...nb, ...freeB]), [k, -1]);
  return reshape(matMul(ma, mb), [...freeA.map((i) => a.shape[i]), ...freeB.map((i) => b.shape[i])]);
}

function dot(a: Tensor, b: Tensor): Tensor {
  if (a.rank === 0 || b.rank === 0) return mul(a, b);
  if (b.rank === 1) return tensordot(a, b, [-1], [0]);
  return tensordot(a, b, [-1], [-2]);
}

/** linalg.norm (ord None/'fro', numbers, ±inf) over a vector axis or a pair of matrix axes. */
function norm(t: Tensor, ord: unknown, axis: unknown, keepdims: boolean): Tensor {
  let axes = axesOf(axis as number | number[] | null, t.rank);
  if (axes === null) {
    if (ord !== null && ord !== undefined) axes = t.rank === 1 ? [0] : t.rank === 2 ? [0, 1] : null;
    if (axes === null) {
      const out = sqrt(sum(square(t)));
      return keepdims ? reshape(out, t.shape.map(() => 1)) : out;
    }
  }
  if (axes.length === 1) {
    const a = axes;
    if (ord === null || ord === undefined || ord === 2) return sqrt(sum(square(t), a, keepdims));
    if (ord === Infinity || ord === 'inf') return max(abs(t), a, keepdims);
    if (ord === -Infinity || ord === '-inf') return min(abs(t), a, keepdims);
    if (ord === 0) return sum(cast(notEqual(t, 0), 'float32'), a, keepdims);
    if (ord === 1) return sum(abs(t), a, keepdims);
    const p = Number(ord);
    return pow(sum(pow(abs(t), p), a, keepdims), 1 / p);
  }
  const [r, c] = axes;
  if (ord === null || ord === undefined || ord === 'fro') return sqrt(sum(square(t), axes, keepdims));
  const colSums = (x: Tensor): Tensor => sum(abs(x), r, true);
  const rowSums = (x: Tensor): Tensor => sum(abs(x), c, true);
  let out: Tensor;
  if (ord === 1) out = max(colSums(t), c, true);
  else if (ord === -1) out = min(colSums(t), c, true);
  else if (ord === Infinity || ord === 'inf') out = max(rowSums(t), r, true);
  else if (ord === -Infinity || ord === '-inf') out = min(rowSums(t), r, true);
  else throw new Error(`matrix norm ord=${String(ord)} needs a singular value decomposition, which is not implemented`);
  return keepdims ? out : squeeze(out, [r, c]);
}

defineOps('numpy', {
  Matmul: (c) => numpyMatmul(...promote(arg(c, 0, 'x1'), arg(c, 1, 'x2'))),
  Dot: (c) => dot(...promote(arg(c, 0, 'x1'), arg(c, 1, 'x2'))),
  Vdot: (c) => {
    const [a, b] = promote(arg(c, 0, 'x1'), arg(c, 1, 'x2'));
    return sum(mul(reshape(a, [-1]), reshape(b, [-1])));
  },
  Inner: (c) => {
    const [a, b] = promote(arg(c, 0, 'x1'), arg(c, 1, 'x2'));
    return a.rank === 0 || b.rank === 0 ? mul(a, b) : tensordot(a, b, [-1], [-1]);
  },
  Outer: (c) => {
    const [a, b] = promote(arg(c, 0, 'x1'), arg(c, 1, 'x2'));
    return mul(reshape(a, [-1, 1]), reshape(b, [1, -1]));
  },
  Tensordot: (c) => {
    const [a, b] = promote(arg(c, 0, 'x1'), arg(c, 1, 'x2'));
    const axes = setting(c, 'axes', 2);
    if (typeof axes === 'number') {
      const n = axes;
      return tensordot(a, b, Array.from({ length: n }, (_, i) => a.rank - n + i), Array.from({ length: n }, (_, i) => i));
    }
    const [ax, bx] = axes as Array<number | number[]>;
    return tensordot(a, b, Array.isArray(ax) ? ax : [ax], Array.isArray(bx) ? bx : [bx]);
  },
  Einsum: (c) => {
    const operands = c.args.map((v) => asFloat(v));
    return einsum(String(setting(c, 'subscripts', '')), operands);
  },
});

defineOps('linalg', {
  Norm: (c) => norm(asFloat(arg(c, 0, 'x')), setting(c, 'ord', null), setting(c, 'axis', null), setting(c, 'keepdims', false) === true),
});
