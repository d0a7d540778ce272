/**
 * A stored member read by ranges: its CRC-32 is computed as the reads go by, in the order they
 * were asked for even when they finish out of order (a reader fetches the next piece while it
 * uses this one), so reading the member front to back checks it without reading it twice;
 * `verify` checks the rest and compares. A flipped byte is found whether it was read or not.
 */
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ErrorCode, Keras2TfjsError } from '../../../src/errors.js';
import { DecodeBudget } from '../../../src/formats/decode_budget.js';
import { ZipArchive } from '../../../src/formats/zip/zip_archive.js';
import { MemorySource, type ByteSource } from '../../../src/io/byte_source.js';

const DATA = Uint8Array.from({ length: 3_000_000 }, (_, i) => (i * 2654435761) >>> 24);

/** An archive source whose reads finish in reverse order of asking, and count the bytes read. */
function shuffledReads(bytes: Uint8Array): ByteSource & { read_: number } {
  const memory = new MemorySource(bytes, 'a.keras');
  let pending: Array<() => void> = [];
  const source = {
    name: 'a.keras',
    size: bytes.length,
    ownership: 'borrowed' as const,
    read_: 0,
    read: (at: number, n: number) =>
      new Promise<Uint8Array>((resolve) => {
        source.read_ += n;
        pending.push(() => resolve(memory.readSync(at, n)));
        // Finish everything asked for so far, newest first, once the asking stops.
        queueMicrotask(() => {
          const now = pending.reverse();
          pending = [];
          for (const done of now) done();
        });
      }),
    close: async () => {},
  };
  return source;
}

async function openWeights(bytes: Uint8Array, source: ByteSource = new MemorySource(bytes, 'a.keras')) {
  const zip = await ZipArchive.open(source, 'a.keras', DecodeBudget.unlimited());
  return zip.openMember('model.weights.h5');
}

function archive(data: Uint8Array): Uint8Array {
  return zipSync({ 'config.json': new TextEncoder().encode('{}'), 'model.weights.h5': [data, { level: 0 }] });
}

describe('a stored member read by ranges', () => {
  it('is checked on the way when read front to back, even with reads finishing out of order', async () => {
    const bytes = archive(DATA);
    const source = shuffledReads(bytes);
    const member = await openWeights(bytes, source);
    const piece = 250_000;
    const reads = [];
    for (let at = 0; at < DATA.length; at += piece) reads.push(member.read(at, Math.min(piece, DATA.length - at)));
    const got = await Promise.all(reads);
    expect(Buffer.concat(got).equals(Buffer.from(DATA))).toBe(true);
    expect((member as unknown as { checkedBytes: number }).checkedBytes).toBe(DATA.length);
    const before = source.read_;
    await member.verify();
    // Nothing left to read: every byte was checked as it went by.
    expect(source.read_).toBe(before);
  });

  it('reads what was skipped when verified, and finds a flipped byte, read or not', async () => {
    for (const readFirst of [true, false]) {
      const bytes = archive(DATA);
      // The member's data starts where its first bytes are found in the archive.
      const start = Buffer.from(bytes).indexOf(Buffer.from(DATA.subarray(0, 64)));
      bytes[start + 1_234_567] ^= 0x40;
      const member = await openWeights(bytes);
      if (readFirst) await member.read(1_000_000, 500_000);
      const e = await member.verify().then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(Keras2TfjsError);
      expect((e as Keras2TfjsError).code).toBe(ErrorCode.BAD_ARCHIVE);
      expect((e as Error).message).toBe("a.keras: member 'model.weights.h5' fails its CRC-32 check; the archive is corrupt or truncated");
    }
  });

  it('an intact member verifies after reads in any order', async () => {
    const member = await openWeights(archive(DATA));
    await member.read(2_000_000, 1000);
    await member.read(10, 100);
    await member.read(0, 5);
    await expect(member.verify()).resolves.toBeUndefined();
  });
});
