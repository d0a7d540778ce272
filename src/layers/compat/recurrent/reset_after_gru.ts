/**
 * ResetAfterGRU: Keras' GRU with `reset_after=True` (the default of tf.keras 2 and Keras 3) as a
 * tfjs layer — tfjs' generic RNN around keras2tfjs' ResetAfterGRUCell, under its own class name.
 *
 * Why not tfjs' `RNN` itself: tfjs' `RNN.fromConfig` writes the deserialized cell back into the
 * config object it is handed, and tfjs' Bidirectional deserializes its forward and backward
 * layers from one shared config, so the backward copy finds a cell instance where a cell config
 * belongs and tfjs refuses the model. This class reads its config without changing it, and its
 * config carries the cell (tfjs' RNN adds the cell only when the class is exactly `RNN`).
 * Weights and their names are the cell's: `kernel`, `recurrent_kernel`, `bias` ([2, 3·units]).
 */
import { serialization } from '@tensorflow/tfjs-core';
import { RNN } from '@tensorflow/tfjs-layers';

export class ResetAfterGRU extends RNN {
  static override className = 'ResetAfterGRU';

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), cell: { className: this.cell.getClassName(), config: this.cell.getConfig() } };
  }

  /** tfjs' RNN.fromConfig, handed a copy: the caller's config keeps its cell config. */
  static override fromConfig<T extends serialization.Serializable>(
    cls: serialization.SerializableConstructor<T>,
    config: serialization.ConfigDict,
    customObjects?: serialization.ConfigDict,
  ): T {
    return super.fromConfig(cls, { ...config }, customObjects);
  }
}
serialization.registerClass(ResetAfterGRU);
