/**
 * Chunked datasets, as h5py writes them (make_chunked_hdf5.py: a real Keras archive's weights
 * rewritten with gzip, shuffle, Fletcher-32, big-endian values, small chunks with partial ones
 * at the edges): read by the direct reader chunk by chunk, giving exactly the original weights
 * without the HDF5 library; a damaged chunk is BAD_HDF5 naming the dataset, the chunk and why.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { convert } from '../../../src/convert/convert.js';
import { ErrorCode, Keras2TfjsError } from '../../../src/errors.js';
import { readHdf5Tree } from '../../../src/formats/hdf5/direct/reader.js';
import { Hdf5Thread } from '../../../src/formats/hdf5/h5wasm/thread.js';
import { fixturePath } from '../../helpers/fixtures.js';

const CHUNKED = join(fileURLToPath(new URL('.', import.meta.url)), 'chunked');
const VARIANTS = ['gzip_shuffle', 'fletcher32', 'big_endian_gzip', 'one_chunk'];
const KERNEL = '/layers/dense_2/vars/0';

const values = (r: Awaited<ReturnType<typeof convert>>) => r.model.weights.map((w) => [w.name, w.shape, Array.from(w.data)]);

/** The archive with one byte of `path`'s first chunk flipped. */
async function damagedChunk(variant: string, offsetInChunk: number): Promise<Uint8Array> {
  const members = unzipSync(new Uint8Array(readFileSync(join(CHUNKED, `${variant}.keras`))));
  const h5 = members['model.weights.h5'].slice();
  const tree = await readHdf5Tree(h5);
  let object = tree.objects.get(tree.root)!;
  for (const part of KERNEL.split('/').filter(Boolean)) object = tree.objects.get(object.members.get(part)!)!;
  const chunk = object.dataset!.chunked!.chunks[0];
  h5[chunk.pos + offsetInChunk] ^= 0x10;
  return zipSync({ 'metadata.json': members['metadata.json'], 'config.json': members['config.json'], 'model.weights.h5': [h5, { level: 0 }] });
}

describe('chunked datasets written by h5py', () => {
  it.each(VARIANTS)('%s.keras converts to exactly the original weights, without the HDF5 library', async (variant) => {
    const original = await convert(fixturePath('builtin_dropout', 'model.keras'), { exactDropout: true });
    const chunked = await convert(join(CHUNKED, `${variant}.keras`), { exactDropout: true });
    expect(values(chunked)).toEqual(values(original));
    expect(Hdf5Thread.running).toBe(false);
  });

  it.each([
    ['gzip_shuffle', 10, /its chunk at \[0, 0\] is damaged: its inflated bytes fail their Adler-32 check/],
    ['fletcher32', 3, /its chunk at \[0, 0\] is damaged: it fails its Fletcher-32 checksum/],
  ])('a flipped byte in a chunk of %s.keras: BAD_HDF5 naming the dataset and the chunk', async (variant, at, reason) => {
    const bytes = await damagedChunk(variant, at);
    const e = await convert(bytes, { exactDropout: true, fileName: `${variant}.keras` }).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(Keras2TfjsError);
    expect((e as Keras2TfjsError).code).toBe(ErrorCode.BAD_HDF5);
    expect((e as Error).message).toMatch(new RegExp(`^${variant}\\.keras: dataset '${KERNEL}': ${reason.source}`));
  });
});
