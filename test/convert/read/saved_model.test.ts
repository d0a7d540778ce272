/**
 * readSavedModel beyond the happy path: the TF ≤ 2.4 fallback (Keras metadata inside
 * saved_model.pb), and the errors a user meets with incomplete or foreign directories.
 * All inputs are copies of real corpus SavedModels, altered the way users alter them
 * (a file not copied, the wrong folder passed).
 */
import { cp, mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, Keras2TfjsError } from '../../../src/errors.js';
import { readSavedModel } from '../../../src/convert/read/saved_model.js';
import { CORPUS_DIR } from '../../helpers/corpus.js';

/** TF 2.5: writes keras_metadata.pb AND still the same JSON into saved_model.pb's user objects. */
const TF25 = 'DarmorizIhor+lstm_epidemy+lstm.savedmodel';
/** TF 2.15: the Keras JSON lives only in keras_metadata.pb. */
const TF215 = 'Aloero+AI_digitsOnPaper_ExtraSM+cnn-dropout-rescaling.savedmodel';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'k2t-savedmodel-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function copyOf(source: string, name: string): Promise<string> {
  const dir = join(work, name);
  await cp(join(CORPUS_DIR, source), dir, { recursive: true });
  return dir;
}

async function failure(p: Promise<unknown>): Promise<Keras2TfjsError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Keras2TfjsError);
  expect((err as Error).message).not.toContain('\n');
  return err as Keras2TfjsError;
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

describe('errors name the file and the fix', () => {
  it('a plain TF SavedModel (no Keras config anywhere) cannot become a LayersModel', async () => {
    const dir = await copyOf(TF215, 'plain.savedmodel');
    await unlink(join(dir, 'keras_metadata.pb'));
    const err = await failure(readSavedModel(dir));
    expect(err.code).toBe(ErrorCode.BAD_SAVED_MODEL);
    expect(err.message).toMatch(/^plain\.savedmodel: no keras_metadata\.pb: this is a plain TensorFlow SavedModel \(e\.g\. from Keras 3 model\.export\(\)/);
    expect(err.message).toContain('cannot become a LayersModel');
    expect(err.message).toContain('model.save("model.keras")');
    expect(err.file).toBe(dir);
  });

  it('a missing variables/ folder', async () => {
    const dir = await copyOf(TF215, 'novars.savedmodel');
    await rm(join(dir, 'variables'), { recursive: true });
    const err = await failure(readSavedModel(dir));
    expect(err.code).toBe(ErrorCode.BAD_SAVED_MODEL);
    expect(err.message).toMatch(/^novars\.savedmodel\/variables\/variables\.index: checkpoint index not found; copy the complete SavedModel directory/);
  });

  it('a missing data shard', async () => {
    const dir = await copyOf(TF215, 'noshard.savedmodel');
    await unlink(join(dir, 'variables', 'variables.data-00000-of-00001'));
    const err = await failure(readSavedModel(dir));
    expect(err.code).toBe(ErrorCode.BAD_SAVED_MODEL);
    expect(err.message).toMatch(/^noshard\.savedmodel\/variables\/variables\.data-00000-of-00001: data shard 0 of 1 is missing/);
  });

  it('a damaged keras_metadata.pb', async () => {
    const dir = await copyOf(TF215, 'badmeta.savedmodel');
    await writeFile(join(dir, 'keras_metadata.pb'), new Uint8Array([0x0a, 0xff, 0xff, 0x01]));
    const err = await failure(readSavedModel(dir));
    expect(err.code).toBe(ErrorCode.BAD_SAVED_MODEL);
    expect(err.message).toMatch(/^badmeta\.savedmodel\/keras_metadata\.pb: the file is not a valid SavedMetadata protobuf/);
  });

  it('a folder that is not a SavedModel, a file, and a path that does not exist', async () => {
    const empty = join(work, 'empty');
    await mkdir(empty);
    let err = await failure(readSavedModel(empty));
    expect(err.code).toBe(ErrorCode.BAD_SAVED_MODEL);
    expect(err.message).toMatch(/^empty: not a SavedModel directory/);

    const file = join(work, 'model.pb');
    await writeFile(file, 'x');
    err = await failure(readSavedModel(file));
    expect(err.code).toBe(ErrorCode.BAD_SAVED_MODEL);
    expect(err.message).toMatch(/^model\.pb: a SavedModel is a directory/);

    err = await failure(readSavedModel(join(work, 'missing')));
    expect(err.code).toBe(ErrorCode.FILE_NOT_FOUND);
  });
});
