/**
 * Subtract: Keras' merge layer `x1 − x2` (siamese and difference models), which tfjs lacks. It
 * is tfjs' Merge (the base of its Add, Multiply, ...: shape checks, broadcasting of unequal
 * ranks, masks) with Keras' rule of exactly two inputs.
 */
import { serialization, sub, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { invalidArgument } from '../../../errors.js';
import { registeredClass } from '../registered.js';

type MergeInstance = InstanceType<ReturnType<typeof mergeBase>>;
type Shape = Array<number | null>;

/** tfjs' (unexported) Merge base class, reached through Add, which it registered. */
function mergeBase() {
  const Add = registeredClass<abstract new (args?: object) => { build(s: Shape | Shape[]): void; mergeFunction(inputs: Tensor[]): Tensor }>('Add');
  return Object.getPrototypeOf(Add) as typeof Add;
}
const MergeBase = mergeBase();

export class Subtract extends MergeBase {
  static className = 'Subtract';

  override build(inputShape: Shape | Shape[]): void {
    if (!Array.isArray(inputShape[0]) || inputShape.length !== 2) {
      throw invalidArgument('inputs', 'exactly 2 tensors (Keras Subtract)', Array.isArray(inputShape[0]) ? inputShape.length : 1);
    }
    super.build(inputShape);
  }

  override mergeFunction(inputs: Tensor[]): Tensor {
    return tidy(() => sub(inputs[0], inputs[1]));
  }
}
serialization.registerClass(Subtract as unknown as serialization.SerializableConstructor<MergeInstance & serialization.Serializable>);
