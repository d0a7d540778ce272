/**
 * One coverage row: one model file converted by keras2tfjs as a user would (`convert`, then
 * `tf.loadLayersModel` on the artifacts), run on the inputs Keras ran, compared with Keras'
 * predictions, then written back with `exportKeras` for check_exports.py.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { convert } from '../src/convert/convert.js';
import { exportKeras } from '../src/convert/write/keras/export_keras.js';
import { Keras2TfjsError } from '../src/errors.js';
import { readNpy, writeNpy, type NpyArray } from '../src/formats/numpy/npy.js';
import { compare } from './tolerance.js';

export type Status = 'pass' | 'mismatch' | 'refused' | 'error';

export interface RowResult {
  status: Status;
  /** max |tfjs − Keras| over every output value. */
  maxAbs?: number;
  /** Error code and message of a refusal or failure. */
  code?: string;
  message?: string;
  /** Where exportKeras wrote the model back, with tfjs' predictions (ts_y<k>.npy) beside it. */
  exported?: string;
  exportError?: string;
  seconds: number;
}

const MODEL_FILE: Record<string, string> = { keras: 'model.keras', h5: 'model.h5', savedmodel: 'savedmodel' };

async function npy(path: string): Promise<NpyArray> {
  return readNpy(new Uint8Array(await readFile(path)));
}

function tensorOf(a: NpyArray): tf.Tensor {
  const dtype = a.dtype === 'float32' || a.dtype === 'float64' ? 'float32' : a.dtype === 'bool' ? 'bool' : 'int32';
  return tf.tensor(Array.from(a.data as ArrayLike<number>), a.shape, dtype);
}

export async function convertCase(caseDir: string, format: string, inputs: number, outputs: number, exportDir: string): Promise<RowResult> {
  const started = Date.now();
  const seconds = (): number => Math.round((Date.now() - started) / 100) / 10;
  const file = join(caseDir, MODEL_FILE[format]);
  let model: Awaited<ReturnType<typeof loadLayersModel>>;
  try {
    const { artifacts } = await convert(file);
    model = await loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    if (e instanceof Keras2TfjsError) return { status: 'refused', code: e.code, message: e.message, seconds: seconds() };
    return { status: 'error', code: 'CRASH', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e), seconds: seconds() };
  }
  try {
    const xs = await Promise.all(Array.from({ length: inputs }, (_, k) => npy(join(caseDir, `x${k}.npy`))));
    const expected = await Promise.all(Array.from({ length: outputs }, (_, k) => npy(join(caseDir, `y${k}.npy`))));
    const xt = xs.map(tensorOf);
    let ys: tf.Tensor[];
    try {
      const out = model.predict(xt.length === 1 ? xt[0] : xt);
      ys = Array.isArray(out) ? out : [out];
    } catch (e) {
      return { status: 'error', code: 'PREDICT', message: e instanceof Error ? e.message : String(e), seconds: seconds() };
    } finally {
      tf.dispose(xt);
    }
    let maxAbs = 0;
    let within = ys.length === expected.length;
    const got: Float32Array[] = [];
    for (const [k, y] of ys.entries()) {
      const values = Float32Array.from(y.dataSync() as ArrayLike<number>);
      got.push(values);
      const want = expected[k];
      if (!want || JSON.stringify(y.shape) !== JSON.stringify(want.shape)) {
        within = false;
        maxAbs = Infinity;
        continue;
      }
      const c = compare(values, Array.from(want.data as ArrayLike<number>, Number));
      maxAbs = Math.max(maxAbs, c.maxAbs);
      within &&= c.within;
    }
    const shapes = ys.map((y) => y.shape);
    tf.dispose(ys);
    const result: RowResult = { status: within ? 'pass' : 'mismatch', maxAbs, seconds: seconds() };
    if (!within && maxAbs === Infinity) result.message = `output shapes ${JSON.stringify(shapes)} vs Keras ${JSON.stringify(expected.map((e) => e.shape))}`;
    await exportBack(model, exportDir, got, shapes, result);
    result.seconds = seconds();
    return result;
  } finally {
    model.dispose();
  }
}

async function exportBack(
  model: Awaited<ReturnType<typeof loadLayersModel>>, exportDir: string, got: Float32Array[], shapes: number[][], result: RowResult,
): Promise<void> {
  try {
    await mkdir(exportDir, { recursive: true });
    const path = join(exportDir, 'model.keras');
    await exportKeras(model, path, { onWarning: () => undefined });
    for (const [k, values] of got.entries()) {
      await writeFile(join(exportDir, `ts_y${k}.npy`), writeNpy({ shape: shapes[k], dtype: 'float32', data: values }));
    }
    result.exported = exportDir;
  } catch (e) {
    result.exportError = e instanceof Keras2TfjsError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
  }
}

export function modelExists(caseDir: string, format: string): boolean {
  return existsSync(join(caseDir, MODEL_FILE[format]));
}
