/**
 * Element-wise Keras operations (keras/src/ops/numpy.py, math.py): arithmetic with tensors and
 * Python numbers (`x + 3.0` records numpy.Add(x, 3.0)), comparisons, logic, and the math
 * functions. Formulas follow Keras 3.15's TensorFlow backend where it composes them itself
 * (log2, exp2, cbrt, logaddexp, ...). Operands are promoted as Keras promotes them (registry.ts).
 */
import {
  abs, acos, acosh, add, asin, asinh, atan, atan2, atanh, cast, ceil, clipByValue, cos, cosh, div, equal, erf, exp, expm1, fill,
  floor, floorDiv, greater, greaterEqual, isFinite, isInf, isNaN, less, lessEqual, log, log1p, logicalAnd, logicalNot, logicalOr,
  logicalXor, maximum, minimum, mod, mul, neg, notEqual, onesLike, pow, reciprocal, round, rsqrt, scalar, sign, sin, sinh, sqrt,
  square, sub, tan, tanh, where, zerosLike, type Tensor,
} from '@tensorflow/tfjs-core';
import { arg, asFloat, defineOps, promote, setting, tfjsDtype, toTensor, type OpCall } from './registry.js';
import type { Value } from './template.js';

const x = (c: OpCall): Tensor => toTensor(arg(c, 0, 'x'));
const fx = (c: OpCall): Tensor => asFloat(arg(c, 0, 'x'));
const pair = (c: OpCall): [Tensor, Tensor] => promote(arg(c, 0, 'x1'), arg(c, 1, 'x2'));
const floatPair = (c: OpCall): [Tensor, Tensor] => pair(c).map((t) => (t.dtype === 'float32' ? t : cast(t, 'float32'))) as [Tensor, Tensor];

/** A unary op that keeps ints as ints (abs, negative, square, sign, ...). */
const keep = (f: (t: Tensor) => Tensor) => (c: OpCall) => f(x(c));
/** A unary op Keras computes in floating point (sqrt, exp, sin, ...). */
const float = (f: (t: Tensor) => Tensor) => (c: OpCall) => f(fx(c));
const binary = (f: (a: Tensor, b: Tensor) => Tensor) => (c: OpCall) => f(...pair(c));
const floatBinary = (f: (a: Tensor, b: Tensor) => Tensor) => (c: OpCall) => f(...floatPair(c));

/** Keras' round(x, decimals): TensorFlow rounds half to even, as tfjs does. */
function roundTo(c: OpCall): Tensor {
  const decimals = Number(setting(c, 'decimals', 0));
  const t = x(c);
  if (decimals === 0 || t.dtype !== 'float32') return t.dtype === 'float32' ? round(t) : t;
  const factor = 10 ** decimals;
  return div(round(mul(t, factor)), factor);
}

defineOps('numpy', {
  Add: binary(add),
  Subtract: binary(sub),
  Multiply: binary(mul),
  Divide: floatBinary(div),
  TrueDivide: floatBinary(div),
  DivideNoNan: floatBinary((a, b) => where(equal(b, 0), zerosLike(a), div(a, b))),
  FloorDivide: binary((a, b) => (a.dtype === 'float32' ? floor(div(a, b)) : floorDiv(a, b))),
  Mod: binary(mod),
  Power: binary(pow),
  Maximum: binary(maximum),
  Minimum: binary(minimum),
  Fmax: binary(maximum),
  Fmin: binary(minimum),
  Equal: binary(equal),
  NotEqual: binary(notEqual),
  Greater: binary(greater),
  GreaterEqual: binary(greaterEqual),
  Less: binary(less),
  LessEqual: binary(lessEqual),
  LogicalAnd: binary((a, b) => logicalAnd(cast(a, 'bool'), cast(b, 'bool'))),
  LogicalOr: binary((a, b) => logicalOr(cast(a, 'bool'), cast(b, 'bool'))),
  LogicalXor: binary((a, b) => logicalXor(cast(a, 'bool'), cast(b, 'bool'))),
  LogicalNot: keep((t) => logicalNot(cast(t, 'bool'))),
  Arctan2: floatBinary(atan2),
  Hypot: floatBinary((a, b) => sqrt(add(square(a), square(b)))),
  Logaddexp: floatBinary((a, b) => {
    // TensorFlow backend: max + log1p(exp(-|a − b|)).
    return add(maximum(a, b), log1p(exp(neg(abs(sub(a, b))))));
  }),
  Heaviside: floatBinary((a, b) => where(less(a, 0), zerosLike(a), where(greater(a, 0), onesLike(a), b))),
  Abs: keep(abs),
  Absolute: keep(abs),
  Fabs: float(abs),
  Negative: keep(neg),
  Square: keep(square),
  Sign: keep(sign),
  Sqrt: float(sqrt),
  Exp: float(exp),
  Exp2: float((t) => pow(scalar(2), t)),
  Expm1: float(expm1),
  Log: float(log),
  Log1p: float(log1p),
  Log2: float((t) => div(log(t), Math.log(2))),
  Log10: float((t) => div(log(t), Math.log(10))),
  Reciprocal: float(reciprocal),
  Sin: float(sin),
  Cos: float(cos),
  Tan: float(tan),
  Arcsin: float(asin),
  Arccos: float(acos),
  Arctan: float(atan),
  Sinh: float(sinh),
  Cosh: float(cosh),
  Tanh: float(tanh),
  Arcsinh: float(asinh),
  Arccosh: float(acosh),
  Arctanh: float(atanh),
  Cbrt: float((t) => mul(sign(t), pow(abs(t), 1 / 3))),
  Deg2rad: float((t) => mul(t, Math.PI / 180)),
  Rad2deg: float((t) => mul(t, 180 / Math.PI)),
  Floor: keep((t) => (t.dtype === 'float32' ? floor(t) : t)),
  Ceil: keep((t) => (t.dtype === 'float32' ? ceil(t) : t)),
  Trunc: keep((t) => (t.dtype === 'float32' ? mul(sign(t), floor(abs(t))) : t)),
  Round: roundTo,
  Isnan: keep((t) => (t.dtype === 'float32' ? isNaN(t) : cast(zerosLike(t), 'bool'))),
  Isinf: keep((t) => (t.dtype === 'float32' ? isInf(t) : cast(zerosLike(t), 'bool'))),
  Isfinite: keep((t) => (t.dtype === 'float32' ? isFinite(t) : cast(onesLike(t), 'bool'))),
  Copy: keep((t) => t.clone()),
  Real: keep((t) => t.clone()),
  Conj: keep((t) => t.clone()),
  Conjugate: keep((t) => t.clone()),
  Clip: (c) => {
    const t = x(c);
    const lo = setting(c, 'xMin', null);
    const hi = setting(c, 'xMax', null);
    const low = lo === null ? -Infinity : Number(lo);
    const high = hi === null ? Infinity : Number(hi);
    return clipByValue(t, low, high);
  },
  Where: (c) => {
    const condition = cast(toTensor(arg(c, 0, 'condition')), 'bool');
    const [a, b] = promote(arg(c, 1, 'x1'), arg(c, 2, 'x2'));
    return where(condition, a, b);
  },
  NanToNum: (c) => {
    const t = fx(c);
    const nan = Number(setting(c, 'nan', 0));
    const posinf = setting(c, 'posinf', null);
    const neginf = setting(c, 'neginf', null);
    const big = 3.4028234663852886e38;
    let out = where(isNaN(t), fill(t.shape, nan), t);
    out = where(greater(out, big), fill(t.shape, posinf === null ? big : Number(posinf)), out);
    return where(less(out, -big), fill(t.shape, neginf === null ? -big : Number(neginf)), out);
  },
  ZerosLike: (c) => zerosLike(castTo(x(c), c.config.dtype)),
  OnesLike: (c) => onesLike(castTo(x(c), c.config.dtype)),
  FullLike: (c) => {
    const t = castTo(x(c), c.config.dtype);
    return add(zerosLike(t), toTensor(arg(c, 1, 'fillValue'), t.dtype));
  },
});

function castTo(t: Tensor, dtype: Value | undefined): Tensor {
  if (dtype === null || dtype === undefined) return t;
  const d = tfjsDtype(dtype);
  return t.dtype === d ? t : cast(t, d);
}

defineOps('math', {
  Rsqrt: float(rsqrt),
  Erf: float(erf),
  Erfc: float((t) => sub(1, erf(t))),
});

/** Keras' core.Cast and the TensorFlow cast tf.keras records. */
defineOps('core', {
  Cast: (c) => castTo(x(c), c.config.dtype),
  StopGradient: (c) => toTensor(arg(c, 0, 'variable')).clone(),
  ConvertToTensor: (c) => castTo(x(c), c.config.dtype),
});

