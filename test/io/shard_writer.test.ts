/**
 * Shards written as the weights' pieces arrive: cut at the shard size wherever the pieces end,
 * every byte in order; each piece's buffer given back to the pool once all of it is written
 * (and never before: a buffer used again while a write still reads it would corrupt a shard).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferPoolStats, takeBuffer } from '../../src/io/buffer_pool.js';
import { writeShards } from '../../src/io/shard_writer.js';

const dir = mkdtempSync(join(tmpdir(), 'keras2tfjs-shards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MIB = 1 << 20;

describe('writeShards from a stream of pieces', () => {
  it('cuts pieces of 3 MiB into shards of 2 MiB, writes every byte in order, and gives each buffer back once written', async () => {
    const total = 10 * MIB + 12345;
    const expected = new Uint8Array(total);
    for (let i = 0; i < total; i++) expected[i] = (i * 2654435761) >>> 27;
    const given: Uint8Array[] = [];
    async function* pieces(): AsyncIterable<Uint8Array> {
      for (let at = 0; at < total; at += 3 * MIB) {
        const n = Math.min(3 * MIB, total - at);
        const piece = takeBuffer(n);
        piece.set(expected.subarray(at, at + n));
        given.push(piece);
        yield piece;
      }
    }
    const names = Array.from({ length: Math.ceil(total / (2 * MIB)) }, (_, k) => `s${k}.bin`);
    const before = { ...bufferPoolStats };
    await writeShards(join(dir), names, 2 * MIB, { totalBytes: total, pieces: pieces() }, false);
    const written = Buffer.concat(names.map((n) => readFileSync(join(dir, n))));
    expect(written.equals(Buffer.from(expected))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([...names].sort());
    // Every full-size piece came back: the next ones are taken from the pool, not made.
    expect(bufferPoolStats.made - before.made).toBe(given.length);
    const again = takeBuffer(3 * MIB);
    expect(bufferPoolStats.reused).toBe(before.reused + 1);
    expect(given.some((p) => p.buffer === again.buffer)).toBe(true);
  });

  it('refuses a stream longer or shorter than its manifest declares, without leaving a write in flight', async () => {
    async function* three(): AsyncIterable<Uint8Array> {
      yield new Uint8Array(3);
    }
    await expect(writeShards(dir, ['x.bin'], 10, { totalBytes: 2, pieces: three() }, false)).rejects.toThrow(/more than the 2 bytes/);
    await expect(writeShards(dir, ['y.bin'], 10, { totalBytes: 4, pieces: three() }, false)).rejects.toThrow(/produced 3 bytes, their manifest declares 4/);
  });
});
