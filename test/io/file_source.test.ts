/**
 * Files as byte sources: exact ranges by pread (sync and async), positions past 2 and 4 GiB in a
 * sparse 5 GiB file (Node's fs binding aborts the process on a read length that is not a 32-bit
 * integer: no read here is ever that long), a file that shrinks while read, small files read
 * whole, placed so that a .keras archive's weights are 8-byte aligned (then used in place). Only
 * regular files are opened: a device, a pipe (with no writer: opening must not wait) and
 * symlinks to them end in NOT_A_FILE at once, having read nothing.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { MemorySource } from '../../src/io/byte_source.js';
import { FileSource, fileReadStats, openFileSource, readSmallFile } from '../../src/io/file_source.js';
import { convert } from '../../src/convert/convert.js';
import { readSource } from '../../src/convert/read/read_source.js';
import { memberDataOffset } from '../../src/formats/zip/zip_archive.js';
import { fixturePath } from '../helpers/fixtures.js';
import { refusal } from '../helpers/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'keras2tfjs-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('FileSource', () => {
  it('reads exact ranges, sync and async, and refuses ranges outside the file', async () => {
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 0xff);
    const path = join(dir, 'plain.bin');
    writeFileSync(path, bytes);
    const file = await FileSource.open(path);
    try {
      expect(file.size).toBe(bytes.length);
      for (const [at, n] of [[0, 10], [99_990, 10], [12_345, 54_321], [5, 0]]) {
        expect(Buffer.from(await file.read(at, n)).equals(Buffer.from(bytes.subarray(at, at + n)))).toBe(true);
        expect(Buffer.from(file.readSync(at, n)).equals(Buffer.from(bytes.subarray(at, at + n)))).toBe(true);
      }
      await expect(file.read(99_999, 2)).rejects.toThrow(RangeError);
      expect(() => file.readSync(-1, 1)).toThrow(RangeError);
    } finally {
      await file.close();
    }
  });

  it('reads past 2 GiB and 4 GiB in a sparse 5 GiB file', async () => {
    const path = join(dir, 'sparse.bin');
    const marks: Array<[number, string]> = [[2 ** 31 - 3, 'across-2GiB'], [2 ** 32 + 7, 'past-4GiB'], [5 * 2 ** 30 - 8, 'the-end!']];
    const fd = openSync(path, 'w');
    for (const [at, text] of marks) writeSync(fd, text, at);
    closeSync(fd);
    const file = await FileSource.open(path);
    try {
      expect(file.size).toBe(5 * 2 ** 30);
      for (const [at, text] of marks) {
        expect(new TextDecoder().decode(await file.read(at, text.length))).toBe(text);
        expect(new TextDecoder().decode(file.readSync(at, text.length))).toBe(text);
      }
    } finally {
      await file.close();
    }
  });

  it('a file that shrinks while it is read: FILE_NOT_FOUND saying it changed, not a short read', async () => {
    const path = join(dir, 'shrinks.bin');
    writeFileSync(path, new Uint8Array(10_000));
    const file = await FileSource.open(path);
    truncateSync(path, 100);
    const e = await refusal(file.read(0, 10_000));
    expect(e.code).toBe(ErrorCode.FILE_NOT_FOUND);
    expect(e.message).toBe('shrinks.bin: cannot be read (the file ended early: it changed while being read)');
    await file.close();
  });

  it('small files are read whole (their weights are then views of one buffer), large ones by ranges', async () => {
    const path = join(dir, 'small.bin');
    writeFileSync(path, new Uint8Array(1000).fill(7));
    const small = await openFileSource(path, { wholeReadMax: 1000 });
    expect(small).toBeInstanceOf(MemorySource);
    expect(small.ownership).toBe('shared');
    const large = await openFileSource(path, { wholeReadMax: 999 });
    expect(large).toBeInstanceOf(FileSource);
    expect(large.ownership).toBe('fresh');
    await small.close();
    await large.close();
  });

  it('readSmallFile refuses a file larger than its kind ever is, before reading it', async () => {
    const path = join(dir, 'config.json');
    writeFileSync(path, '{"a": 1}');
    expect(new TextDecoder().decode(await readSmallFile(path, 8, 'config'))).toBe('{"a": 1}');
    const before = fileReadStats.bytesRead;
    const e = await refusal(readSmallFile(path, 7, 'model config'));
    expect(e.code).toBe(ErrorCode.RESOURCE_LIMIT);
    expect(e.message).toMatch(/^.*config\.json: is 8 bytes, more than the 7 bytes a model config may have/);
    expect(fileReadStats.bytesRead).toBe(before);
  });
});

describe('a .keras archive read whole is placed so that its weights are aligned', () => {
  const seed = unzipSync(new Uint8Array(readFileSync(fixturePath('seed_lambda', 'model.keras'))));
  const LAMBDAS = { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } };
  /** The seed archive re-zipped (stored) with `spaces` more bytes of JSON whitespace in metadata.json, which shifts where the weights start. */
  function seedArchive(spaces: number): { path: string; bytes: Uint8Array } {
    const metadata = new TextEncoder().encode(new TextDecoder().decode(seed['metadata.json']) + ' '.repeat(spaces));
    const bytes = zipSync({ 'metadata.json': metadata, 'config.json': seed['config.json'], 'model.weights.h5': seed['model.weights.h5'] }, { level: 0 });
    const path = join(dir, `seed-${spaces}.keras`);
    writeFileSync(path, bytes);
    return { path, bytes };
  }
  const alignment = (head: Uint8Array) => memberDataOffset(head, 'model.weights.h5');

  it('at every offset the zip put the weights at: the exact bytes, the weights on an 8-byte boundary', async () => {
    const residues = new Set<number>();
    for (let spaces = 0; spaces < 8; spaces++) {
      const { path, bytes } = seedArchive(spaces);
      const source = (await openFileSource(path, { alignment })) as MemorySource;
      expect(Buffer.from(source.bytes).equals(Buffer.from(bytes))).toBe(true);
      const start = memberDataOffset(bytes.subarray(0, 65536), 'model.weights.h5')!;
      residues.add(start % 8);
      expect((source.bytes.byteOffset + start) % 8).toBe(0);
    }
    expect(residues.size).toBe(8);
  });

  it('converts as the same bytes given in memory (unaligned: copied)', async () => {
    const { path, bytes } = seedArchive(3);
    const fromFile = await convert(path, { lambdas: LAMBDAS });
    const fromMemory = await convert(bytes.slice(), { lambdas: LAMBDAS, fileName: 'seed.keras' });
    const data = (r: typeof fromFile) => r.model.weights.map((w) => [w.name, w.shape, Array.from(w.data)]);
    expect(data(fromFile)).toEqual(data(fromMemory));
    expect(fromFile.model.weights.length).toBe(6);
  });

  it('finds no offset when the member is not among the first local headers', () => {
    const bytes = zipSync({ 'a.txt': new Uint8Array(10), 'b.txt': new Uint8Array(3) }, { level: 0 });
    expect(memberDataOffset(bytes, 'model.weights.h5')).toBeNull();
    expect(memberDataOffset(bytes, 'b.txt')).toBe(30 + 5 + 10 + 30 + 5);
    expect(memberDataOffset(bytes.subarray(0, 40), 'b.txt')).toBeNull();
  });
});

describe('only regular files are read', () => {
  const kinds: Array<[string, () => string, RegExp]> = [
    ['/dev/zero (a device without end)', () => '/dev/zero', /zero: is a character device, not a regular file/],
    ['a FIFO nobody writes to (opening must not wait)', () => {
      const fifo = join(dir, `model-${Math.random().toString(36).slice(2)}.fifo`);
      execFileSync('mkfifo', [fifo]);
      return fifo;
    }, /\.fifo: is a pipe \(FIFO\), not a regular file/],
    ['a symlink to /dev/zero', () => {
      const link = join(dir, `link-${Math.random().toString(36).slice(2)}.keras`);
      symlinkSync('/dev/zero', link);
      return link;
    }, /\.keras: is a character device, not a regular file/],
  ];

  it.each(kinds)('%s: NOT_A_FILE at once, nothing read', async (_what, make, message) => {
    const path = make();
    const before = fileReadStats.bytesRead;
    const e = await refusal(FileSource.open(path));
    expect(e.code).toBe(ErrorCode.NOT_A_FILE);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/only files whose size is known are read/);
    // Through the converter too.
    const c = await refusal(convert(path));
    expect(c.code).toBe(ErrorCode.NOT_A_FILE);
    expect(fileReadStats.bytesRead).toBe(before);
  });
});

describe('a file read by ranges converts as the same bytes read whole', () => {
  it.each([['seed_lambda', 'model.keras'], ['seed_lambda', 'model.h5'], ['builtin_dropout', 'model.keras']])('%s/%s', async (name, file) => {
    const path = fixturePath(name, file);
    const byRanges = await readSource(path, { wholeReadMax: 0 });
    const inMemory = await readSource(new Uint8Array(readFileSync(path)));
    try {
      expect([...byRanges.layerWeights.keys()]).toEqual([...inMemory.layerWeights.keys()]);
      for (const [layer, weights] of inMemory.layerWeights) {
        const other = byRanges.layerWeights.get(layer)!;
        expect(other.map((w) => [w.storedName, w.shape, w.dtype])).toEqual(weights.map((w) => [w.storedName, w.shape, w.dtype]));
        for (const [i, w] of weights.entries()) expect(await other[i].read()).toEqual(await w.read());
      }
      await byRanges.finish();
      await inMemory.finish();
    } finally {
      await byRanges.close();
      await inMemory.close();
    }
  });
});
