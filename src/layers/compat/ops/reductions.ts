/**
 * Reductions (keras/src/ops/numpy.py, math.py): sum, mean, max, min, prod, std, var, any, all,
 * argmax/argmin, logsumexp, count_nonzero, cumulative sums and products. `axis` None reduces
 * every axis, negative axes count from the end, `keepdims` keeps reduced axes as 1.
 */
import {
  add, all, any, argMax, argMin, cast, cumprod, cumsum, exp, expandDims, isFinite, log, max, mean, min, moments, notEqual, prod,
  reshape, sqrt, sub, sum, where, zerosLike, type Tensor,
} from '@tensorflow/tfjs-core';
import { arg, asFloat, axesOf, defineOps, setting, toTensor, type OpCall } from './registry.js';

function reduction(f: (t: Tensor, axes: number[] | null, keepdims: boolean) => Tensor, floatInput = false) {
  return (c: OpCall): Tensor => {
    const t = floatInput ? asFloat(arg(c, 0, 'x')) : toTensor(arg(c, 0, 'x'));
    const axes = axesOf(setting(c, 'axis', null), t.rank);
    return f(t, axes, setting(c, 'keepdims', false) === true);
  };
}

/** Keras' argmax/argmin: int32 indices; axis None looks at the flattened tensor. */
function argReduction(f: (t: Tensor, axis: number) => Tensor) {
  return (c: OpCall): Tensor => {
    const t = toTensor(arg(c, 0, 'x'));
    const axis = setting(c, 'axis', null);
    const keepdims = setting(c, 'keepdims', false) === true;
    if (axis === null) {
      const flat = f(reshape(t, [-1]), 0);
      return keepdims ? reshape(flat, t.shape.map(() => 1)) : flat;
    }
    const a = (axis as number) < 0 ? (axis as number) + t.rank : (axis as number);
    const out = f(t, a);
    return keepdims ? expandDims(out, a) : out;
  };
}

function cumulative(f: (t: Tensor, axis: number) => Tensor) {
  return (c: OpCall): Tensor => {
    let t = toTensor(arg(c, 0, 'x'));
    const axis = setting(c, 'axis', null);
    if (axis === null) t = reshape(t, [-1]);
    // tfjs' cumsum/cumprod take no negative axis.
    const a = axis === null ? 0 : (axis as number) < 0 ? (axis as number) + t.rank : (axis as number);
    return f(t, a);
  };
}

const variance = (t: Tensor, axes: number[] | null, keepdims: boolean): Tensor =>
  moments(t, axes ?? t.shape.map((_, i) => i), keepdims).variance;

defineOps('numpy', {
  Sum: reduction((t, a, k) => sum(t, a ?? undefined, k)),
  Mean: reduction((t, a, k) => mean(t, a ?? undefined, k), true),
  Max: reduction((t, a, k) => max(t, a ?? undefined, k)),
  Amax: reduction((t, a, k) => max(t, a ?? undefined, k)),
  Min: reduction((t, a, k) => min(t, a ?? undefined, k)),
  Amin: reduction((t, a, k) => min(t, a ?? undefined, k)),
  Prod: reduction((t, a, k) => prod(t, a ?? undefined, k)),
  Var: reduction(variance, true),
  Std: reduction((t, a, k) => sqrt(variance(t, a, k)), true),
  Any: reduction((t, a, k) => any(cast(t, 'bool'), a ?? undefined, k)),
  All: reduction((t, a, k) => all(cast(t, 'bool'), a ?? undefined, k)),
  CountNonzero: reduction((t, a) => sum(cast(notEqual(t, 0), 'int32'), a ?? undefined)),
  Ptp: reduction((t, a, k) => sub(max(t, a ?? undefined, k), min(t, a ?? undefined, k))),
  Argmax: argReduction((t, a) => argMax(t, a)),
  Argmin: argReduction((t, a) => argMin(t, a)),
  Cumsum: cumulative((t, a) => cumsum(t, a)),
  Cumprod: cumulative((t, a) => cumprod(t, a)),
});

defineOps('math', {
  // TensorFlow's reduce_logsumexp: log(sum(exp(x − m))) + m, m the max where finite, else 0.
  Logsumexp: reduction((t, a, k) => {
    const raw = max(t, a ?? undefined, true);
    const m = where(isFinite(raw), raw, zerosLike(raw));
    const out = add(log(sum(exp(sub(t, m)), a ?? undefined, true)), m);
    return k ? out : reshape(out, keptShape(t.shape, a));
  }, true),
});

function keptShape(shape: number[], axes: number[] | null): number[] {
  if (axes === null) return [];
  return shape.filter((_, i) => !axes.includes(i));
}
