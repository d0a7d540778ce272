/**
 * BlobSource: a Blob (a File a page was given) read by ranges, as a file is; small ones read
 * whole, a .keras placed so its weights member is 8-byte aligned in memory (views, not copies).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BlobSource, openBlobSource } from '../../src/io/blob_source.js';
import { MemorySource } from '../../src/io/byte_source.js';
import { isZip, memberDataOffset } from '../../src/formats/zip/zip_archive.js';
import { fixturePath } from '../helpers/fixtures.js';

const KERAS = new Uint8Array(readFileSync(fixturePath('seed_lambda', 'model.keras')));
const alignment = (head: Uint8Array) => (isZip(head) ? memberDataOffset(head, 'model.weights.h5') : null);

describe('BlobSource', () => {
  it('reads exactly the ranges asked for, each into a buffer of its own', async () => {
    const source = new BlobSource(new Blob([KERAS]), 'model.keras');
    expect(source.size).toBe(KERAS.length);
    const a = await source.read(1000, 4096);
    expect(a).toEqual(KERAS.subarray(1000, 5096));
    expect(a.byteOffset).toBe(0);
    expect(a.buffer.byteLength).toBe(4096);
    expect(await source.read(KERAS.length, 0)).toEqual(new Uint8Array(0));
    await expect(source.read(KERAS.length - 2, 4)).rejects.toThrow(RangeError);
  });

  it('a small Blob is read whole, its weights member placed at an 8-byte boundary', async () => {
    const weightsAt = memberDataOffset(KERAS, 'model.weights.h5')!;
    expect(weightsAt % 8).not.toBe(0);
    const source = await openBlobSource(new Blob([KERAS]), 'model.keras', { alignment });
    expect(source).toBeInstanceOf(MemorySource);
    const bytes = (source as MemorySource).bytes;
    expect(bytes).toEqual(KERAS);
    expect((bytes.byteOffset + weightsAt) % 8).toBe(0);
  });

  it('a Blob past wholeReadMax stays a BlobSource, read by ranges', async () => {
    const source = await openBlobSource(new Blob([KERAS]), 'model.keras', { wholeReadMax: 1024, alignment });
    expect(source).toBeInstanceOf(BlobSource);
  });
});
