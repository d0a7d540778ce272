/**
 * A parity fixture folder as Python's `keras2tfjs.export_parity_fixture` writes it: parity.json
 * (what each file is, the tolerances, what could not be recorded) beside model.keras and .npy
 * arrays. Read here, checked for what verify needs; arrays come through readNpy.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, Keras2TfjsError, displayName } from '../errors.js';
import { readNpy, type NpyArray } from '../formats/numpy/npy.js';

export const PARITY_JSON = 'parity.json';
const FORMAT = 'keras2tfjs-parity';
const FORMAT_VERSION = 1;

/** How a float check's bound is set (parity.json `tolerances`): relative · max(1, max |Keras|), or exact. */
export interface Tolerance {
  relative?: number;
  exact?: boolean;
  why: string;
}

export interface ArrayEntry {
  name: string;
  file: string;
}

export interface MaskEntry {
  layer: string;
  class_name: string;
  /** The stream state [seed, n] the layer drew this mask with. */
  state: [number, number];
  shape: number[];
  file: string;
}

export interface WeightEntry {
  /** The layer that owns the variable, and its name there ('dense', 'kernel'); Keras' path. */
  layer: string;
  name: string;
  path: string;
  shape: number[];
  trainable: boolean;
  /** [steps, ...shape]: the variable after each resumed step. */
  file: string;
  /** Why its resumed values cannot be compared (e.g. a bias right before BatchNormalization), or null. */
  not_comparable?: string | null;
}

export interface NotRecorded {
  what: 'training' | 'resume' | string;
  layer: string | null;
  why: string;
  fix: string;
}

export interface ParityJson {
  format: string;
  format_version: number;
  backend: 'tensorflow' | 'jax';
  versions: Record<string, string | boolean>;
  made_on?: { cpu?: string; machine?: string; isa?: string[] };
  model: { file: string; name: string; inputs: Array<ArrayEntry & { shape: number[]; dtype: string }>; outputs: Array<{ name: string }> };
  rows: number;
  tolerances: Record<'inference' | 'training' | 'masks' | 'resume_weights' | 'resume_losses', Tolerance>;
  inference: { outputs: ArrayEntry[] };
  training: { rows: number; calls: Array<{ outputs: ArrayEntry[]; masks: MaskEntry[] }> } | null;
  resume: {
    steps: number;
    batch_size: number | null;
    batches: Array<[number, number]>;
    optimizer: { class_name: string; iterations: number };
    targets: ArrayEntry[];
    losses: string;
    weights: WeightEntry[];
  } | null;
  not_recorded: NotRecorded[];
  files: Record<string, string>;
}

/** An opened fixture: its parity.json and its arrays, read on demand. */
export class ParityFixture {
  private constructor(
    readonly dir: string,
    readonly json: ParityJson,
  ) {}

  static async open(dir: string): Promise<ParityFixture> {
    const path = join(dir, PARITY_JSON);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      throw new Keras2TfjsError(
        ErrorCode.FILE_NOT_FOUND,
        `${displayName(dir)}: no ${PARITY_JSON}; pass the folder keras2tfjs.export_parity_fixture wrote`,
        { file: path },
      );
    }
    let json: ParityJson;
    try {
      json = JSON.parse(text) as ParityJson;
    } catch (e) {
      throw corrupt(path, `is not JSON (${(e as Error).message})`);
    }
    if (json?.format !== FORMAT) throw corrupt(path, `is not a keras2tfjs parity fixture (format ${JSON.stringify(json?.format)})`);
    if (json.format_version !== FORMAT_VERSION) {
      throw corrupt(path, `has format_version ${json.format_version}; this keras2tfjs reads version ${FORMAT_VERSION}: update the package on the side that is older`);
    }
    if (json.backend !== 'tensorflow' && json.backend !== 'jax') throw corrupt(path, `names backend ${JSON.stringify(json.backend)}; expected tensorflow or jax`);
    for (const key of ['inference', 'masks', 'training', 'resume_weights', 'resume_losses'] as const) {
      const t = json.tolerances?.[key];
      if (!t || (t.exact !== true && !(typeof t.relative === 'number' && t.relative >= 0))) throw corrupt(path, `states no usable tolerance for '${key}'`);
    }
    return new ParityFixture(dir, json);
  }

  /** One of the fixture's .npy files. */
  async array(file: string): Promise<NpyArray> {
    const path = join(this.dir, file);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      throw new Keras2TfjsError(ErrorCode.FILE_NOT_FOUND, `${displayName(this.dir)}: '${file}', listed in ${PARITY_JSON}, is missing; export the fixture again`, {
        file: path,
      });
    }
    return readNpy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
  }

  get modelPath(): string {
    return join(this.dir, this.json.model.file);
  }
}

function corrupt(path: string, what: string): Keras2TfjsError {
  return new Keras2TfjsError(ErrorCode.CORRUPT_FILE, `${displayName(path)} ${what}`, { file: path });
}
