/**
 * InferenceIdentity: a Keras layer that returns its input unchanged when the model predicts,
 * kept with its Keras class and config so that exportKeras writes it back as that layer:
 *
 *   - the random augmentation layers (RandomFlip, RandomRotation, RandomZoom, RandomContrast,
 *     ..., MixUp, CutMix, RandAugment, ...): Keras applies them only with training=True;
 *   - Identity; ActivityRegularization (its penalty is a training loss, not an output change).
 *
 * tfjs has none of them. Training in tfjs does not augment: the augmentation is random by
 * design and not reproduced (a warning says so when the converter meets one).
 *
 * The class and config travel hex-encoded (ops/template.ts): tfjs rewrites the strings of a
 * layer config on load and save ('RandomFlip' would come back 'random_flip').
 */
import { serialization, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { decodeStrings, encodeString, type Stored } from '../ops/template.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;

export interface InferenceIdentityArgs extends LayerArgs {
  /** The Keras class it stands for ('RandomFlip'), plain or encoded. */
  kerasClass: string | Stored;
  /** That layer's own Keras config (without name, trainable, dtype) as JSON text, plain or encoded. */
  kerasConfig?: string | Stored;
}

export class InferenceIdentity extends layers.Layer {
  static className = 'InferenceIdentity';
  readonly kerasClass: string;
  readonly kerasConfig: serialization.ConfigDict;

  constructor(args: InferenceIdentityArgs) {
    super(args);
    this.kerasClass = String(decodeStrings(args.kerasClass));
    this.kerasConfig = JSON.parse(String(decodeStrings(args.kerasConfig ?? '{}'))) as serialization.ConfigDict;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => (Array.isArray(inputs) ? inputs[0] : inputs).clone());
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      kerasClass: encodeString(this.kerasClass) as serialization.ConfigDictValue,
      kerasConfig: encodeString(JSON.stringify(this.kerasConfig)) as serialization.ConfigDictValue,
    };
  }
}
serialization.registerClass(InferenceIdentity);
