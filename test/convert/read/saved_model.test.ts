/**
 * readSavedModel beyond the happy path: the errors a user meets with incomplete or foreign
 * directories. The inputs are copies of real SavedModels (the tf.keras fixture, and a plain
 * tf.Module SavedModel made by test/convert/make_plain_saved_model.py), altered the way users
 * alter them (a file not copied, the wrong folder passed). The TF ≤ 2.4 fallback (Keras metadata
 * inside saved_model.pb) needs a SavedModel that old: test/corpus/saved_model_legacy.test.ts.
 */
import { cp, mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, Keras2TfjsError } from '../../../src/errors.js';
import { readSavedModel } from '../../../src/convert/read/saved_model.js';
import { fixturePath } from '../../helpers/fixtures.js';

/** tf_keras 2.21 (the fixture): the Keras JSON lives only in keras_metadata.pb. */
const TFKERAS = fixturePath('seed_lambda_tfkeras', 'saved_model');
/** tf.saved_model.save of a plain tf.Module: no Keras anywhere. */
const PLAIN = join(import.meta.dirname, '..', 'data', 'plain_tf.savedmodel');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'k2t-savedmodel-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function copyOf(source: string, name: string): Promise<string> {
  const dir = join(work, name);
  await cp(source, dir, { recursive: true });
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

describe('errors name the file and the fix', () => {
  it('a plain TF SavedModel (no Keras config anywhere) cannot become a LayersModel', async () => {
    const dir = await copyOf(PLAIN, 'plain.savedmodel');
    const err = await failure(readSavedModel(dir));
    expect(err.code).toBe(ErrorCode.BAD_SAVED_MODEL);
    expect(err.message).toMatch(/^plain\.savedmodel: no keras_metadata\.pb: this is a plain TensorFlow SavedModel \(e\.g\. from Keras 3 model\.export\(\)/);
    expect(err.message).toContain('cannot become a LayersModel');
    expect(err.message).toContain('model.save("model.keras")');
    expect(err.file).toBe(dir);
  });

  it('a missing variables/ folder', async () => {
    const dir = await copyOf(TFKERAS, 'novars.savedmodel');
    await rm(join(dir, 'variables'), { recursive: true });
    const err = await failure(readSavedModel(dir));
    expect(err.code).toBe(ErrorCode.BAD_SAVED_MODEL);
    expect(err.message).toMatch(/^novars\.savedmodel\/variables\/variables\.index: checkpoint index not found; copy the complete SavedModel directory/);
  });

  it('a missing data shard', async () => {
    const dir = await copyOf(TFKERAS, 'noshard.savedmodel');
    await unlink(join(dir, 'variables', 'variables.data-00000-of-00001'));
    const err = await failure(readSavedModel(dir));
    expect(err.code).toBe(ErrorCode.BAD_SAVED_MODEL);
    expect(err.message).toMatch(/^noshard\.savedmodel\/variables\/variables\.data-00000-of-00001: data shard 0 of 1 is missing/);
  });

  it('a damaged keras_metadata.pb', async () => {
    const dir = await copyOf(TFKERAS, 'badmeta.savedmodel');
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
