/**
 * The shared third-party corpus (CORPUS.tsv) and what real Keras computed for it
 * (corpus_expected.json, written by corpus_expected.py), for the corpus tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CORPUS_DIR } from '../helpers/corpus.js';

export { CORPUS_DIR };

export interface CorpusEntry {
  file: string;
  path: string;
  format: string;
  kerasVersion: string;
  modelClass: string;
  classes: string[];
  hasLambda: boolean;
}

export function corpusEntries(): CorpusEntry[] {
  const [header, ...rows] = readFileSync(join(CORPUS_DIR, 'CORPUS.tsv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  const col = (name: string): number => header.indexOf(name);
  return rows.map((r) => {
    const file = r[col('file')].replace(/\/$/, '');
    return {
      file,
      path: join(CORPUS_DIR, file),
      format: r[col('format')],
      kerasVersion: r[col('keras_version')],
      modelClass: r[col('model_class')],
      classes: r[col('layer_classes')].split(',').filter(Boolean),
      hasLambda: r[col('has_lambda')] === 'yes',
    };
  });
}

export interface InputSpec {
  shape: number[];
  kind: 'pattern' | 'indices';
  modulus?: number;
}

export interface OutputSummary {
  shape: number[];
  mean: number;
  sumsq: number;
  values?: number[];
  sampleIndex?: number[];
  sample?: number[];
}

export interface ExpectedRun {
  loader?: string;
  skipped?: string;
  inputs?: InputSpec[];
  outputs?: OutputSummary[];
}

export function corpusExpected(): Record<string, ExpectedRun> {
  const json = JSON.parse(readFileSync(new URL('./corpus_expected.json', import.meta.url), 'utf8')) as { models: Record<string, ExpectedRun> };
  return json.models;
}

/** The input corpus_expected.py fed to Keras, rebuilt from its recipe. */
export function makeInput(spec: InputSpec): tf.Tensor {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // Same float32 values as numpy: (((i * 37) % 101) / 101.0 - 0.5) computed in float64, then cast.
    data[i] = spec.kind === 'indices' ? (i * 7 + 1) % (spec.modulus as number) : ((i * 37) % 101) / 101 - 0.5;
  }
  return tf.tensor(data, spec.shape, 'float32');
}

/** The (sampled) values of an output, aligned with the summary's values/sample. */
export function comparable(y: Float32Array, s: OutputSummary): { actual: number[]; expected: number[] } {
  if (s.values) return { actual: Array.from(y), expected: s.values };
  const idx = s.sampleIndex as number[];
  return { actual: idx.map((i) => y[i]), expected: s.sample as number[] };
}
