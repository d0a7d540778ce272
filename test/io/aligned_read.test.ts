/**
 * readFileAligned: the file's exact bytes, with a .keras archive's model.weights.h5 placed on an
 * 8-byte boundary so its float32 weights are used in place; conversions are unchanged by it.
 */
import { unzipSync, zipSync } from 'fflate';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memberDataOffset, readFileAligned } from '../../src/io/aligned_read.js';
import { convert } from '../../src/convert/convert.js';
import { ZipArchive } from '../../src/formats/zip/zip_archive.js';
import { fixturePath } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'keras2tfjs-aligned-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SEED = unzipSync(readFileSync(fixturePath('seed_lambda', 'model.keras')));
/** Above readFileAligned's 1 MB threshold, stored after the weights (Keras' own order comes first). */
const EXTRA = new Uint8Array(1_200_000).map((_, i) => (i * 7) & 0xff);
const LAMBDAS = { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } };

/** The seed archive re-zipped (stored) with `spaces` extra bytes of JSON whitespace in metadata.json, which shifts where the weights start. */
function seedArchive(spaces: number): { path: string; bytes: Uint8Array } {
  const metadata = new TextEncoder().encode(new TextDecoder().decode(SEED['metadata.json']) + ' '.repeat(spaces));
  const bytes = zipSync(
    { 'metadata.json': metadata, 'config.json': SEED['config.json'], 'model.weights.h5': SEED['model.weights.h5'], 'assets/extra.bin': EXTRA },
    { level: 0 },
  );
  const path = join(dir, `seed-${spaces}.keras`);
  writeFileSync(path, bytes);
  return { path, bytes };
}

describe('readFileAligned', () => {
  it('returns the exact bytes, with model.weights.h5 8-byte aligned, whatever its offset in the zip', async () => {
    const residues = new Set<number>();
    for (let spaces = 0; spaces < 8; spaces++) {
      const { path, bytes } = seedArchive(spaces);
      const read = await readFileAligned(path, 'model.weights.h5');
      expect(Buffer.from(read).equals(Buffer.from(bytes))).toBe(true);
      const start = memberDataOffset(read.subarray(0, 65536), 'model.weights.h5');
      expect(start).not.toBeNull();
      residues.add(start! % 8);
      expect((read.byteOffset + start!) % 8).toBe(0);
      // The zip reader finds the same member at the same place.
      expect(Buffer.from(ZipArchive.open(read, path).read('model.weights.h5')).equals(Buffer.from(SEED['model.weights.h5']))).toBe(true);
    }
    expect(residues.size).toBe(8);
  });

  it('converts an aligned archive exactly as its bytes given in memory (unaligned, copied)', async () => {
    const { path, bytes } = seedArchive(3);
    const fromFile = await convert(path, { lambdas: LAMBDAS });
    const fromMemory = await convert(bytes.slice(), { lambdas: LAMBDAS, fileName: 'seed.keras' });
    const data = (r: typeof fromFile) => r.model.weights.map((w) => [w.name, w.shape, Array.from(w.data)]);
    expect(data(fromFile)).toEqual(data(fromMemory));
    expect(fromFile.model.weights.length).toBe(6); // 3 Dense layers: kernel + bias each
  });

  it('leaves files that are not zips, or small, unpadded', async () => {
    const h5 = fixturePath('seed_lambda', 'model.h5');
    const read = await readFileAligned(h5, 'model.weights.h5');
    expect(read.byteOffset).toBe(0);
    expect(Buffer.from(read).equals(readFileSync(h5))).toBe(true);
  });

  it('reads a pipe (no size to trust) to its end', async () => {
    const { bytes } = seedArchive(5);
    const fifo = join(dir, 'model.fifo');
    execFileSync('mkfifo', [fifo]);
    // The writer blocks until the reader opens the pipe; it streams the whole archive, then closes.
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', join(dir, 'seed-5.keras'), fifo], { stdio: 'ignore' });
    const writerDone = new Promise((resolve) => writer.once('close', resolve));
    const read = await readFileAligned(fifo, 'model.weights.h5');
    expect(await writerDone).toBe(0);
    expect(read.length).toBe(bytes.length);
    expect(Buffer.from(read).equals(Buffer.from(bytes))).toBe(true);
  });

  it('gives no offset when the member is not among the first local headers', () => {
    const bytes = zipSync({ 'a.txt': new Uint8Array(10), 'b.txt': new Uint8Array(3) }, { level: 0 });
    expect(memberDataOffset(bytes, 'model.weights.h5')).toBeNull();
    expect(memberDataOffset(bytes, 'b.txt')).toBe(30 + 5 + 10 + 30 + 5);
    expect(memberDataOffset(bytes.subarray(0, 40), 'b.txt')).toBeNull();
  });
});
