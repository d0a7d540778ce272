/**
 * TF ≤ 2.4 SavedModels have no keras_metadata.pb: the Keras JSON sits in saved_model.pb's user
 * objects. TF 2.5 wrote both, so a corpus SavedModel from TF 2.5 with its keras_metadata.pb
 * removed is what TF 2.4 wrote; the fallback must read the same config, names and weights.
 */
import { cp, mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSavedModel } from '../../src/convert/read/saved_model.js';
import { CORPUS_DIR } from '../helpers/corpus.js';

/** TF 2.5: writes keras_metadata.pb AND still the same JSON into saved_model.pb's user objects. */
const TF25 = 'DarmorizIhor+lstm_epidemy+lstm.savedmodel';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'k2t-savedmodel-legacy-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function copyOf(source: string, name: string): Promise<string> {
  const dir = join(work, name);
  await cp(join(CORPUS_DIR, source), dir, { recursive: true });
  return dir;
}

describe('TF ≤ 2.4 SavedModels (no keras_metadata.pb)', () => {
  it('take config and layer names from saved_model.pb, identical to keras_metadata.pb', async () => {
    const original = await readSavedModel(join(CORPUS_DIR, TF25));
    const dir = await copyOf(TF25, 'legacy.savedmodel');
    await unlink(join(dir, 'keras_metadata.pb'));
    const legacy = await readSavedModel(dir);
    expect(legacy.modelConfig).toEqual(original.modelConfig);
    expect(legacy.trainingConfig).toEqual(original.trainingConfig);
    expect(legacy.kerasVersion).toBe(original.kerasVersion);
    expect([...legacy.layerWeights.keys()]).toEqual([...original.layerWeights.keys()]);
    for (const [layer, weights] of original.layerWeights) {
      const other = legacy.layerWeights.get(layer)!;
      expect(other.map((w) => w.storedName)).toEqual(weights.map((w) => w.storedName));
      for (const [i, w] of weights.entries()) expect(await other[i].read()).toEqual(await w.read());
    }
  });
});
