/**
 * TensorFlow functions tf.keras records as TFOpLambda / SlicingOpLambda → the Keras 3 operation
 * that computes the same, with its arguments placed as Keras records them (so that
 * exportKeras writes Keras 3 operations, and one table of implementations serves both).
 *
 * Each entry lists the function's parameters in TensorFlow's order: the first is the call's
 * first positional argument, the others come by name (tf.keras stores every other argument
 * as a keyword). A parameter the entry does not list, or a setting it cannot honour
 * (cumsum(reverse=True), pad mode other than constant/reflect/symmetric, ...), is a problem
 * naming it, never dropped.
 */
import { decodeStrings, encodeString, type Stored } from '../../layers/compat/ops/template.js';

export interface OpCallTemplate {
  op: string;
  config: Record<string, Stored>;
  args: Stored[];
  kwargs?: Record<string, Stored>;
}

type Params = (name: string, fallback?: Stored) => Stored;
interface Entry {
  params: string[];
  build(p: Params): OpCallTemplate | string;
}

/** The table, filled below by `TABLE.def` (a method of this module's own object: loading the module changes nothing outside it). */
class FunctionTable extends Map<string, Entry> {
  def(names: string[], params: string[], build: Entry['build']): void {
    for (const n of names) this.set(n, { params, build });
  }
}

const TABLE = new FunctionTable();

const call = (op: string, args: Stored[], config: Record<string, Stored> = {}, kwargs?: Record<string, Stored>): OpCallTemplate =>
  kwargs ? { op, config, args, kwargs } : { op, config, args };

// ------------------------------------------------------------------ element-wise

const BINARY: Record<string, string> = {
  '__operators__.add': 'numpy.add', 'math.add': 'numpy.add',
  'math.subtract': 'numpy.subtract', 'math.multiply': 'numpy.multiply', 'math.truediv': 'numpy.truedivide',
  'math.divide': 'numpy.divide', 'math.divide_no_nan': 'numpy.dividenonan', 'math.floordiv': 'numpy.floordivide',
  'math.floormod': 'numpy.mod', 'compat.v1.floor_div': 'numpy.floordivide', 'math.mod': 'numpy.mod', 'math.pow': 'numpy.power', 'math.maximum': 'numpy.maximum',
  'math.minimum': 'numpy.minimum', 'math.greater': 'numpy.greater', 'math.greater_equal': 'numpy.greaterequal',
  'math.less': 'numpy.less', 'math.less_equal': 'numpy.lessequal', 'math.equal': 'numpy.equal',
  'math.not_equal': 'numpy.notequal', 'math.logical_and': 'numpy.logicaland', 'math.logical_or': 'numpy.logicalor',
  'math.logical_xor': 'numpy.logicalxor', 'math.atan2': 'numpy.arctan2',
};
for (const [fn, op] of Object.entries(BINARY)) {
  const params = fn === 'math.atan2' ? ['y', 'x'] : ['x', 'y'];
  TABLE.def([fn], params, (p) => call(op, [p(params[0]), p(params[1])]));
}

const UNARY: Record<string, string> = {
  'math.abs': 'numpy.absolute', 'math.negative': 'numpy.negative', 'math.square': 'numpy.square', 'math.sqrt': 'numpy.sqrt',
  'math.exp': 'numpy.exp', 'math.expm1': 'numpy.expm1', 'math.log': 'numpy.log', 'math.log1p': 'numpy.log1p',
  'math.sin': 'numpy.sin', 'math.cos': 'numpy.cos', 'math.tan': 'numpy.tan', 'math.asin': 'numpy.arcsin',
  'math.acos': 'numpy.arccos', 'math.atan': 'numpy.arctan', 'math.sinh': 'numpy.sinh', 'math.cosh': 'numpy.cosh',
  'math.tanh': 'numpy.tanh', 'math.asinh': 'numpy.arcsinh', 'math.acosh': 'numpy.arccosh', 'math.atanh': 'numpy.arctanh',
  'math.sign': 'numpy.sign', 'math.floor': 'numpy.floor', 'math.ceil': 'numpy.ceil', 'math.round': 'numpy.round',
  'math.reciprocal': 'numpy.reciprocal', 'math.logical_not': 'numpy.logicalnot', 'math.is_nan': 'numpy.isnan',
  'math.is_inf': 'numpy.isinf', 'math.is_finite': 'numpy.isfinite', 'math.rsqrt': 'math.rsqrt', 'math.erf': 'math.erf',
  'math.erfc': 'math.erfc', 'math.sigmoid': 'nn.sigmoid', 'nn.sigmoid': 'nn.sigmoid', 'math.log_sigmoid': 'nn.logsigmoid',
  'math.softplus': 'nn.softplus', 'nn.softplus': 'nn.softplus', 'math.softsign': 'nn.softsign', 'nn.softsign': 'nn.softsign',
  'nn.relu': 'nn.relu', 'nn.relu6': 'nn.relu6', 'nn.elu': 'nn.elu', 'nn.selu': 'nn.selu', 'identity': 'numpy.copy',
  'stop_gradient': 'core.stopgradient',
};
for (const [fn, op] of Object.entries(UNARY)) {
  const first = fn.startsWith('nn.') && !['nn.sigmoid'].includes(fn) ? 'features' : fn === 'stop_gradient' ? 'input' : 'x';
  TABLE.def([fn], [first], (p) => call(op, [p(first)]));
}
TABLE.def(['nn.silu', 'nn.swish'], ['features', 'beta'], (p) => (num(p('beta', 1)) === 1 ? call('nn.silu', [p('features')]) : 'with beta ≠ 1'));
TABLE.def(['nn.gelu'], ['features', 'approximate'], (p) => call('nn.gelu', [p('features')], { approximate: p('approximate', false) }));
TABLE.def(['nn.leaky_relu'], ['features', 'alpha'], (p) => call('nn.leakyrelu', [p('features')], { negative_slope: p('alpha', 0.2) }));
TABLE.def(['math.squared_difference'], ['x', 'y'], () => 'squared_difference (use tf.square(x - y))');
TABLE.def(['math.scalar_mul'], ['scalar', 'x'], (p) => call('numpy.multiply', [p('scalar'), p('x')]));
TABLE.def(['nn.bias_add'], ['value', 'bias', 'data_format'], (p) =>
  p('data_format', null) === null || p('data_format') === 'NHWC' ? call('numpy.add', [p('value'), p('bias')]) : 'with data_format NCHW');
TABLE.def(['math.add_n'], ['inputs'], (p) => {
  const list = p('inputs');
  return Array.isArray(list) && list.length === 2 ? call('numpy.add', [list[0], list[1]]) : 'with other than two inputs';
});

for (const [names, op] of [[['nn.softmax', 'math.softmax'], 'nn.softmax'], [['nn.log_softmax', 'math.log_softmax'], 'nn.logsoftmax']] as Array<[string[], string]>) {
  TABLE.def(names, ['logits', 'axis'], (p) => call(op, [p('logits')], { axis: p('axis', -1) ?? -1 }));
}
TABLE.def(['cast', 'dtypes.cast'], ['x', 'dtype'], (p) => call('core.cast', [p('x')], { dtype: p('dtype') }));
TABLE.def(['clip_by_value'], ['t', 'clip_value_min', 'clip_value_max'], (p) => {
  const lo = p('clip_value_min');
  const hi = p('clip_value_max');
  if (typeof lo !== 'number' || typeof hi !== 'number') return 'with tensor clip values';
  return call('numpy.clip', [p('t')], { x_min: lo, x_max: hi });
});
TABLE.def(['where', 'where_v2'], ['condition', 'x', 'y'], (p) => call('numpy.where', [p('condition'), p('x', null), p('y', null)]));
TABLE.def(['ones_like'], ['input', 'dtype'], (p) => call('numpy.oneslike', [p('input')], { dtype: p('dtype', null) }));
TABLE.def(['zeros_like'], ['input', 'dtype'], (p) => call('numpy.zeroslike', [p('input')], { dtype: p('dtype', null) }));

// ------------------------------------------------------------------ reductions

const REDUCTIONS: Record<string, string> = {
  'math.reduce_sum': 'numpy.sum', 'math.reduce_mean': 'numpy.mean', 'math.reduce_max': 'numpy.max', 'math.reduce_min': 'numpy.min',
  'math.reduce_prod': 'numpy.prod', 'math.reduce_std': 'numpy.std', 'math.reduce_variance': 'numpy.var',
  'math.reduce_any': 'numpy.any', 'math.reduce_all': 'numpy.all', 'math.reduce_logsumexp': 'math.logsumexp',
};
for (const [fn, op] of Object.entries(REDUCTIONS)) {
  TABLE.def([fn], ['input_tensor', 'axis', 'keepdims'], (p) => call(op, [p('input_tensor')], { axis: p('axis', null), keepdims: p('keepdims', false) ?? false }));
}
TABLE.def(['norm', 'linalg.norm', 'compat.v1.norm'], ['tensor', 'ord', 'axis', 'keepdims', 'keep_dims'], (p) => {
  const ord = p('ord', 'euclidean');
  if (ord !== 'euclidean' && ord !== 'fro' && typeof ord !== 'number') return `with ord=${JSON.stringify(ord)}`;
  return call('linalg.norm', [p('tensor')], { ord: ord === 'euclidean' ? null : ord, axis: p('axis', null), keepdims: (p('keepdims', null) ?? p('keep_dims', null) ?? false) === true });
});
TABLE.def(['math.reduce_euclidean_norm'], ['input_tensor', 'axis', 'keepdims'], (p) =>
  call('linalg.norm', [p('input_tensor')], { ord: null, axis: p('axis', null), keepdims: p('keepdims', false) ?? false }));
for (const [fn, op] of [['math.argmax', 'numpy.argmax'], ['math.argmin', 'numpy.argmin']]) {
  // TensorFlow's default axis is 0.
  TABLE.def([fn], ['input', 'axis', 'output_type'], (p) => call(op, [p('input')], { axis: p('axis', 0) ?? 0, keepdims: false }));
}
for (const [fn, op] of [['math.cumsum', 'numpy.cumsum'], ['math.cumprod', 'numpy.cumprod']]) {
  TABLE.def([fn], ['x', 'axis', 'exclusive', 'reverse'], (p) =>
    p('exclusive', false) || p('reverse', false) ? 'with exclusive or reverse' : call(op, [p('x')], { axis: p('axis', 0), dtype: null }));
}
TABLE.def(['nn.moments'], ['x', 'axes', 'shift', 'keepdims'], (p) => call('nn.moments', [p('x')], { axes: p('axes'), keepdims: p('keepdims', false) ?? false, synchronized: false }));
TABLE.def(['math.l2_normalize', 'nn.l2_normalize', 'linalg.l2_normalize'], ['x', 'axis', 'epsilon', 'dim'], (p) => {
  // TensorFlow: x · rsqrt(max(Σx², ε)); Keras normalize: x · min(rsqrt(Σx²), 1/ε'): equal for ε' = √ε.
  const eps = num(p('epsilon', 1e-12));
  return call('nn.normalize', [p('x')], { axis: p('axis', null) ?? p('dim', null), order: 2, epsilon: Math.sqrt(eps) });
});

// ------------------------------------------------------------------ shapes

TABLE.def(['reshape'], ['tensor', 'shape'], (p) => call('numpy.reshape', [p('tensor')], { newshape: p('shape') }));
TABLE.def(['transpose', 'compat.v1.transpose'], ['a', 'perm', 'conjugate'], (p) => call('numpy.transpose', [p('a')], { axes: p('perm', null) }));
TABLE.def(['linalg.matrix_transpose'], ['a', 'conjugate'], () => 'matrix_transpose (use tf.transpose with perm)');
TABLE.def(['expand_dims'], ['input', 'axis'], (p) => call('numpy.expanddims', [p('input')], { axis: p('axis') }));
TABLE.def(['squeeze', 'compat.v1.squeeze'], ['input', 'axis', 'squeeze_dims'], (p) => call('numpy.squeeze', [p('input')], { axis: p('axis', null) ?? p('squeeze_dims', null) }));
TABLE.def(['concat'], ['values', 'axis'], (p) => call('numpy.concatenate', [p('values')], { axis: p('axis') }));
TABLE.def(['stack'], ['values', 'axis'], (p) => call('numpy.stack', [p('values')], { axis: p('axis', 0) ?? 0 }));
TABLE.def(['unstack'], ['value', 'num', 'axis'], (p) => call('core.unstack', [p('value')], { num: p('num', null), axis: p('axis', 0) ?? 0 }));
TABLE.def(['split'], ['value', 'num_or_size_splits', 'axis', 'num'], (p) => {
  const spec = p('num_or_size_splits');
  if (typeof spec === 'number') return call('numpy.split', [p('value')], { indices_or_sections: spec, axis: p('axis', 0) ?? 0 });
  if (!Array.isArray(spec) || !spec.every((s) => typeof s === 'number' && s >= 0)) return 'with split sizes that are not numbers';
  // TensorFlow gives section sizes, numpy split points.
  const points: number[] = [];
  let at = 0;
  for (const s of (spec as number[]).slice(0, -1)) points.push((at += s));
  return call('numpy.split', [p('value')], { indices_or_sections: points, axis: p('axis', 0) ?? 0 });
});
TABLE.def(['tile'], ['input', 'multiples'], (p) => call('numpy.tile', [p('input')], { repeats: p('multiples') }));
TABLE.def(['reverse'], ['tensor', 'axis'], (p) => call('numpy.flip', [p('tensor')], { axis: p('axis') }));
TABLE.def(['broadcast_to'], ['input', 'shape'], (p) => call('numpy.broadcastto', [p('input')], { shape: p('shape') }));
TABLE.def(['pad', 'compat.v1.pad'], ['tensor', 'paddings', 'mode', 'constant_values'], (p) => {
  const mode = String(p('mode', 'CONSTANT')).toLowerCase();
  if (!['constant', 'reflect', 'symmetric'].includes(mode)) return `with pad mode '${mode}'`;
  const value = p('constant_values', 0) ?? 0;
  return call('numpy.pad', [p('tensor')], { pad_width: p('paddings'), mode }, mode === 'constant' && value !== 0 ? { constant_values: value } : undefined);
});
TABLE.def(['gather', 'compat.v1.gather'], ['params', 'indices', 'validate_indices', 'axis', 'batch_dims'], (p) =>
  num(p('batch_dims', 0) ?? 0) !== 0 ? 'with batch_dims' : call('numpy.take', [p('params'), p('indices')], { axis: p('axis', 0) ?? 0 }));
TABLE.def(['one_hot'], ['indices', 'depth', 'on_value', 'off_value', 'axis', 'dtype'], (p) => {
  if ((p('on_value', null) ?? 1) !== 1 || (p('off_value', null) ?? 0) !== 0) return 'with on_value/off_value other than 1/0';
  return call('nn.onehot', [p('indices')], { num_classes: p('depth'), axis: p('axis', -1) ?? -1, dtype: p('dtype', 'float32') ?? 'float32', sparse: false });
});
TABLE.def(['__operators__.getitem'], ['tensor', 'slice_spec', 'var'], (p) => call('numpy.getitem', [p('tensor'), p('slice_spec')]));
TABLE.def(['nn.depth_to_space'], ['input', 'block_size', 'data_format'], (p) =>
  (p('data_format', 'NHWC') ?? 'NHWC') !== 'NHWC' ? 'with data_format NCHW' : call('nn.depthtospace', [p('input')], { block_size: p('block_size'), data_format: 'channels_last' }));
TABLE.def(['nn.space_to_depth'], ['input', 'block_size', 'data_format'], (p) =>
  (p('data_format', 'NHWC') ?? 'NHWC') !== 'NHWC' ? 'with data_format NCHW' : call('nn.spacetodepth', [p('input')], { block_size: p('block_size'), data_format: 'channels_last' }));
TABLE.def(['math.top_k', 'nn.top_k'], ['input', 'k', 'sorted'], (p) => call('math.topk', [p('input')], { k: p('k', 1) ?? 1, sorted: p('sorted', true) ?? true }));
TABLE.def(['sort'], ['values', 'axis', 'direction'], (p) =>
  String(p('direction', 'ASCENDING')) !== 'ASCENDING' ? 'with direction DESCENDING' : call('numpy.sort', [p('values')], { axis: p('axis', -1) ?? -1 }));
TABLE.def(['argsort'], ['values', 'axis', 'direction', 'stable'], (p) =>
  String(p('direction', 'ASCENDING')) !== 'ASCENDING' ? 'with direction DESCENDING' : call('numpy.argsort', [p('values')], { axis: p('axis', -1) ?? -1 }));

// ------------------------------------------------------------------ products

TABLE.def(['linalg.matmul', 'matmul'], ['a', 'b', 'transpose_a', 'transpose_b', 'adjoint_a', 'adjoint_b', 'a_is_sparse', 'b_is_sparse', 'output_type'], (p) => {
  const flags = ['transpose_a', 'transpose_b', 'adjoint_a', 'adjoint_b'].filter((f) => p(f, false) === true);
  if (flags.length === 0) return call('numpy.matmul', [p('a'), p('b')]);
  const kwargs: Record<string, Stored> = {};
  for (const f of flags) kwargs[f] = true;
  return call('tf.linalg.matmul', [p('a'), p('b')], {}, kwargs);
});
TABLE.def(['linalg.tensordot', 'tensordot'], ['a', 'b', 'axes'], (p) => call('numpy.tensordot', [p('a'), p('b')], { axes: p('axes') }));
TABLE.def(['shape', 'compat.v1.shape'], ['input', 'out_type'], (p) => call('tf.shape', [p('input')]));

/** Strings as tfjs keeps them (template.ts); markers and numbers as they are. */
function encodeAll(v: Stored): Stored {
  if (typeof v === 'string') return encodeString(v);
  if (Array.isArray(v)) return v.map(encodeAll);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeAll(x)]));
  return v;
}

function num(v: Stored): number {
  return typeof v === 'number' ? v : NaN;
}

/**
 * The Keras 3 call for TensorFlow function `fn` (as tf.keras records it: 'math.multiply'),
 * given its first positional argument and its keyword arguments (templates), or why not.
 */
export function tfFunctionCall(fn: string, first: Stored, kwargs: Record<string, Stored>): OpCallTemplate | { problem: string } {
  const entry = TABLE.get(fn);
  if (!entry) return { problem: ', which keras2tfjs does not implement' };
  const unknown = Object.keys(kwargs).filter((k) => !entry.params.includes(k));
  if (unknown.length > 0) return { problem: ` with the argument${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}, which keras2tfjs does not implement` };
  // Entries read plain strings ('CONSTANT', 'NHWC'); the result is encoded again for tfjs.
  const values = decodeStrings({ ...kwargs, [entry.params[0]]: first }) as Record<string, Stored>;
  const p: Params = (name, fallback) => {
    if (Object.hasOwn(values, name) && values[name] !== undefined) return values[name];
    if (fallback === undefined) throw new MissingArgument(name);
    return fallback;
  };
  try {
    const out = entry.build(p);
    if (typeof out === 'string') return { problem: ` ${out}, which keras2tfjs does not implement` };
    return { ...out, config: encodeAll(out.config) as Record<string, Stored>, args: encodeAll(out.args) as Stored[], ...(out.kwargs ? { kwargs: encodeAll(out.kwargs) as Record<string, Stored> } : {}) };
  } catch (e) {
    if (e instanceof MissingArgument) return { problem: ` without its argument '${e.argument}'` };
    throw e;
  }
}

class MissingArgument extends Error {
  constructor(readonly argument: string) {
    super(argument);
  }
}

/** Every TensorFlow function keras2tfjs converts, for documentation and the coverage report. */
export function tfFunctions(): string[] {
  return [...TABLE.keys()].sort();
}
