/**
 * Element-wise merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum) that hand on
 * masks as Keras does. The values are tfjs' (or keras2tfjs' Subtract); only the output mask
 * differs, and only matters in models with masks (Embedding(mask_zero=True), Masking), where
 * the converter uses these classes (normalize/masks.ts):
 *
 *   'or'   Keras 3: no mask if any input has none, else the inputs' masks or-ed
 *   'and'  tf.keras: the present masks and-ed (none if no input has one)
 *
 * tfjs' own Merge keeps only its first input's mask and adds a leading axis of size 1 to it,
 * which a mask-reading layer after a residual connection (an RNN, attention) then misreads.
 */
import { logicalAnd, logicalOr, serialization, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { registeredClass } from '../registered.js';
import './subtract.js';

type MergeArgs = Record<string, unknown> & { maskRule?: 'or' | 'and' };
type MergeCtor = new (args: MergeArgs) => { computeMask(inputs: Tensor | Tensor[], mask?: Tensor | Tensor[]): Tensor; getConfig(): serialization.ConfigDict };

function masked(base: string): void {
  const Base = registeredClass<MergeCtor>(base);
  const cls = class extends Base {
    static className = `Masked${base}`;
    readonly maskRule: 'or' | 'and';
    constructor(args: MergeArgs) {
      super(args);
      this.maskRule = args.maskRule === 'and' ? 'and' : 'or';
    }
    override computeMask(_inputs: Tensor | Tensor[], mask?: Tensor | Tensor[]): Tensor {
      const list = (Array.isArray(mask) ? mask : [mask]) as Array<Tensor | null | undefined>;
      const none = null as unknown as Tensor;
      if (this.maskRule === 'or' && list.some((m) => m == null)) return none;
      const present = list.filter((m): m is Tensor => m != null);
      if (present.length === 0) return none;
      return tidy(() => present.slice(1).reduce((acc, m) => (this.maskRule === 'or' ? logicalOr(acc, m) : logicalAnd(acc, m)), present[0]));
    }
    override getConfig(): serialization.ConfigDict {
      return { ...super.getConfig(), maskRule: this.maskRule };
    }
  };
  serialization.registerClass(cls as unknown as serialization.SerializableConstructor<serialization.Serializable>);
}

export const MASKED_MERGES = ['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum'];
for (const base of MASKED_MERGES) masked(base);
