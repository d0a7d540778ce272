/**
 * Operations that move, copy or regroup values (keras/src/ops/numpy.py, core.py, math.py):
 * reshape, transpose, expand_dims, squeeze, concatenate, stack, split, tile, repeat, flip, roll,
 * pad, broadcast_to, swapaxes, moveaxis, take, take_along_axis, sort, argsort, top_k, unstack,
 * tril/triu. Numpy's conventions throughout: `axis=None` means the flattened tensor, negative
 * axes and indices count from the end.
 */
import {
  add, broadcastTo, cast, concat, scalar, expandDims, gather, greaterEqual, lessEqual, mirrorPad, neg, pad, range, reshape, reverse, slice,
  split, squeeze, stack, sub, tensor1d, tile, topk, transpose, unstack, where, zerosLike, type Tensor,
} from '@tensorflow/tfjs-core';
import { arg, defineOps, intList, isTensor, setting, toTensor, type OpCall } from './registry.js';
import type { Value } from './template.js';

const x = (c: OpCall, name = 'x'): Tensor => toTensor(arg(c, 0, name));
const norm = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);
const ints = (v: Value): number[] => intList(v);

/** The tensors of a list argument (concatenate's xs, stack's x). */
function tensorList(v: Value): Tensor[] {
  if (!Array.isArray(v)) return [toTensor(v)];
  const list = v.map((t) => toTensor(t));
  // Keras promotes the list to one dtype.
  const dtype = list.some((t) => t.dtype === 'float32') ? 'float32' : list[0]?.dtype ?? 'float32';
  return list.map((t) => (t.dtype === dtype ? t : cast(t, dtype)));
}

/** Numpy's transpose of axes a and b. */
function swap(t: Tensor, a: number, b: number): Tensor {
  const perm = t.shape.map((_, i) => i);
  [perm[a], perm[b]] = [perm[b], perm[a]];
  return transpose(t, perm);
}

/** Numpy's split points → tfjs' section sizes. */
function sections(spec: Value, size: number): number | number[] {
  if (typeof spec === 'number') return spec;
  const points = ints(spec).map((p) => Math.max(0, Math.min(size, p < 0 ? p + size : p)));
  const sizes: number[] = [];
  let start = 0;
  for (const p of [...points, size]) {
    sizes.push(Math.max(0, p - start));
    start = Math.max(start, p);
  }
  return sizes;
}

function splitAlong(t: Tensor, spec: Value, axis: number): Tensor[] {
  const a = norm(axis, t.rank);
  return split(t, sections(spec, t.shape[a]), a);
}

/** Numpy's repeat: each element `repeats` times (or repeats[i] times) along `axis`. */
function repeatAlong(t: Tensor, repeats: Value, axis: Value): Tensor {
  let input = t;
  let a = 0;
  if (axis === null || axis === undefined) input = reshape(t, [-1]);
  else a = norm(axis as number, t.rank);
  const n = input.shape[a];
  const counts = Array.isArray(repeats) ? (repeats as number[]) : new Array(n).fill(repeats as number);
  const indices: number[] = [];
  counts.forEach((k, i) => {
    for (let j = 0; j < k; j++) indices.push(i);
  });
  return gather(input, tensor1d(indices, 'int32'), a);
}

/** Numpy's roll: shifts elements along axis (or the flattened tensor), wrapping around. */
function rollAlong(t: Tensor, shift: Value, axis: Value): Tensor {
  if (axis === null || axis === undefined) return reshape(rollAlong(reshape(t, [-1]), shift, 0), t.shape);
  const axes = ints(axis);
  const shifts = Array.isArray(shift) ? (shift as number[]) : axes.map(() => shift as number);
  let out = t;
  axes.forEach((ax, i) => {
    const a = norm(ax, t.rank);
    const n = t.shape[a];
    const k = ((shifts[i] % n) + n) % n;
    if (k === 0) return;
    const idx = Array.from({ length: n }, (_, j) => (j - k + n) % n);
    out = gather(out, tensor1d(idx, 'int32'), a);
  });
  return out;
}

/** Numpy's pad_width forms: one number, one pair, or a pair per axis. */
function padPairs(width: Value, rank: number): Array<[number, number]> {
  if (typeof width === 'number') return Array.from({ length: rank }, () => [width, width] as [number, number]);
  const list = width as Value[];
  if (list.length === 2 && typeof list[0] === 'number' && rank !== 1) {
    return Array.from({ length: rank }, () => [list[0] as number, list[1] as number] as [number, number]);
  }
  if (list.length === 1 && Array.isArray(list[0])) {
    const p = list[0] as number[];
    return Array.from({ length: rank }, () => [p[0], p[1] ?? p[0]] as [number, number]);
  }
  return list.map((p) => (Array.isArray(p) ? [p[0] as number, (p[1] ?? p[0]) as number] : [p as number, p as number]));
}

/** Keras' take: gather along axis (flattened when None), negative indices from the end. */
function takeAlong(t: Tensor, indices: Value, axis: Value): Tensor {
  let input = t;
  let a = 0;
  if (axis === null || axis === undefined) input = reshape(t, [-1]);
  else a = norm(axis as number, t.rank);
  let idx = cast(toTensor(indices, 'int32'), 'int32');
  const n = input.shape[a];
  idx = where(greaterEqual(idx, 0), idx, add(idx, scalar(n, 'int32')));
  return gather(input, idx, a);
}

/** take_along_axis: out[..., j, ...] = x[..., indices[..., j, ...], ...]. */
function takeAlongAxis(t: Tensor, indices: Value, axis: Value): Tensor {
  let input = t;
  let idx = cast(toTensor(indices, 'int32'), 'int32');
  if (axis === null || axis === undefined) {
    input = reshape(t, [-1]);
    idx = reshape(idx, [-1]);
  }
  const a = axis === null || axis === undefined ? 0 : norm(axis as number, input.rank);
  const last = input.rank - 1;
  const xs = swap(input, a, last);
  let is = swap(broadcastTo(idx, [...input.shape.slice(0, a), idx.shape[a], ...input.shape.slice(a + 1)]), a, last);
  const n = xs.shape[last];
  is = where(greaterEqual(is, 0), is, add(is, scalar(n, 'int32')));
  const rows = xs.shape.slice(0, -1).reduce((p, q) => p * q, 1);
  const picked = gather(reshape(xs, [rows, n]), reshape(is, [rows, is.shape[last]]), 1, 1);
  return swap(reshape(picked, is.shape), a, last);
}

/** Sorted values (ascending) and their indices along `axis`, ties in index order. */
function sortAlong(t: Tensor, axis: number): { values: Tensor; indices: Tensor } {
  const a = norm(axis, t.rank);
  const last = t.rank - 1;
  const moved = a === last ? t : swap(t, a, last);
  const n = moved.shape[last];
  // topk is descending and keeps ties in index order; the negation sorts ascending.
  const flip = moved.dtype === 'bool' ? cast(moved, 'int32') : moved;
  const top = topk(neg(flip), n, true);
  const values = cast(neg(top.values), t.dtype);
  return a === last ? { values, indices: top.indices } : { values: swap(values, a, last), indices: swap(top.indices, a, last) };
}

/** Lower (tril) or upper (triu) triangle of the last two axes, shifted by k diagonals. */
function triangle(t: Tensor, k: number, lower: boolean): Tensor {
  const [rows, cols] = t.shape.slice(-2);
  const r = reshape(range(0, rows, 1, 'int32'), [rows, 1]);
  const col = reshape(range(0, cols, 1, 'int32'), [1, cols]);
  const offset = sub(col, r);
  const keep = lower ? lessEqual(offset, k) : greaterEqual(offset, k);
  return where(broadcastTo(keep, t.shape), t, zerosLike(t));
}

defineOps('numpy', {
  Reshape: (c) => reshape(x(c), ints(setting(c, 'newshape', []))),
  Ravel: (c) => reshape(x(c), [-1]),
  Transpose: (c) => {
    const t = x(c);
    const axes = setting(c, 'axes', null);
    return transpose(t, axes === null ? undefined : ints(axes).map((a) => norm(a, t.rank)));
  },
  ExpandDims: (c) => {
    let t = x(c);
    const axes = ints(setting(c, 'axis', 0));
    const outRank = t.rank + axes.length;
    for (const a of axes.map((v) => norm(v, outRank)).sort((p, q) => p - q)) t = expandDims(t, a);
    return t;
  },
  Squeeze: (c) => {
    const t = x(c);
    const axis = setting(c, 'axis', null);
    return axis === null ? squeeze(t) : squeeze(t, ints(axis).map((a) => norm(a, t.rank)));
  },
  Concatenate: (c) => {
    const list = tensorList(arg(c, 0, 'xs'));
    const axis = setting(c, 'axis', 0);
    if (axis === null) return concat(list.map((t) => reshape(t, [-1])), 0);
    return concat(list, norm(axis as number, list[0].rank));
  },
  Stack: (c) => {
    const list = tensorList(arg(c, 0, 'x'));
    return stack(list, norm(setting(c, 'axis', 0) as number, list[0].rank + 1));
  },
  Split: (c) => splitAlong(x(c), setting(c, 'indicesOrSections', 1), setting(c, 'axis', 0) as number),
  ArraySplit: (c) => {
    const t = x(c);
    const a = norm(setting(c, 'axis', 0) as number, t.rank);
    const spec = setting(c, 'indicesOrSections', 1);
    if (typeof spec !== 'number') return splitAlong(t, spec, a);
    // Numpy: the first (size mod n) parts get one more element.
    const n = t.shape[a];
    const sizes = Array.from({ length: spec }, (_, i) => Math.floor(n / spec) + (i < n % spec ? 1 : 0));
    return split(t, sizes, a);
  },
  Hsplit: (c) => {
    const t = x(c);
    return splitAlong(t, setting(c, 'indicesOrSections', 1), t.rank === 1 ? 0 : 1);
  },
  Vsplit: (c) => splitAlong(x(c), setting(c, 'indicesOrSections', 1), 0),
  Dsplit: (c) => splitAlong(x(c), setting(c, 'indicesOrSections', 1), 2),
  Tile: (c) => {
    const t = x(c);
    let reps = ints(setting(c, 'repeats', 1));
    let input = t;
    if (reps.length > t.rank) input = reshape(t, [...new Array(reps.length - t.rank).fill(1), ...t.shape]);
    else if (reps.length < t.rank) reps = [...new Array(t.rank - reps.length).fill(1), ...reps];
    return tile(input, reps);
  },
  Repeat: (c) => repeatAlong(x(c), setting(c, 'repeats', 1), setting(c, 'axis', null)),
  Flip: (c) => {
    const t = x(c);
    const axis = setting(c, 'axis', null);
    return reverse(t, axis === null ? undefined : ints(axis).map((a) => norm(a, t.rank)));
  },
  Fliplr: (c) => reverse(x(c), 1),
  Flipud: (c) => reverse(x(c), 0),
  Roll: (c) => rollAlong(x(c), setting(c, 'shift', 0), setting(c, 'axis', null)),
  BroadcastTo: (c) => broadcastTo(x(c), ints(setting(c, 'shape', []))),
  Swapaxes: (c) => {
    const t = x(c);
    return swap(t, norm(setting(c, 'axis1', 0) as number, t.rank), norm(setting(c, 'axis2', 1) as number, t.rank));
  },
  Moveaxis: (c) => {
    const t = x(c);
    const source = ints(setting(c, 'source', 0)).map((a) => norm(a, t.rank));
    const destination = ints(setting(c, 'destination', 0)).map((a) => norm(a, t.rank));
    const rest = t.shape.map((_, i) => i).filter((i) => !source.includes(i));
    const perm = new Array<number>(t.rank);
    destination.forEach((d, i) => (perm[d] = source[i]));
    for (let i = 0, r = 0; i < t.rank; i++) if (perm[i] === undefined) perm[i] = rest[r++];
    return transpose(t, perm);
  },
  Pad: (c) => {
    const t = x(c);
    const pairs = padPairs(setting(c, 'padWidth', 0), t.rank);
    const mode = String(setting(c, 'mode', 'constant'));
    if (mode === 'reflect' || mode === 'symmetric') return mirrorPad(t, pairs, mode);
    if (mode !== 'constant') throw new Error(`pad mode '${mode}' is not implemented`);
    const value = arg(c, 1, 'constantValues', null);
    return pad(t, pairs, value === null ? 0 : Number(value));
  },
  Take: (c) => takeAlong(x(c), arg(c, 1, 'indices'), setting(c, 'axis', null)),
  TakeAlongAxis: (c) => takeAlongAxis(x(c), arg(c, 1, 'indices'), setting(c, 'axis', null)),
  Sort: (c) => sortAlong(x(c), setting(c, 'axis', -1) as number).values,
  Argsort: (c) => sortAlong(x(c), setting(c, 'axis', -1) as number).indices,
  Tril: (c) => triangle(x(c), Number(setting(c, 'k', 0)), true),
  Triu: (c) => triangle(x(c), Number(setting(c, 'k', 0)), false),
});

defineOps('core', {
  Unstack: (c) => {
    const t = x(c);
    return unstack(t, norm(setting(c, 'axis', 0) as number, t.rank));
  },
  Slice: (c) => {
    const t = toTensor(arg(c, 0, 'inputs'));
    const start = arg(c, 1, 'startIndices');
    const begin = isTensor(start) ? Array.from(start.dataSync()) : ints(start);
    return slice(t, begin, ints(setting(c, 'shape', [])));
  },
});

defineOps('math', {
  TopK: (c) => {
    const t = x(c);
    const out = topk(t, Number(setting(c, 'k', 1)), setting(c, 'sorted', true) !== false);
    return [out.values, out.indices];
  },
});

