/**
 * Neural-network operations (keras/src/ops/nn.py): the activations as operations (what
 * `keras.ops.relu(x)` or `tf.nn.relu(x)` records), softmax and log_softmax over any axis,
 * one_hot, normalize, rms_norm, layer_norm, moments, depth_to_space / space_to_depth. Formulas
 * are Keras 3.15's TensorFlow backend (keras/src/backend/tensorflow/nn.py).
 */
import {
  abs, add, cast, clipByValue, depthToSpace, div, elu, erf, expm1, greater, greaterEqual, less, lessEqual, logSigmoid,
  logSoftmax, maximum, mean, minimum, moments, mul, neg, oneHot, pow, relu, relu6, reshape, rsqrt, selu, sigmoid, softmax, softplus,
  split, sqrt, square, sub, sum, tanh, transpose, where, zerosLike, type Tensor,
} from '@tensorflow/tfjs-core';
import { arg, asFloat, axesOf, defineOps, setting, tfjsDtype, toTensor, type OpCall } from './registry.js';

const fx = (c: OpCall): Tensor => asFloat(arg(c, 0, 'x'));
const unary = (f: (t: Tensor, c: OpCall) => Tensor) => (c: OpCall) => f(fx(c), c);

/** softmax / log_softmax along one axis (axis None: over all values, as Keras reshapes). */
function alongAxis(f: (t: Tensor) => Tensor) {
  return (c: OpCall): Tensor => {
    const t = fx(c);
    const axis = setting(c, 'axis', -1);
    if (axis === null) return reshape(f(reshape(t, [-1])), t.shape);
    const a = (axis as number) < 0 ? (axis as number) + t.rank : (axis as number);
    if (a === t.rank - 1) return f(t);
    const perm = t.shape.map((_, i) => i);
    [perm[a], perm[t.rank - 1]] = [perm[t.rank - 1], perm[a]];
    return transpose(f(transpose(t, perm)), perm);
  }
}

const hardSigmoid = (t: Tensor): Tensor => div(relu6(add(t, 3)), 6);

/** tf.nn.gelu: exact 0.5·x·(1 + erf(x/√2)), or the tanh approximation. */
export function gelu(t: Tensor, approximate: boolean): Tensor {
  if (approximate) {
    const inner = mul(Math.sqrt(2 / Math.PI), add(t, mul(0.044715, pow(t, 3))));
    return mul(mul(0.5, t), add(1, tanh(inner)));
  }
  return mul(mul(0.5, t), add(1, erf(div(t, Math.SQRT2))));
}

defineOps('nn', {
  Relu: unary(relu),
  Relu6: unary(relu6),
  Sigmoid: unary(sigmoid),
  Softplus: unary(softplus),
  Softsign: unary((t) => div(t, add(abs(t), 1))),
  Silu: unary((t) => mul(t, sigmoid(t))),
  LogSigmoid: unary(logSigmoid),
  LeakyRelu: unary((t, c) => {
    const slope = Number(setting(c, 'negativeSlope', 0.2));
    return slope <= 1 ? maximum(mul(t, slope), t) : minimum(mul(t, slope), t);
  }),
  HardSigmoid: unary(hardSigmoid),
  HardSilu: unary((t) => mul(t, hardSigmoid(t))),
  Elu: unary((t, c) => {
    const alpha = Number(setting(c, 'alpha', 1));
    const e = elu(t);
    return alpha === 1 ? e : where(greater(t, 0), e, mul(alpha, e));
  }),
  Selu: unary(selu),
  Gelu: unary((t, c) => gelu(t, setting(c, 'approximate', true) !== false)),
  Celu: unary((t, c) => {
    const alpha = Number(setting(c, 'alpha', 1));
    return add(maximum(t, 0), mul(alpha, expm1(div(minimum(t, 0), alpha))));
  }),
  Glu: (c) => {
    const t = fx(c);
    const axis = Number(setting(c, 'axis', -1));
    const [a, b] = split(t, 2, axis < 0 ? axis + t.rank : axis);
    return mul(a, sigmoid(b));
  },
  TanhShrink: unary((t) => sub(t, tanh(t))),
  HardTanh: unary((t) => clipByValue(t, -1, 1)),
  HardShrink: unary((t, c) => where(greater(abs(t), Number(setting(c, 'threshold', 0.5))), t, zerosLike(t))),
  SoftShrink: unary((t, c) => {
    const th = Number(setting(c, 'threshold', 0.5));
    return where(greater(t, th), sub(t, th), where(less(t, -th), add(t, th), zerosLike(t)));
  }),
  SparsePlus: unary((t) => where(lessEqual(t, -1), zerosLike(t), where(less(t, 1), mul(0.25, pow(add(t, 1), 2)), t))),
  SparseSigmoid: unary((t) => where(lessEqual(t, -1), zerosLike(t), where(greaterEqual(t, 1), add(zerosLike(t), 1), mul(0.5, add(t, 1))))),
  Squareplus: unary((t, c) => div(add(t, sqrt(add(square(t), Number(setting(c, 'b', 4))))), 2)),
  Threshold: unary((t, c) => where(greater(t, Number(setting(c, 'threshold', 0))), t, add(zerosLike(t), Number(setting(c, 'defaultValue', 0))))),
  Softmax: alongAxis((t) => softmax(t, -1)),
  LogSoftmax: alongAxis((t) => logSoftmax(t, -1)),
  OneHot: (c) => {
    const indices = cast(toTensor(arg(c, 0, 'x')), 'int32');
    const depth = Number(setting(c, 'numClasses', 1));
    const axis = Number(setting(c, 'axis', -1));
    // tfjs-backend-wasm's oneHot writes int32 bits into a float32 result (1 reads as 1.4e-45):
    // one-hot in int32, then cast.
    let out = cast(oneHot(indices, depth), 'float32');
    if (axis !== -1 && axis !== out.rank - 1) {
      const a = axis < 0 ? axis + out.rank : axis;
      const perm = out.shape.map((_, i) => i);
      perm.splice(a, 0, perm.pop() as number);
      out = transpose(out, perm);
    }
    const dtype = tfjsDtype(setting(c, 'dtype', 'float32'));
    return dtype === 'float32' ? out : cast(out, dtype);
  },
  Normalize: (c) => {
    const t = fx(c);
    const axes = axesOf(setting(c, 'axis', -1), t.rank) ?? undefined;
    const order = Number(setting(c, 'order', 2));
    const epsilon = setting(c, 'epsilon', null);
    const eps = epsilon === null ? 1e-7 : Number(epsilon);
    if (order === 2) {
      // x · min(rsqrt(Σx²), 1/ε): Keras' L2 special case.
      return mul(t, minimum(rsqrt(sum(square(t), axes, true)), 1 / eps));
    }
    const norm = pow(sum(pow(abs(t), order), axes, true), 1 / order);
    return div(t, maximum(norm, eps));
  },
  RMSNorm: (c) => {
    const t = fx(c);
    const axes = axesOf(setting(c, 'axis', -1), t.rank) ?? undefined;
    const epsilon = setting(c, 'epsilon', null);
    const eps = epsilon === null ? 1e-7 : Number(epsilon);
    const scale = arg(c, 1, 'scale', null);
    const normed = mul(t, rsqrt(add(mean(square(t), axes, true), eps)));
    return scale === null ? normed : mul(normed, toTensor(scale));
  },
  LayerNorm: (c) => {
    const t = fx(c);
    const axes = axesOf(setting(c, 'axis', -1), t.rank) ?? t.shape.map((_, i) => i);
    const epsilon = setting(c, 'epsilon', null);
    const eps = epsilon === null ? 1e-7 : Number(epsilon);
    const gamma = arg(c, 1, 'gamma', null);
    const beta = arg(c, 2, 'beta', null);
    // Keras: inv = rsqrt(var + ε)·γ, out = x·inv + (β − mean·inv); rms_scaling uses the variance too.
    const m = moments(t, axes, true);
    let inv = rsqrt(add(m.variance, eps));
    if (gamma !== null) inv = mul(inv, toTensor(gamma));
    if (setting(c, 'rmsScaling', false) === true) return mul(t, inv);
    let res = mul(neg(m.mean), inv);
    if (beta !== null) res = add(res, toTensor(beta));
    return add(mul(t, inv), res);
  },
  Moments: (c) => {
    const t = fx(c);
    const m = moments(t, axesOf(setting(c, 'axes', null), t.rank) ?? t.shape.map((_, i) => i), setting(c, 'keepdims', false) === true);
    return [m.mean, m.variance];
  },
  DepthToSpace: (c) => spaceDepth(c, true),
  SpaceToDepth: (c) => spaceDepth(c, false),
});

/** depth_to_space / space_to_depth, channels last or first (tfjs has depthToSpace for NHWC). */
function spaceDepth(c: OpCall, toSpace: boolean): Tensor {
  let t = fx(c);
  const block = Number(setting(c, 'blockSize', 2));
  const first = String(setting(c, 'dataFormat', 'channelsLast')).toLowerCase().replace('_', '') === 'channelsfirst';
  if (first) t = transpose(t, [0, 2, 3, 1]);
  let out: Tensor;
  if (toSpace) {
    out = depthToSpace(t as Parameters<typeof depthToSpace>[0], block, 'NHWC');
  } else {
    const [b, h, w, ch] = t.shape;
    const r = reshape(t, [b, h / block, block, w / block, block, ch]);
    out = reshape(transpose(r, [0, 1, 3, 2, 4, 5]), [b, h / block, w / block, block * block * ch]);
  }
  return first ? transpose(out, [0, 3, 1, 2]) : out;
}

