/**
 * numpy.GetItem: `x[key]` with numpy's basic indexing, as Keras 3 records it (and tf.keras as
 * SlicingOpLambda `__operators__.getitem`): integers (negative from the end; the axis is
 * dropped), slices with any step (Python's slice.indices rules), `...` and `None` (a new axis
 * of size 1). Integer tensors as keys index one axis like `take`.
 */
import { expandDims, gather, slice, squeeze, tensor1d, type Tensor } from '@tensorflow/tfjs-core';
import { arg, defineOps, isTensor, toTensor, type OpCall } from './registry.js';
import { isEllipsis, isSlice, type Slice, type Value } from './template.js';

type Index = { kind: 'int'; index: number } | { kind: 'slice'; slice: Slice } | { kind: 'new' } | { kind: 'tensor'; tensor: Tensor };

function parseKey(key: Value, rank: number): Index[] {
  const items = Array.isArray(key) ? key : [key];
  const parsed: Array<Index | 'ellipsis'> = items.map((k) => {
    if (k === null) return { kind: 'new' };
    if (typeof k === 'number') return { kind: 'int', index: k };
    if (typeof k === 'boolean') return { kind: 'int', index: k ? 1 : 0 };
    if (isSlice(k)) return { kind: 'slice', slice: k };
    if (isEllipsis(k)) return 'ellipsis';
    if (isTensor(k)) return { kind: 'tensor', tensor: k };
    throw new Error(`unsupported index ${JSON.stringify(k)}`);
  });
  const consumed = parsed.filter((p) => p !== 'ellipsis' && p.kind !== 'new').length;
  const full: Slice = { kind: 'slice', start: null, stop: null, step: null };
  const at = parsed.indexOf('ellipsis');
  const fill = Array.from({ length: Math.max(0, rank - consumed) }, () => ({ kind: 'slice', slice: full }) as Index);
  const expanded = at < 0 ? [...(parsed as Index[]), ...fill] : [...(parsed.slice(0, at) as Index[]), ...fill, ...(parsed.slice(at + 1) as Index[])];
  return expanded;
}

/** Python's slice.indices(n): start, stop, step clamped to the axis, for either sign of step. */
function indicesOf(s: Slice, n: number): number[] {
  const step = s.step ?? 1;
  if (step === 0) throw new Error('slice step cannot be zero');
  const clamp = (v: number | null, dflt: number, lo: number, hi: number): number => {
    if (v === null) return dflt;
    const w = v < 0 ? v + n : v;
    return Math.min(Math.max(w, lo), hi);
  };
  const start = step > 0 ? clamp(s.start, 0, 0, n) : clamp(s.start, n - 1, -1, n - 1);
  const stop = step > 0 ? clamp(s.stop, n, 0, n) : clamp(s.stop, -1, -1, n - 1);
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

export function getItem(x: Tensor, key: Value): Tensor {
  const index = parseKey(key, x.rank);
  let out = x;
  let axis = 0;
  const dropped: number[] = [];
  for (const ix of index) {
    if (ix.kind === 'new') {
      out = expandDims(out, axis);
      axis++;
      continue;
    }
    const n = out.shape[axis];
    if (ix.kind === 'int') {
      const i = ix.index < 0 ? ix.index + n : ix.index;
      if (i < 0 || i >= n) throw new Error(`index ${ix.index} is out of bounds for an axis of size ${n}`);
      out = slice(out, out.shape.map((_, d) => (d === axis ? i : 0)), out.shape.map((s, d) => (d === axis ? 1 : s)));
      dropped.push(axis);
    } else if (ix.kind === 'tensor') {
      const before = out.rank;
      out = gather(out, ix.tensor, axis);
      axis += out.rank - before;
    } else {
      const picked = indicesOf(ix.slice, n);
      const step = ix.slice.step ?? 1;
      if ((step === 1 && picked.length > 0) || picked.length === 0) {
        const begin = picked.length ? picked[0] : 0;
        out = slice(out, out.shape.map((_, d) => (d === axis ? begin : 0)), out.shape.map((s, d) => (d === axis ? picked.length : s)));
      } else {
        out = gather(out, tensor1d(picked, 'int32'), axis);
      }
    }
    axis++;
  }
  return dropped.length ? squeeze(out, dropped) : out;
}

defineOps('numpy', {
  GetItem: (c: OpCall) => getItem(toTensor(arg(c, 0, 'x')), arg(c, 1, 'key')),
});
