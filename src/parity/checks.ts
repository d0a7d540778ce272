/**
 * One parity check: TypeScript's values against Keras' recorded ones, under the bound parity.json
 * states for that kind of value. Float checks pass when max |Δ| ≤ relative · max(1, max |Keras|)
 * over the compared values; masks when not one unit differs.
 */
import { ErrorCode, Keras2TfjsError, firstLine } from '../errors.js';
import type { Tolerance } from './parity_fixture.js';

export interface ParityCheck {
  /** What is compared: 'inference: label', 'mask call 0: dropout', 'resume: dense/kernel'. */
  name: string;
  /** Largest |TypeScript − Keras| over the values; null when they could not be compared (see detail). */
  maxAbsDiff: number | null;
  /** The bound max |Δ| had to stay within (0 for exact checks); null when nothing was compared. */
  tolerance: number | null;
  pass: boolean;
  /** Why it failed, or where the largest difference is. */
  detail?: string;
}

export interface Values {
  shape: readonly number[];
  data: ArrayLike<number>;
}

/** A float check of `actual` against `expected` under `tolerance`. */
export function compareValues(name: string, actual: Values, expected: Values, tolerance: Tolerance): ParityCheck {
  const mismatch = shapeMismatch(actual, expected);
  if (mismatch) return failed(name, mismatch);
  let maxAbsDiff = 0;
  let scale = 1;
  let worst = -1;
  for (let i = 0; i < expected.data.length; i++) {
    const want = expected.data[i];
    const diff = Math.abs(actual.data[i] - want);
    scale = Math.max(scale, Math.abs(want));
    // NaN on one side only is a failure: NaN compares false, so record it as Infinity.
    const d = Number.isNaN(diff) ? (Number.isNaN(want) && Number.isNaN(actual.data[i]) ? 0 : Infinity) : diff;
    if (d > maxAbsDiff) {
      maxAbsDiff = d;
      worst = i;
    }
  }
  const bound = tolerance.exact ? 0 : (tolerance.relative ?? 0) * scale;
  const pass = maxAbsDiff <= bound;
  const check: ParityCheck = { name, maxAbsDiff, tolerance: bound, pass };
  if (!pass) check.detail = `largest at ${indexOf(worst, expected.shape)}: TypeScript ${actual.data[worst]}, Keras ${expected.data[worst]}`;
  return check;
}

/** An exact check of a 0/1 keep mask. */
export function compareMask(name: string, actual: Values, expected: Values): ParityCheck {
  const mismatch = shapeMismatch(actual, expected);
  if (mismatch) return failed(name, mismatch, 0);
  let differing = 0;
  for (let i = 0; i < expected.data.length; i++) if ((actual.data[i] !== 0) !== (expected.data[i] !== 0)) differing++;
  const check: ParityCheck = { name, maxAbsDiff: differing > 0 ? 1 : 0, tolerance: 0, pass: differing === 0 };
  if (differing > 0) check.detail = `${differing} of ${expected.data.length} units kept/dropped differently`;
  return check;
}

/** A check that could not compare anything, with the reason. */
export function failed(name: string, detail: string, tolerance: number | null = null): ParityCheck {
  return { name, maxAbsDiff: null, tolerance, pass: false, detail };
}

function shapeMismatch(actual: Values, expected: Values): string | null {
  const same = actual.shape.length === expected.shape.length && actual.shape.every((d, i) => d === expected.shape[i]);
  return same ? null : `shape [${actual.shape.join(', ')}], Keras' [${expected.shape.join(', ')}]`;
}

/** Flat index → '[3, 1]' in `shape`. */
function indexOf(flat: number, shape: readonly number[]): string {
  const index: number[] = [];
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index.unshift(flat % shape[axis]);
    flat = Math.floor(flat / shape[axis]);
  }
  return `[${index.join(', ')}]`;
}

/**
 * Runs one part of a verification; if the model cannot even be run that way (a different model:
 * other inputs, shapes, layers), each of `names` becomes a failed check saying why. A damaged
 * fixture is an error, not a failed check.
 */
export async function guarded(names: string[], part: () => Promise<ParityCheck[]>): Promise<ParityCheck[]> {
  try {
    return await part();
  } catch (e) {
    if (e instanceof Keras2TfjsError && (e.code === ErrorCode.FILE_NOT_FOUND || e.code === ErrorCode.CORRUPT_FILE)) throw e;
    let why = firstLine(e);
    // tfjs' wasm backend lacks some gradient kernels (e.g. Conv2DBackpropFilter); cpu has them all.
    if (/not registered for backend 'wasm'/.test(why)) why += "; verify on the cpu backend (KERAS2TFJS_BACKEND=cpu), which has every training kernel";
    return names.map((name) => failed(name, why));
  }
}
