/**
 * KerasStackedRNNCells: tfjs' StackedRNNCells, which loads a model's weights only if its cells'
 * initializers can run: tfjs skips the initializers of a layer whose weights are about to be
 * loaded (setFastWeightInitDuringBuild), RNN hands that on to its cell, but StackedRNNCells does
 * not hand it on to its cells, so their Orthogonal recurrent initializer runs, and it fails
 * without tfjs' chained operations ("rMat.flatten is not a function"). This class hands it on,
 * and keeps its name when loaded (tfjs' fromConfig drops it). Same computation, same weights
 * (`<rnn>/RNNCell_<i>/kernel`, ...).
 */
import { serialization } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { registeredClass } from '../registered.js';
import { layerFrom } from '../serialized.js';

type StackedArgs = Parameters<typeof layers.stackedRNNCells>[0];
type StackedInstance = ReturnType<typeof layers.stackedRNNCells> & { cells: Array<{ setFastWeightInitDuringBuild(v: boolean): void }> };

const StackedRNNCellsBase = registeredClass<new (args: StackedArgs) => StackedInstance>('StackedRNNCells');

export class KerasStackedRNNCells extends StackedRNNCellsBase {
  static className = 'KerasStackedRNNCells';

  static fromConfig<T extends serialization.Serializable>(
    cls: serialization.SerializableConstructor<T>, config: serialization.ConfigDict,
  ): T {
    const cells = (config.cells as Array<{ className: string; config: serialization.ConfigDict }>).map(layerFrom);
    return new (cls as unknown as new (args: StackedArgs) => T)({ cells, name: config.name as string, trainable: config.trainable as boolean } as StackedArgs);
  }

  override setFastWeightInitDuringBuild(value: boolean): void {
    super.setFastWeightInitDuringBuild(value);
    for (const cell of this.cells) cell.setFastWeightInitDuringBuild(value);
  }
}
// The base class comes from tfjs' registry, typed without its (inherited) static fromConfig.
serialization.registerClass(KerasStackedRNNCells as unknown as serialization.SerializableConstructor<KerasStackedRNNCells>);
