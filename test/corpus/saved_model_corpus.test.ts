/**
 * Every tf.keras SavedModel in the shared corpus (real files by third parties, TF 2.5 … 2.15)
 * reads: its config has the layer classes CORPUS.tsv lists, and its weights equal, value for
 * value, what real tf.keras restores from the same directory (saved_model_corpus.expected.json,
 * written by saved_model_corpus_expected.py with tf_keras.models.load_model).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSavedModel } from '../../src/convert/read/saved_model.js';
import { CORPUS_DIR } from '../helpers/corpus.js';
import { asWeightData } from '../helpers/stored_arrays.js';


interface ExpectedWeight {
  name: string;
  shape: number[];
  dtype: string;
  sha256: string;
  allFinite: boolean;
}
const expected = JSON.parse(readFileSync(new URL('./saved_model_corpus.expected.json', import.meta.url), 'utf8')) as {
  models: Record<string, { modelClass: string; layers: Record<string, ExpectedWeight[]> }>;
};

/** CORPUS.tsv rows of format 'savedmodel'. */
function corpusSavedModels(): Array<{ dir: string; kerasVersion: string; backend: string; modelClass: string; classes: string[] }> {
  const [header, ...rows] = readFileSync(join(CORPUS_DIR, 'CORPUS.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const col = (name: string) => header.indexOf(name);
  return rows
    .filter((r) => r[col('format')] === 'savedmodel')
    .map((r) => ({
      dir: r[col('file')].replace(/\/$/, ''),
      kerasVersion: r[col('keras_version')],
      backend: r[col('backend')],
      modelClass: r[col('model_class')],
      classes: r[col('layer_classes')].split(',').filter(Boolean),
    }));
}

/**
 * tf.keras RNN configs do not serialize their cell; CORPUS.tsv lists the cell classes because
 * the SavedModel's metadata has a node per cell. The config itself cannot contain them.
 */
const CELL_CLASSES = new Set(['LSTMCell', 'GRUCell', 'SimpleRNNCell']);

function configClasses(config: unknown, out = new Set<string>()): Set<string> {
  const layers = (config as { config?: { layers?: unknown[] } }).config?.layers ?? [];
  for (const layer of layers as Array<{ class_name: string; config: unknown }>) {
    out.add(layer.class_name);
    if ((layer.config as { layers?: unknown })?.layers) configClasses(layer, out);
  }
  return out;
}

function containsTupleEncoding(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsTupleEncoding);
  if (typeof value !== 'object' || value === null) return false;
  const obj = value as Record<string, unknown>;
  if (obj.class_name === '__tuple__' || obj.class_name === 'TensorShape') return true;
  return Object.values(obj).some(containsTupleEncoding);
}

function sha256(data: Float32Array | Int32Array): string {
  return createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
}

const models = corpusSavedModels();

describe('readSavedModel on the corpus SavedModels', () => {
  it('covers every SavedModel of the corpus and of the expectations', () => {
    expect(models.length).toBeGreaterThanOrEqual(10);
    expect(models.map((m) => m.dir).sort()).toEqual(Object.keys(expected.models).sort());
    console.log(`corpus SavedModels: ${models.length}`);
  });

  it.each(models)('$dir', async (m) => {
    const source = await readSavedModel(join(CORPUS_DIR, m.dir));
    expect(source.format).toBe('savedmodel');
    expect(source.kerasVersion).toBe(m.kerasVersion);
    expect(source.backend).toBe(m.backend);

    // Config: the file's own model_config, tuples decoded, classes as listed.
    expect(source.modelConfig.class_name).toBe(m.modelClass);
    expect(containsTupleEncoding(source.modelConfig)).toBe(false);
    expect([...configClasses(source.modelConfig)].sort()).toEqual(m.classes.filter((c) => !CELL_CLASSES.has(c)).sort());
    expect(source.trainingConfig).not.toBeNull();

    // Weights: exactly the layers, order, shapes and values tf.keras restores.
    const want = expected.models[m.dir];
    expect([...source.layerWeights.keys()].sort()).toEqual(Object.keys(want.layers).sort());
    let count = 0;
    for (const [layer, weights] of source.layerWeights) {
      const wanted = want.layers[layer];
      expect(weights.map((w) => w.shape), layer).toEqual(wanted.map((w) => w.shape));
      for (const [i, w] of weights.entries()) {
        const pyName = wanted[i].name.replace(/:0$/, '');
        // storedName is the path below the layer ('cell/kernel'); Python's ends with the same attribute.
        expect(pyName.split('/').pop(), `${layer} #${i}`).toBe(w.storedName?.split('/').pop());
        expect(w.dtype).toBe(wanted[i].dtype.startsWith('int') ? 'int32' : 'float32');
        const data = asWeightData(await w.read());
        expect(sha256(data), `${layer}/${w.storedName} values`).toBe(wanted[i].sha256);
        expect(Array.from(data).every(Number.isFinite)).toBe(wanted[i].allFinite);
        count++;
      }
    }
    expect(count).toBe(Object.values(want.layers).flat().length);
  });
});
