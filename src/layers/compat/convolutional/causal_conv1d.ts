/**
 * CausalConv1D: Keras' `Conv1D(padding='causal')`, which tfjs accepts in a config but throws on
 * when run ("CAUSAL padding mode ... not implemented"). Keras computes it as a 'valid'
 * convolution of the input left-padded with `dilation_rate · (kernel_size − 1)` zeros along
 * time (keras/src/ops/nn.py `_causal_padding`), which is what this subclass of tfjs' Conv1D
 * does. Weights and their names are Conv1D's (`kernel`, `bias`).
 */
import { pad, serialization, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { registeredClass } from '../registered.js';

type ConvArgs = Parameters<typeof layers.conv1d>[0];
type Conv1DInstance = ReturnType<typeof layers.conv1d>;
type Shape = Array<number | null>;
type Kwargs = Record<string, unknown>;

const Conv1DBase = registeredClass<new (args: ConvArgs) => Conv1DInstance>('Conv1D');

export class CausalConv1D extends Conv1DBase {
  static className = 'CausalConv1D';
  /** Zeros added before the first time step. */
  private readonly leftPad: number;
  private readonly timeAxis: number;

  constructor(args: ConvArgs) {
    super({ ...args, padding: 'valid' });
    const k = Array.isArray(args.kernelSize) ? args.kernelSize[0] : args.kernelSize;
    const d = Array.isArray(args.dilationRate) ? args.dilationRate[0] : (args.dilationRate ?? 1);
    this.leftPad = d * (k - 1);
    this.timeAxis = args.dataFormat === 'channelsFirst' ? 2 : 1;
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    return tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const paddings: Array<[number, number]> = [[0, 0], [0, 0], [0, 0]];
      paddings[this.timeAxis] = [this.leftPad, 0];
      return super.call(pad(x, paddings), kwargs);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const shape = [...((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape)];
    const steps = shape[this.timeAxis];
    shape[this.timeAxis] = steps === null ? null : steps + this.leftPad;
    return super.computeOutputShape(shape);
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), padding: 'causal' };
  }
}
// The base class comes from tfjs' registry, typed without its (inherited) static fromConfig.
serialization.registerClass(CausalConv1D as unknown as serialization.SerializableConstructor<CausalConv1D>);
