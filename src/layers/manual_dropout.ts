/**
 * ManualDropout: a Keras-compatible dropout layer for TensorFlow.js.
 *
 * Unlike `tf.layers.dropout` (which draws the same mask on every call of a seeded layer),
 * a seeded ManualDropout steps through a stream like Keras 3's `SeedGenerator`: its n-th
 * mask-drawing call uses the seed pair `[seed, n]`. With `rng: 'tensorflow'` (the default)
 * or `rng: 'jax'` the masks are the ones Keras' TensorFlow / JAX backends draw for the same
 * seed and step, so a model converted from Python drops the same units.
 *
 * Learned from tfjs-layers `layers/core.ts` (Dropout) and Keras 3
 * `layers/regularization/dropout.py`; the stream facts are in notes/dropout-rng.md.
 */
import { cast, getBackend, greaterEqual, mul, randomUniform, scalar, serialization, tensor, tidy, util, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { ErrorCode, Keras2TfjsError, invalidArgument } from '../errors.js';
import { philoxDropoutMask } from '../random/philox.js';
import { threefryDropoutMask } from '../random/threefry.js';
import { inPlaceTensor } from '../random/kernels/backend_tensor.js';
import { jaxKeyPair, SeedState, tfSeedPair } from '../random/seed_state.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
// tfjs-layers does not export its Kwargs type (string keys, e.g. `training`); this is its shape.
type Kwargs = Record<string, unknown>;

/** How kept units are scaled: Keras' inverted dropout, or the original paper's test-time scaling. */
export type DropoutScaling = 'train' | 'test';
/** Which random stream draws the masks. */
export type DropoutRng = 'tensorflow' | 'jax' | 'tfjs';

const SCALINGS: readonly DropoutScaling[] = ['train', 'test'];
const RNGS: readonly DropoutRng[] = ['tensorflow', 'jax', 'tfjs'];

/** Backends whose comparison ops run in float32 exactly, where rng 'tfjs' thresholds on the device. */
const FLOAT32_OP_BACKENDS: ReadonlySet<string> = new Set(['wasm', 'tensorflow']);

/** Keras' `make_default_seed`: an unseeded generator starts from randint(1, 1e9). */
const MAX_DEFAULT_SEED = 1e9;

export interface ManualDropoutArgs extends LayerArgs {
  /** Fraction of the input units to drop, a number in [0, 1). 0 makes the layer the identity. */
  rate: number;
  /**
   * Shape of the binary mask, broadcast against the input; each entry is the input's size
   * on that axis, 1 (one decision shared along the axis), or null (= the input's size).
   * E.g. `[null, 1, null]` on `(batch, steps, features)` input keeps the mask fixed over time steps.
   * Default: the input's shape.
   */
  noiseShape?: Array<number | null> | null;
  /**
   * Non-negative integer seed. The n-th call that draws a mask uses the pair `[seed, n]`, so a
   * new layer with the same seed replays the same sequence of masks (Keras' `SeedGenerator`).
   * Default: a random seed drawn once at construction (not saved in the config).
   */
  seed?: number | null;
  /**
   * `'train'` (default, Keras): kept units × 1/(1−rate) in training, identity at inference.
   * `'test'` (the original paper): no scaling in training, × (1−rate) at inference.
   */
  scaling?: DropoutScaling;
  /** Drop at inference too (Monte Carlo dropout). Default false. */
  alwaysOn?: boolean;
  /**
   * Mask stream. `'tensorflow'` (default): Keras 3's TensorFlow backend (Philox, `u >= rate`,
   * kept × f32(1/(1−rate)), the reciprocal taken in float64). `'jax'`: Keras 3's JAX backend
   * (Threefry, partitionable layout of JAX ≥ 0.5, `u < 1−rate`, kept × f32(1)/f32(1−rate), the
   * reciprocal taken in float32). `'tfjs'`: `tf.randomUniform`, seeded from `[seed, n]`.
   */
  rng?: DropoutRng;
}

export class ManualDropout extends layers.Layer {
  /** @nocollapse */
  static className = 'ManualDropout';

  readonly rate: number;
  readonly noiseShape: Array<number | null> | null;
  /** The seed given by the user (null if none; the layer then uses a private random seed). */
  readonly seed: number | null;
  readonly scaling: DropoutScaling;
  /** Drop at inference too. Mutable so Monte Carlo prediction can switch it on for a while. */
  alwaysOn: boolean;
  readonly rng: DropoutRng;

  private readonly stream: SeedState;

  constructor(args: ManualDropoutArgs) {
    super(args);
    if (args == null || typeof args !== 'object') {
      throw invalidArgument('args', 'an object such as {rate: 0.5}', args);
    }
    this.rate = checkRate(args.rate);
    this.noiseShape = checkNoiseShape(args.noiseShape);
    this.seed = checkSeed(args.seed);
    this.scaling = checkChoice('scaling', args.scaling ?? 'train', SCALINGS);
    this.alwaysOn = checkBoolean('alwaysOn', args.alwaysOn ?? false);
    this.rng = checkChoice('rng', args.rng ?? 'tensorflow', RNGS);
    this.stream = new SeedState(this.seed ?? 1 + Math.floor(Math.random() * MAX_DEFAULT_SEED));
    this.supportsMasking = true;
  }

  /** How many masks this layer has drawn: the n its next mask-drawing call will use. */
  get callCount(): number {
    return this.stream.counter;
  }

  /**
   * Sets the n of the next mask-drawing call, e.g. to continue a stream that Python Keras
   * advanced (its `seed_generator.state` is `[seed, n]`).
   */
  setCallCount(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw invalidArgument('callCount', 'a non-negative integer', n);
    this.stream.counter = n;
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    return tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const x = this.singleInput(inputs);
      // Like Keras: rate 0 is the identity and draws nothing, so the stream does not advance.
      if (this.rate === 0) return x;
      const training = kwargs?.['training'] === true;
      if (training || this.alwaysOn) return this.drop(x);
      return this.scaling === 'test' ? mul(x, scalar(1 - this.rate)) : x;
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      rate: this.rate,
      noiseShape: this.noiseShape === null ? null : [...this.noiseShape],
      seed: this.seed,
      scaling: this.scaling,
      alwaysOn: this.alwaysOn,
      rng: this.rng,
    };
  }

  /** Draws the next mask of the stream and applies it. */
  private drop(x: Tensor): Tensor {
    const shape = this.maskShape(x.shape);
    // One multiply: the mask holds 0 for dropped units and the kept units' factor, so the
    // gradient is the same mask (kept units only, scaled like the output).
    return mul(x, this.drawMask(shape));
  }

  /**
   * The next mask of the stream over `shape`: 0 for dropped units, the kept units' multiplier
   * elsewhere. For 'tensorflow' and 'jax' the stream kernels decide and write each value
   * directly (no uniforms are materialised) — on the wasm backend straight into the tensor's
   * memory, elsewhere into a fresh array the tensor then owns.
   */
  private drawMask(shape: number[]): Tensor {
    const count = util.sizeFromShape(shape);
    const [seed, n] = this.stream.next();
    const keepValue = this.scaling === 'train' ? this.trainScale() : 1;
    if (this.rng === 'tfjs') return this.tfjsMask(shape, seed, n, keepValue);
    // jax.random.bernoulli: keep <=> u < f32(1 - rate); tf.nn dropout: keep <=> u >= f32(rate).
    const fill =
      this.rng === 'jax'
        ? (out?: Float32Array) => threefryDropoutMask(jaxKeyPair(seed, n), count, this.rate, keepValue, { partitionable: true }, out)
        : (out?: Float32Array) => philoxDropoutMask(tfSeedPair(seed, n), count, this.rate, keepValue, out);
    return (count > 0 ? inPlaceTensor(shape, fill) : null) ?? tensor(fill(), shape, 'float32');
  }

  /**
   * rng 'tfjs': tf.randomUniform, seeded with one distinct string per [seed, n] (alea hashes it),
   * keep <=> u >= f32(rate). On the cpu backend a JavaScript loop over the values is fastest
   * (measured [512, 4096]: 29 ms vs 87 ms for three cpu ops); wasm and tfjs-node threshold with
   * their own float32 ops, skipping the read-back and the new upload (wasm: 35 ms vs 48 ms). Both
   * give exactly keepValue or 0 (keepValue * 1, keepValue * 0). GPU backends keep the loop: a
   * WebGL device that renders to float16 textures would round u before comparing it.
   */
  private tfjsMask(shape: number[], seed: number, n: number, keepValue: number): Tensor {
    return tidy(() => {
      const u = randomUniform(shape, 0, 1, 'float32', `${seed}:${n}`);
      const dropBelow = Math.fround(this.rate);
      if (FLOAT32_OP_BACKENDS.has(getBackend())) return mul(cast(greaterEqual(u, scalar(dropBelow)), 'float32'), scalar(keepValue));
      const uniforms = u.dataSync() as Float32Array;
      const values = new Float32Array(uniforms.length);
      for (let i = 0; i < values.length; i++) values[i] = uniforms[i] >= dropBelow ? keepValue : 0;
      return tensor(values, shape, 'float32');
    });
  }

  /**
   * What a kept unit is multiplied by under 'train' scaling, as each backend computes it
   * (measured on real Keras 3, fixtures mask_streams_tf/jax): TensorFlow converts the float64
   * 1/(1-rate) to float32; JAX writes `x / keep_prob`, but XLA folds the constant divisor
   * into a multiply by its float32 reciprocal f32(1)/f32(1-rate). The two differ for some
   * rates (e.g. 0.45: 1.8181819 vs 1.8181818).
   */
  private trainScale(): number {
    if (this.rng === 'jax') return Math.fround(1 / Math.fround(1 - this.rate));
    return Math.fround(1 / (1 - this.rate));
  }

  /** The noise shape for this input: null entries filled in, checked to broadcast. */
  private maskShape(inputShape: number[]): number[] {
    if (this.noiseShape === null) return inputShape;
    const shape = this.noiseShape.map((d, i) => (d === null ? inputShape[i] : d));
    const fits =
      this.noiseShape.length === inputShape.length && shape.every((d, i) => d === inputShape[i] || d === 1);
    if (!fits) {
      const inner = invalidArgument(
        'noiseShape',
        `rank ${inputShape.length} with each entry null, 1 or the input's size (input shape [${inputShape.join(', ')}])`,
        this.noiseShape,
      );
      throw new Keras2TfjsError(ErrorCode.INVALID_ARGUMENT, `Layer '${this.name}': ${inner.message}`, {
        layer: this.name,
      });
    }
    return shape;
  }

  private singleInput(inputs: Tensor | Tensor[]): Tensor {
    const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs;
    if (x === null) {
      throw new Keras2TfjsError(
        ErrorCode.INVALID_ARGUMENT,
        `Layer '${this.name}': ManualDropout takes exactly one input tensor, got ${(inputs as Tensor[]).length}`,
        { layer: this.name },
      );
    }
    if (x.dtype !== 'float32') {
      throw new Keras2TfjsError(
        ErrorCode.INVALID_ARGUMENT,
        `Layer '${this.name}': ManualDropout needs a float32 input, got ${x.dtype}; cast it with tf.cast(x, 'float32')`,
        { layer: this.name },
      );
    }
    return x;
  }
}
serialization.registerClass(ManualDropout);

/** Creates a ManualDropout layer: `manualDropout({rate: 0.5, seed: 1337})`. */
export function manualDropout(args: ManualDropoutArgs): ManualDropout {
  return new ManualDropout(args);
}

// ---------------------------------------------------------------- argument checks

function checkRate(rate: unknown): number {
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw invalidArgument('rate', 'a number in [0, 1)', rate);
  }
  return rate;
}

function checkNoiseShape(shape: unknown): Array<number | null> | null {
  if (shape === undefined || shape === null) return null;
  const ok =
    Array.isArray(shape) &&
    shape.every((d) => d === null || (Number.isSafeInteger(d) && (d as number) > 0));
  if (!ok) throw invalidArgument('noiseShape', 'a list of positive integers or null entries', shape);
  return [...(shape as Array<number | null>)];
}

function checkSeed(seed: unknown): number | null {
  if (seed === undefined || seed === null) return null;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw invalidArgument('seed', 'a non-negative integer or null', seed);
  }
  return seed;
}

function checkChoice<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (!choices.includes(value as T)) {
    throw invalidArgument(name, `one of ${choices.map((c) => `'${c}'`).join(', ')}`, value);
  }
  return value as T;
}

function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidArgument(name, 'true or false', value);
  return value;
}
