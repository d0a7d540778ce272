/**
 * Weight bytes → shard files (`group1-shard1of3.bin` ...), written as the bytes arrive: a
 * stream of pieces (the converter reads each weight piece by piece) is cut at the shard size,
 * and each full shard is written while the next is being read, a few at a time, so that
 * neither the whole model nor a whole weight need be in memory.
 */
import { constants as fsConstants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { releaseBuffer } from './buffer_pool.js';

/**
 * Shards written at once. The file system writes them on libuv's threads (4 by default); one is
 * left for the read of the next piece of weights, which would otherwise wait behind the writes.
 */
const PARALLEL_WRITES = 3;

/** The weights' bytes, laid end to end in manifest order: whole parts, or a stream of pieces. */
export type WeightBytes = Uint8Array[] | { totalBytes: number; pieces: AsyncIterable<Uint8Array> };

export function totalBytesOf(weights: WeightBytes): number {
  return Array.isArray(weights) ? weights.reduce((n, b) => n + b.byteLength, 0) : weights.totalBytes;
}

async function* piecesOf(weights: WeightBytes): AsyncIterable<Uint8Array> {
  if (!Array.isArray(weights)) return yield* weights.pieces;
  for (const part of weights) yield part;
}

/**
 * Writes `weights` into `dir` as the files `names` of `shardSize` bytes each (the last one
 * shorter). A failure to write, or an error from the pieces' source, stops the writing; the
 * error is thrown once every write started has settled, so the caller's clean-up never races
 * a write still in flight. Streamed pieces are the writer's: once all of a piece is written,
 * its buffer goes back to the pool it came from (buffer_pool.ts).
 */
export async function writeShards(dir: string, names: string[], shardSize: number, weights: WeightBytes, durable: boolean): Promise<void> {
  const total = totalBytesOf(weights);
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  // Parts of each streamed piece's buffer not yet written; given back when none are left.
  const unwritten = new Map<ArrayBufferLike, number>();
  const written = (parts: Uint8Array[]): void => {
    for (const part of parts) {
      const left = (unwritten.get(part.buffer) ?? 1) - 1;
      if (left > 0) unwritten.set(part.buffer, left);
      else if (unwritten.delete(part.buffer)) releaseBuffer(part.buffer);
    }
  };
  const start = (index: number, parts: Uint8Array[]): void => {
    const write = writeNewFile(join(dir, names[index]), parts, durable).then(
      () => (Array.isArray(weights) ? undefined : written(parts)),
      (error: unknown) => {
        failure ??= { error };
      },
    );
    inFlight.add(write);
    void write.finally(() => inFlight.delete(write));
  };
  let shard = 0;
  let parts: Uint8Array[] = [];
  let filled = 0;
  let produced = 0;
  try {
    for await (const piece of piecesOf(weights)) {
      produced += piece.byteLength;
      if (produced > total) throw new Error(`the weights produced more than the ${total} bytes their manifest declares`);
      // Counted before any part is written, so that no part's write gives the buffer back early.
      if (!Array.isArray(weights)) unwritten.set(piece.buffer, (unwritten.get(piece.buffer) ?? 0) + partsOf(piece.byteLength, filled, shardSize));
      for (let at = 0; at < piece.byteLength; ) {
        const n = Math.min(shardSize - filled, piece.byteLength - at);
        parts.push(piece.subarray(at, at + n));
        filled += n;
        at += n;
        if (filled === shardSize) {
          start(shard++, parts);
          parts = [];
          filled = 0;
          while (inFlight.size >= PARALLEL_WRITES) await Promise.race(inFlight);
        }
      }
      if (failure) break;
    }
    if (!failure) {
      if (produced !== total) throw new Error(`the weights produced ${produced} bytes, their manifest declares ${total}`);
      if (filled > 0) start(shard++, parts);
    }
  } catch (error) {
    failure ??= { error };
  }
  await Promise.all(inFlight);
  if (failure) throw (failure as { error: unknown }).error;
}

/** How many shard parts a piece of `length` bytes is cut into when the current shard holds `filled`. */
function partsOf(length: number, filled: number, shardSize: number): number {
  if (length === 0) return 0;
  const first = Math.min(shardSize - filled, length);
  return 1 + Math.ceil((length - first) / shardSize);
}

/** Writes `content` (text, bytes, or byte parts in order) to a new file (never an existing one), synced if `durable`. */
export async function writeNewFile(path: string, content: string | Uint8Array | Uint8Array[], durable: boolean): Promise<void> {
  const handle = await open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o666);
  try {
    if (typeof content === 'string') await handle.writeFile(content);
    else await writeAll(handle, Array.isArray(content) ? content : [content]);
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
}

/** One writev per shard (its parts are views of the weights), repeated until every byte is written. */
async function writeAll(handle: FileHandle, parts: Uint8Array[]): Promise<void> {
  let rest = parts.filter((p) => p.byteLength > 0);
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest);
    // A short write (rare on files; e.g. the disk filled up mid-way): continue after it.
    while (rest.length > 0 && bytesWritten >= rest[0].byteLength) {
      bytesWritten -= rest[0].byteLength;
      rest = rest.slice(1);
    }
    if (rest.length > 0) rest[0] = rest[0].subarray(bytesWritten);
  }
}
