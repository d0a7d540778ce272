/**
 * KerasOperation: one operation node of a Keras functional graph as a tfjs layer. Keras 3
 * records `keras.ops` calls on symbolic tensors (`x + 3.0`, `ops.mean(x, axis=1)`,
 * `x[:, 0]`) as operation nodes beside the layers, and tf.keras records TensorFlow calls as
 * TFOpLambda / SlicingOpLambda layers; tfjs' config format knows neither. The converter
 * (normalize/operations.ts) turns each into this layer: the operation's id in keras2tfjs' table
 * (registry.ts), its settings, and the call's arguments with every tensor replaced by a marker
 * for one of the layer's inputs (template.ts). exportKeras writes it back as the Keras 3
 * operation node.
 *
 * Output shapes come from running the operation on zeros twice, unknown sizes set to 2 and
 * then 3: an output size that differs between the runs depends on an unknown input size and is
 * unknown itself. Masks stop here, as Keras operations do not pass them on.
 */
import { serialization, tidy, zeros, type DataType, type Tensor } from '@tensorflow/tfjs-core';
import { layers, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { invalidArgument } from '../../../errors.js';
import { lookupOp, type OpCall, type OpSpec } from './registry.js';
import { countTensors, decodeStrings, resolve, type Value } from './template.js';
import './index.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Shape = Array<number | null>;
type Kwargs = Record<string, unknown>;

export interface KerasOperationArgs extends LayerArgs {
  /** The operation's id in keras2tfjs' table: 'numpy.add', 'nn.softmax', 'tf.linalg.matmul'. */
  op: string;
  /** The operation's own settings (Keras' get_config of the operation, without its name). */
  opConfig?: Record<string, unknown>;
  /** The call's positional arguments, tensors as `{tensor: i}` (see template.ts). */
  args?: unknown[];
  /** The call's keyword arguments, tensors as `{tensor: i}`. */
  kwargs?: Record<string, unknown>;
}

export class KerasOperation extends layers.Layer {
  static className = 'KerasOperation';
  readonly op: string;
  readonly opConfig: Record<string, unknown>;
  readonly callArgs: unknown[];
  readonly callKwargs: Record<string, unknown>;
  private readonly spec: OpSpec;
  private readonly inputCount: number;
  private inputDtypes: DataType[] | null = null;
  private outputDtypes: DataType[] | null = null;

  constructor(args: KerasOperationArgs) {
    super(args);
    const spec = lookupOp(String(args.op));
    if (!spec) throw invalidArgument('op', 'an operation keras2tfjs implements', args.op);
    this.spec = spec;
    this.op = spec.id;
    this.opConfig = args.opConfig ?? {};
    this.callArgs = args.args ?? [];
    this.callKwargs = args.kwargs ?? {};
    this.inputCount = countTensors([this.callArgs, this.callKwargs]);
    this.supportsMasking = true;
  }

  /** Records the symbolic inputs' dtypes for the shape probe, and gives outputs theirs. */
  override apply(inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], kwargs?: Kwargs): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    const list = (Array.isArray(inputs) ? inputs : [inputs]) as Array<{ dtype: DataType }>;
    this.inputDtypes = list.map((t) => t.dtype);
    const out = super.apply(inputs, kwargs);
    const outputs = (Array.isArray(out) ? out : [out]) as Array<{ dtype: DataType; dataId?: unknown }>;
    if (this.outputDtypes && outputs.every((o) => o.dataId === undefined)) {
      outputs.forEach((o, i) => {
        if (this.outputDtypes?.[i]) (o as { dtype: DataType }).dtype = this.outputDtypes[i];
      });
    }
    return out;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const shapes = (this.inputCount === 1 ? [inputShape] : inputShape) as Shape[];
    const first = this.probe(shapes, 2);
    const second = this.probe(shapes, 3);
    this.outputDtypes = first.map((o) => o.dtype);
    const merged = first.map((o, i) => o.shape.map((d, k) => (second[i].shape[k] === d ? d : null)));
    return this.returnsList ? merged : merged[0];
  }

  /** No masks out: one null per output. */
  override computeMask(): Tensor | Tensor[] {
    const none = null as unknown as Tensor;
    return this.outputCount > 1 || this.returnsList ? Array.from({ length: this.outputCount }, () => none) : none;
  }

  override call(inputs: Tensor | Tensor[]): Tensor | Tensor[] {
    return tidy(() => this.compute(Array.isArray(inputs) ? inputs : [inputs]));
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      op: this.op,
      opConfig: this.opConfig as serialization.ConfigDict,
      args: this.callArgs as serialization.ConfigDictValue,
      kwargs: this.callKwargs as serialization.ConfigDict,
    };
  }

  private compute(inputs: Tensor[]): Tensor | Tensor[] {
    const tensor = (i: number): Tensor => {
      if (i >= inputs.length) throw new Error(`operation '${this.op}' of layer '${this.name}' needs input ${i}`);
      return inputs[i];
    };
    const call: OpCall = {
      config: decodeStrings(this.opConfig) as Record<string, Value>,
      args: resolve(this.callArgs, tensor) as Value[],
      kwargs: resolve(this.callKwargs, tensor) as Record<string, Value>,
    };
    const out = this.spec.run(call);
    this.returnsList = Array.isArray(out);
    this.outputCount = Array.isArray(out) ? out.length : 1;
    return out;
  }

  /** Whether the op returns a list (split, unstack, top_k, moments), and how many tensors. */
  private returnsList = false;
  private outputCount = 1;

  private probe(shapes: Shape[], unknown: number): Array<{ shape: number[]; dtype: DataType }> {
    return tidy(() => {
      const inputs = shapes.map((s, i) => zeros(s.map((d) => d ?? unknown), this.inputDtypes?.[i] ?? 'float32'));
      const out = this.compute(inputs);
      return (Array.isArray(out) ? out : [out]).map((t) => ({ shape: [...t.shape], dtype: t.dtype }));
    });
  }
}
serialization.registerClass(KerasOperation);
