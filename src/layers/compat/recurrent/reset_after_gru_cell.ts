/**
 * ResetAfterGRUCell: Keras' GRU cell with `reset_after=True` — the default of tf.keras 2 (TF)
 * and Keras 3 — which tfjs' GRUCell refuses. The converter wraps it in keras2tfjs' ResetAfterGRU
 * (tfjs' generic RNN under its own name; models converted before it used `RNN` and still load),
 * so a converted GRU keeps its name and its weights (`gru/kernel`,
 * `gru/recurrent_kernel`, `gru/bias` with Keras' `[2, 3·units]` bias: input and recurrent).
 *
 * Keras (keras/src/layers/rnn/gru.py, reset_after branch):
 *   [x_z, x_r, x_h] = x·W + b_in
 *   [r_z, r_r, r_h] = h·U + b_rec
 *   z = σ(x_z + r_z);  r = σ(x_r + r_r);  ĥ = tanh(x_h + r ⊙ r_h);  h' = z ⊙ h + (1 − z) ⊙ ĥ
 * Dropout masks (training only) are drawn once per sequence like Keras, with tfjs' dropout.
 */
import { add, dropout, keep, matMul, mul, onesLike, reshape, serialization, split, sub, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { registeredClass } from '../registered.js';
// The layer that runs this cell registers with it: whatever can load the cell can load the layer.
import './reset_after_gru.js';

type GRUCellArgs = Parameters<typeof layers.gruCell>[0];
type GRUCellInstance = ReturnType<typeof layers.gruCell>;
type Shape = Array<number | null>;
type Kwargs = Record<string, unknown>;

const GRUCellBase = registeredClass<new (args: GRUCellArgs) => GRUCellInstance>('GRUCell');

export class ResetAfterGRUCell extends GRUCellBase {
  static className = 'ResetAfterGRUCell';

  constructor(args: GRUCellArgs) {
    // tfjs' GRUCell throws on resetAfter; this class is the reset-after variant.
    super({ ...args, resetAfter: false });
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const inputDim = shape[shape.length - 1] as number;
    const u = this.units;
    this.kernel = this.addWeight('kernel', [inputDim, 3 * u], undefined, this.kernelInitializer, this.kernelRegularizer, true, this.kernelConstraint);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [u, 3 * u], undefined, this.recurrentInitializer, this.recurrentRegularizer, true, this.recurrentConstraint);
    // Row 0: the input bias, row 1: the recurrent bias (Keras' layout).
    this.bias = this.useBias ? this.addWeight('bias', [2, 3 * u], undefined, this.biasInitializer, this.biasRegularizer, true, this.biasConstraint) : (null as unknown as typeof this.bias);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor[] {
    return tidy(() => {
      const [x0, h0] = inputs as Tensor[];
      const training = kwargs['training'] === true;
      let x = x0;
      let h = h0;
      if (training && this.dropout > 0 && this.dropout < 1) {
        this.dropoutMask ??= keep(dropout(onesLike(x0), this.dropout));
        x = mul(x, this.dropoutMask as Tensor);
      }
      if (training && this.recurrentDropout > 0 && this.recurrentDropout < 1) {
        this.recurrentDropoutMask ??= keep(dropout(onesLike(h0), this.recurrentDropout));
        h = mul(h, this.recurrentDropoutMask as Tensor);
      }
      let matrixX = matMul(x, this.kernel.read());
      let matrixInner = matMul(h, this.recurrentKernel.read());
      if (this.useBias) {
        const [inputBias, recurrentBias] = split(this.bias.read(), 2, 0).map((b) => reshape(b, [-1]));
        matrixX = add(matrixX, inputBias);
        matrixInner = add(matrixInner, recurrentBias);
      }
      const [xZ, xR, xH] = split(matrixX, 3, -1);
      const [rZ, rR, rH] = split(matrixInner, 3, -1);
      const z = this.recurrentActivation.apply(add(xZ, rZ));
      const r = this.recurrentActivation.apply(add(xR, rR));
      const hh = this.activation.apply(add(xH, mul(r, rH)));
      // Keras blends with the (recurrent-dropped, when training) previous state.
      const next = add(mul(z, h), mul(sub(1, z), hh));
      return [next, next];
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), resetAfter: true };
  }
}
// The base class comes from tfjs' registry, typed without its (inherited) static fromConfig.
serialization.registerClass(ResetAfterGRUCell as unknown as serialization.SerializableConstructor<ResetAfterGRUCell>);
