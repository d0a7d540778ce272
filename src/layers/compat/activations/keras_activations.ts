/**
 * Keras activations that tfjs lacks or computes otherwise, as tfjs activation classes: tfjs looks
 * an activation up by name in its serialization registry (`getActivation('hardSilu')`), so a
 * converted `Dense(activation='hard_silu')` or `Activation('hard_silu')` loads in any tfjs app
 * that imports keras2tfjs. The names are Keras' own, camel-cased as tfjs reads them from
 * model.json ('hard_silu' → 'hardSilu'); Keras 3's `hard_sigmoid` is `keras3HardSigmoid`
 * because tfjs already owns 'hardSigmoid' for Keras 2's different slope (0.2x + 0.5).
 *
 * Each formula follows Keras 3.15's TensorFlow backend (keras/src/backend/tensorflow/nn.py),
 * in its order of float operations.
 */
import {
  abs, add, cast, clipByValue, cumsum, div, exp, expm1, greater, greaterEqual, less, lessEqual, logSigmoid, maximum, minimum,
  mul, range, relu6, reshape, serialization, sigmoid, sqrt, square, sub, sum, tanh, tidy, topk, where, zerosLike,
  type Tensor,
} from '@tensorflow/tfjs-core';
import { nameTable } from '../../../name_table.js';
import { registeredClass } from '../registered.js';

/** tfjs' (unexported) Activation base class, reached through a class it registered. */
type ActivationInstance = serialization.Serializable & { apply(x: Tensor, axis?: number): Tensor };
const ActivationBase = Object.getPrototypeOf(registeredClass<new () => ActivationInstance>('relu')) as new () => ActivationInstance;

/** One activation: its tfjs class name and its formula. */
function define(className: string, formula: (x: Tensor) => Tensor): void {
  const cls = class extends ActivationBase {
    static className = className;
    override apply(x: Tensor): Tensor {
      return tidy(() => formula(x));
    }
    override getConfig(): serialization.ConfigDict {
      return {};
    }
  };
  serialization.registerClass(cls as unknown as serialization.SerializableConstructor<ActivationInstance>);
}

/** Keras 3 hard_sigmoid: relu6(x + 3) / 6. */
function hardSigmoid(x: Tensor): Tensor {
  return div(relu6(add(x, 3)), 6);
}

define('keras3HardSigmoid', hardSigmoid);
// hard_swish is Keras' alias of hard_silu (saved as 'hard_silu'); both spellings load.
define('hardSilu', (x) => mul(x, hardSigmoid(x)));
define('hardSwish', (x) => mul(x, hardSigmoid(x)));
define('leakyRelu', (x) => maximum(mul(x, 0.2), x));
define('celu', (x) => add(maximum(x, 0), expm1(minimum(x, 0))));
define('hardTanh', (x) => clipByValue(x, -1, 1));
define('hardShrink', (x) => where(greater(abs(x), 0.5), x, zerosLike(x)));
define('softShrink', (x) => where(greater(x, 0.5), sub(x, 0.5), where(less(x, -0.5), add(x, 0.5), zerosLike(x))));
define('tanhShrink', (x) => sub(x, tanh(x)));
define('sparsePlus', (x) => where(lessEqual(x, -1), zerosLike(x), where(less(x, 1), mul(0.25, square(add(x, 1))), x)));
define('sparseSigmoid', (x) => where(lessEqual(x, -1), zerosLike(x), where(greaterEqual(x, 1), add(zerosLike(x), 1), mul(0.5, add(x, 1)))));
define('squareplus', (x) => div(add(x, sqrt(add(square(x), 4))), 2));
define('logSigmoid', (x) => logSigmoid(x));
define('exponential', (x) => exp(x));
define('sparsemax', sparsemax);

/**
 * Sparsemax over the last axis (Martins & Astudillo 2016), as Keras computes it: sort
 * descending, find the support {k : 1 + k·z_(k) > Σ_{j≤k} z_(j)}, threshold τ, max(z − τ, 0).
 */
function sparsemax(x: Tensor): Tensor {
  const n = x.shape[x.shape.length - 1] as number;
  const sorted = topk(x, n, true).values;
  const cumulative = cumsum(sorted, x.rank - 1); // tfjs cumsum takes no negative axis
  const ranks = reshape(range(1, n + 1, 1, 'float32'), [...Array(x.rank - 1).fill(1), n]);
  const support = greater(sub(sorted, div(sub(cumulative, 1), ranks)), 0);
  const k = sum(cast(support, 'float32'), -1, true);
  const tau = div(sub(sum(where(support, cumulative, zerosLike(cumulative)), -1, true), 1), k);
  return maximum(sub(x, tau), 0);
}

/** The Keras activation names this module adds, as they appear in a Keras config. */
export const KERAS_ONLY_ACTIVATIONS: Readonly<Record<string, string>> = nameTable({
  hard_silu: 'hard_silu',
  hard_swish: 'hard_silu',
  leaky_relu: 'leaky_relu',
  celu: 'celu',
  hard_tanh: 'hard_tanh',
  hard_shrink: 'hard_shrink',
  soft_shrink: 'soft_shrink',
  tanh_shrink: 'tanh_shrink',
  sparse_plus: 'sparse_plus',
  sparse_sigmoid: 'sparse_sigmoid',
  squareplus: 'squareplus',
  log_sigmoid: 'log_sigmoid',
  exponential: 'exponential',
  sparsemax: 'sparsemax',
});
