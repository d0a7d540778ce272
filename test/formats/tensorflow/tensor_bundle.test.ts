/**
 * The TensorBundle checkpoint reader against real TensorFlow: every tensor of every corpus
 * SavedModel checkpoint (weights, optimizer slots, int64 counters, the object-graph string)
 * equals what tf.train.load_checkpoint(...).get_tensor(key) returned
 * (saved_model_corpus.expected.json, written by saved_model_corpus_expected.py).
 * Damaged copies of a real checkpoint fail with typed errors, whether a tensor is read whole or
 * in pieces (its CRC-32C then checked on the way, before the last piece is given).
 */
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, Keras2TfjsError } from '../../../src/errors.js';
import type { TensorBundle } from '../../../src/formats/tensorflow/tensor_bundle.js';
import { openTensorBundle } from '../../../src/io/tensor_bundle_files.js';
import { CORPUS_DIR } from '../../helpers/corpus.js';

/** A tensor described and read whole (the description's refusals reject the promise too). */
async function readArray(bundle: TensorBundle, key: string): Promise<{ shape: number[]; dtype: string; data: Float32Array | Int32Array }> {
  const a = bundle.array(key);
  return { shape: a.shape, dtype: a.dtype, data: await a.read() };
}

/** A tensor read in pieces of `bytes`, laid end to end. */
async function readPieces(bundle: TensorBundle, key: string, bytes: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of bundle.array(key).pieces(bytes)) parts.push(new Uint8Array(p.buffer, p.byteOffset, p.byteLength).slice());
  return new Uint8Array(Buffer.concat(parts));
}

const expected = JSON.parse(readFileSync(new URL('../../convert/saved_model_corpus.expected.json', import.meta.url), 'utf8')) as {
  models: Record<string, { checkpoint: Record<string, { dtype: string; shape: number[]; sha256: string }> }>;
};

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('TensorBundle reads what TensorFlow reads', () => {
  it.each(Object.keys(expected.models))('%s: every tensor', async (dir) => {
    const want = expected.models[dir].checkpoint;
    const bundle = await openTensorBundle(join(CORPUS_DIR, dir, 'variables', 'variables'));
    expect(bundle.keys().sort()).toEqual(Object.keys(want).sort());
    for (const [key, w] of Object.entries(want)) {
      if (w.dtype === 'string') {
        const [s] = await bundle.readStrings(key);
        expect(sha256(s), key).toBe(w.sha256);
        continue;
      }
      const a = await readArray(bundle, key);
      expect(a.shape, key).toEqual(w.shape);
      expect(a.dtype, key).toBe(w.dtype.startsWith('float') ? 'float32' : 'int32');
      expect(sha256(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength)), key).toBe(w.sha256);
      // In pieces of 7 elements' worth of bytes (and at least one element): the same values.
      expect(sha256(await readPieces(bundle, key, 28)), `${key} in pieces`).toBe(w.sha256);
    }
    await bundle.close();
  });
});

/** A real checkpoint with several data blocks' worth of entries (117 tensors). */
const SOURCE = 'Mathieu-Le-Gouill+Image_Denoising_With_Autoencoders+unet-bn-concat.savedmodel';
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
    await cp(join(CORPUS_DIR, SOURCE, 'variables'), dir, { recursive: true });
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
    await expectCode(readArray(bundle, KERNEL), ErrorCode.CORRUPT_FILE, /variables\.data-00000-of-00001: checksum mismatch for tensor 'layer_with_weights-0\/kernel/);
    await expectCode(readPieces(bundle, KERNEL, 64), ErrorCode.CORRUPT_FILE, /variables\.data-00000-of-00001: checksum mismatch for tensor 'layer_with_weights-0\/kernel/);
  });

  it('a missing shard and a short shard are told apart', async () => {
    const prefix = await copy('shards');
    const bundle = await openTensorBundle(prefix);
    const shard = `${prefix}.data-00000-of-00001`;
    await truncate(shard, 1000);
    const last = bundle.keys().map((k) => bundle.info(k)!).filter((i) => i.dtypeName === 'float32').sort((a, b) => b.offset - a.offset)[0];
    await expectCode(readArray(bundle, last.key), ErrorCode.CORRUPT_FILE, /is 1000 bytes but tensor .* ends at byte \d+: truncated/);
    await unlink(shard);
    await expectCode(readArray(bundle, KERNEL), ErrorCode.BAD_SAVED_MODEL, /data shard 0 of 1 is missing \(needed for 'layer_with_weights-0/);
  });

  it('asking for a tensor that is not there names it', async () => {
    const bundle = await openTensorBundle(join(CORPUS_DIR, SOURCE, 'variables', 'variables'));
    await expectCode(readArray(bundle, 'no/such/tensor'), ErrorCode.BAD_SAVED_MODEL, /no tensor named 'no\/such\/tensor'/);
  });
});
