/**
 * Resuming training where Python stopped: the optimizer variables a Keras file holds → the
 * state of our Keras-exact optimizer (iteration count and every slot), so the next step in
 * TypeScript is the step Keras would take next.
 *
 * The files lay the same state out in four ways (see SourceOptimizerWeights):
 *   Keras 3 .keras   unnamed: iterations, learning rate, then the slots in Keras' build order
 *   Keras 3 .h5      the same, named 'adam/dense_kernel_momentum'
 *   tf.keras 2.11+   iterations, then the slots in the same order, named 'Adam/m/dense/kernel:0'
 *   legacy tf.keras  iterations, then one block per slot, named 'Adam/dense/kernel/m:0' (rms, mg)
 * Every layout lists a slot's variables in the order of the model's trainable weights, which
 * tfjs keeps (layers in order, each layer's weights in Keras' order). Each interpretation is
 * accepted only when every slot holds exactly one array per trainable weight, shape for shape;
 * otherwise nothing is restored and the caller is told why.
 */
import { scalar, tensor, type Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { SourceOptimizerWeights, SourceWeight, WeightData, WeightDType } from '../convert/intermediate.js';
import { toFloat32, toInt32Exact } from '../formats/integer_elements.js';
import type { KerasOptimizer, NamedTensor } from './keras_optimizer.js';
import { KERAS_SLOT_CALLS, SLOT_ALIASES } from './slot_layout.js';

export interface RestoredState {
  /** The iteration count the optimizer continues from (0 when nothing was restored). */
  iterations: number;
  /** Whether the file's state was restored. */
  restored: boolean;
  /** Why training does not resume a trained optimizer (no state in the file, or state we cannot place), else null. */
  warning: string | null;
}

/**
 * A saved variable with its values read: integers as int32 where every value fits (the
 * iteration count), everything else as float32 (what the optimizer's variables hold).
 */
interface SavedArray {
  storedName: string | null;
  shape: number[];
  dtype: WeightDType;
  data: WeightData;
}

/** A slot name → one saved array per trainable weight, in the model's order. */
type Slots = Map<string, SavedArray[]>;

async function readSaved(w: SourceWeight): Promise<SavedArray> {
  const values = await w.read();
  const exact = w.dtype === 'int32' ? toInt32Exact(values) : null;
  if (exact instanceof Int32Array) return { storedName: w.storedName, shape: w.shape, dtype: 'int32', data: exact };
  return { storedName: w.storedName, shape: w.shape, dtype: 'float32', data: toFloat32(values) };
}

/**
 * Restores `saved` into `optimizer` (already given to `model.compile`). Never throws for state it
 * cannot use: it leaves the optimizer fresh and says why in `warning`.
 */
export async function restoreOptimizerState(
  model: LayersModel,
  optimizer: KerasOptimizer,
  saved: SourceOptimizerWeights | null | undefined,
): Promise<RestoredState> {
  const fresh = (why: string): RestoredState => ({
    iterations: 0,
    restored: false,
    warning: `${why}: training starts with a fresh optimizer (step 0, zero slots), not where Keras stopped`,
  });
  if (!saved || saved.weights.length === 0) return fresh('the file holds no optimizer state (saved without it, or never trained)');
  const entries: SavedArray[] = [];
  for (const w of saved.weights) entries.push(await readSaved(w));
  if (neverStepped(entries)) {
    return { iterations: 0, restored: true, warning: "the file's optimizer never took a step (compiled, never trained): training starts at step 0" };
  }
  const className = optimizer.getClassName().replace(/^Keras/, '');
  const shapes = model.trainableWeights.map((w) => w.shape as number[]);
  const parsed = parseState(entries, className, optimizer.stateSlotNames(), shapes);
  if (typeof parsed === 'string') return fresh(`the file's optimizer state cannot be restored (${parsed})`);
  const { iterations, slots } = parsed;
  const values: NamedTensor[] = [{ name: 'iter', tensor: scalar(iterations, 'int32') }];
  for (const slot of optimizer.stateSlotNames()) {
    (slots.get(slot) ?? []).forEach((array, i) => {
      values.push({ name: `${model.trainableWeights[i].name}/${slot}`, tensor: tensor(array.data, array.shape, 'float32') });
    });
  }
  try {
    await optimizer.setWeights(values);
  } finally {
    values.forEach((v) => (v.tensor as Tensor).dispose());
  }
  return { iterations, restored: true, warning: null };
}

/** An optimizer saved before its first step: the count at 0 and at most the learning rate, no slots (Keras builds them on the first step). */
function neverStepped(entries: SavedArray[]): boolean {
  const [first, ...rest] = entries;
  return first.shape.length === 0 && first.data[0] === 0 && rest.every((e) => e.shape.length === 0);
}

/** The iteration count and slots from the file's variables, or why they do not fit. */
function parseState(entries: SavedArray[], className: string, slotNames: string[], shapes: number[][]): { iterations: number; slots: Slots } | string {
  const [first, ...rest] = entries;
  if (first.shape.length !== 0 || first.dtype !== 'int32') return 'its first variable is not the iteration count';
  const iterations = first.data[0];
  const expected = slotNames.length * shapes.length;
  // Keras 3 keeps the learning rate as a variable right after the count; the compile config has its value.
  let slotEntries = rest;
  if (rest.length === expected + 1 && rest[0].shape.length === 0) slotEntries = rest.slice(1);
  if (slotEntries.length !== expected) {
    const what = slotNames.length > 0 ? `${slotNames.join(', ')} for each of ${shapes.length} trainable weights` : 'no slots';
    return `it holds ${slotEntries.length} slot variables; ${className} keeps ${what}`;
  }
  if (expected === 0) return { iterations, slots: new Map() };
  const named = slotEntries.every((e) => e.storedName);
  const layouts = named ? [byToken(1), byToken(-1), byKeras3Suffix, positional] : [positional];
  for (const layout of layouts) {
    const slots = layout(slotEntries, className, slotNames);
    if (slots && fits(slots, slotNames, shapes)) return { iterations, slots };
  }
  return "its slot variables do not match the model's trainable weights (names or shapes)";
}

type Layout = (entries: SavedArray[], className: string, slotNames: string[]) => Slots | null;

/** Groups entries by the slot `slotOf` names (file order kept within a slot); null if one has none. */
function groupBy(entries: SavedArray[], slotOf: (e: SavedArray) => string | undefined): Slots | null {
  const slots: Slots = new Map();
  for (const e of entries) {
    const slot = slotOf(e);
    if (slot === undefined) return null;
    slots.set(slot, [...(slots.get(slot) ?? []), e]);
  }
  return slots;
}

/** 'Adam/m/dense/kernel:0' (token 1, tf.keras 2.11+) or 'Adam/dense/kernel/m:0' (last token, legacy). */
function byToken(index: number): Layout {
  return (entries, _className, slotNames) =>
    groupBy(entries, (e) => {
      const tokens = String(e.storedName).replace(/:\d+$/, '').split('/');
      if (tokens.length < 3) return undefined;
      const slot = SLOT_ALIASES[tokens.at(index) ?? ''];
      return slot !== undefined && slotNames.includes(slot) ? slot : undefined;
    });
}

/** Keras 3 .h5: 'adam/dense_kernel_velocity_hat' (longest slot name first). */
const byKeras3Suffix: Layout = (entries, _className, slotNames) => {
  const longestFirst = [...slotNames].sort((a, b) => b.length - a.length);
  return groupBy(entries, (e) => longestFirst.find((slot) => String(e.storedName).endsWith(`_${slot}`)));
};

/** Keras 3 .keras (unnamed): the build calls in order, each interleaving its slots per variable. */
const positional: Layout = (entries, className, slotNames) => {
  const calls = KERAS_SLOT_CALLS[className];
  if (!calls) return null;
  const slots: Slots = new Map(slotNames.map((s) => [s, []]));
  let next = 0;
  const count = entries.length / Math.max(1, slotNames.length);
  for (const call of calls) {
    const names = call.filter((s) => slotNames.includes(s));
    for (let i = 0; i < count; i++) for (const slot of names) slots.get(slot)?.push(entries[next++]);
  }
  return next === entries.length ? slots : null;
};

function fits(slots: Slots, slotNames: string[], shapes: number[][]): boolean {
  return slotNames.every((slot) => {
    const list = slots.get(slot);
    return list?.length === shapes.length && list.every((e, i) => sameShape(e.shape, shapes[i]));
  });
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
