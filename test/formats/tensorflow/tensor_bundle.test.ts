/**
 * The TensorBundle checkpoint reader on damaged copies of a real checkpoint (the tf.keras
 * fixture's SavedModel, written by TensorFlow): each damage fails with a typed error that names
 * the file, whether a tensor is read whole or in pieces (its CRC-32C then checked on the way,
 * before the last piece is given). (That it reads what TensorFlow reads is checked on the
 * corpus: test/corpus.)
 */
import { cp, mkdtemp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, Keras2TfjsError } from '../../../src/errors.js';
import { openTensorBundle } from '../../../src/io/tensor_bundle_files.js';
import { fixturePath } from '../../helpers/fixtures.js';
import { readInPieces, readWhole } from '../../helpers/stored_arrays.js';

/** A real checkpoint: the tf.keras seed model's SavedModel (weights, RMSprop slots, counters). */
const SOURCE = fixturePath('seed_lambda_tfkeras', 'saved_model');
const KERNEL = 'layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE';

describe('damaged checkpoints', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'k2t-bundle-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /** A fresh copy of the source checkpoint's variables/ folder; returns its prefix. */
  async function copy(name: string): Promise<string> {
    const dir = join(work, name);
    await cp(join(SOURCE, 'variables'), dir, { recursive: true });
    return join(dir, 'variables');
  }

  async function expectCode(p: Promise<unknown>, code: ErrorCode, text: RegExp): Promise<void> {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Keras2TfjsError);
    expect((err as Keras2TfjsError).code).toBe(code);
    expect((err as Error).message).toMatch(text);
    expect((err as Error).message).not.toContain('\n');
  }

  it('a missing index names the file', async () => {
    await expectCode(openTensorBundle(join(work, 'nowhere', 'variables')), ErrorCode.BAD_SAVED_MODEL, /variables\.index: checkpoint index not found; copy/);
  });

  it('a truncated index is refused, whatever the cut', async () => {
    const prefix = await copy('truncated');
    const full = await readFile(`${prefix}.index`);
    for (const keep of [0, 10, 47, Math.floor(full.length / 2), full.length - 1]) {
      await writeFile(`${prefix}.index`, full.subarray(0, keep));
      await expectCode(openTensorBundle(prefix), ErrorCode.BAD_SAVED_MODEL, /variables\.index: not a valid TensorFlow checkpoint index \(.*truncated/);
    }
  });

  it('a flipped byte in an index block fails its CRC-32C', async () => {
    const prefix = await copy('flipped-index');
    const bytes = await readFile(`${prefix}.index`);
    bytes[100] ^= 0x20; // inside the first data block (entries start at byte 0)
    await writeFile(`${prefix}.index`, bytes);
    await expectCode(openTensorBundle(prefix), ErrorCode.CORRUPT_FILE, /variables\.index: checksum mismatch in the data block at byte 0/);
  });

  it('a flipped byte in a tensor fails the entry CRC-32C', async () => {
    const prefix = await copy('flipped-data');
    const bundle = await openTensorBundle(prefix);
    const info = bundle.info(KERNEL)!;
    const shard = `${prefix}.data-00000-of-00001`;
    const bytes = await readFile(shard);
    bytes[info.offset + 7] ^= 0x01;
    await writeFile(shard, bytes);
    await expectCode(readWhole(() => bundle.array(KERNEL)), ErrorCode.CORRUPT_FILE, /variables\.data-00000-of-00001: checksum mismatch for tensor 'layer_with_weights-0\/kernel/);
    await expectCode(readInPieces(bundle.array(KERNEL), 64), ErrorCode.CORRUPT_FILE, /variables\.data-00000-of-00001: checksum mismatch for tensor 'layer_with_weights-0\/kernel/);
  });

  it('a missing shard and a short shard are told apart', async () => {
    const prefix = await copy('shards');
    const bundle = await openTensorBundle(prefix);
    const shard = `${prefix}.data-00000-of-00001`;
    await truncate(shard, 1000);
    const last = bundle.keys().map((k) => bundle.info(k)!).filter((i) => i.dtypeName === 'float32').sort((a, b) => b.offset - a.offset)[0];
    await expectCode(readWhole(() => bundle.array(last.key)), ErrorCode.CORRUPT_FILE, /is 1000 bytes but tensor .* ends at byte \d+: truncated/);
    await unlink(shard);
    await expectCode(readWhole(() => bundle.array(KERNEL)), ErrorCode.BAD_SAVED_MODEL, /data shard 0 of 1 is missing \(needed for 'layer_with_weights-0/);
  });

  it('asking for a tensor that is not there names it', async () => {
    const bundle = await openTensorBundle(join(SOURCE, 'variables', 'variables'));
    await expectCode(readWhole(() => bundle.array('no/such/tensor')), ErrorCode.BAD_SAVED_MODEL, /no tensor named 'no\/such\/tensor'/);
  });
});
