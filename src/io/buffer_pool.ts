/**
 * Buffers for the pieces of weights read from a file, used again once written. A converter
 * reads gigabytes 8 MB at a time; a fresh buffer per piece costs the kernel a page fault and a
 * zeroed page for every 4 KB of it, and V8 a garbage collection every few pieces, more than the
 * reading itself. So the file reader takes its large buffers from here (`takeBuffer`), and the
 * shard writer gives them back (`releaseBuffer`) once every byte of a piece has been written:
 * pieces handed to the writer are the writer's (nobody else keeps them).
 *
 * Only buffers taken from here are kept; anything else given back is ignored, so a writer may
 * give back whatever it wrote. At most KEEP_BYTES are kept, by exact size.
 */

/** Reads below this size take a buffer of their own (pages of structure, small tensors). */
const MIN_POOLED_BYTES = 1 << 20;
/** Free buffers kept at most, in bytes (a few pieces in flight, and the next ones). */
const KEEP_BYTES = 64 << 20;

const ours = new WeakSet<ArrayBufferLike>();
const free = new Map<number, ArrayBuffer[]>();
let freeBytes = 0;

/** Counts for tests: buffers made, and buffers used again. */
export const bufferPoolStats = { made: 0, reused: 0 };

/** A buffer of `length` bytes, not zeroed (the caller fills it whole). */
export function takeBuffer(length: number): Uint8Array {
  if (length >= MIN_POOLED_BYTES) {
    const kept = free.get(length)?.pop();
    if (kept) {
      freeBytes -= length;
      bufferPoolStats.reused++;
      return new Uint8Array(kept);
    }
  }
  const b = Buffer.allocUnsafeSlow(length);
  const bytes = new Uint8Array(b.buffer, b.byteOffset, length);
  if (length >= MIN_POOLED_BYTES) {
    ours.add(bytes.buffer);
    bufferPoolStats.made++;
  }
  return bytes;
}

/** Gives back a buffer nobody uses any more (ignored unless it came from `takeBuffer`). */
export function releaseBuffer(buffer: ArrayBufferLike): void {
  if (!ours.has(buffer) || freeBytes + buffer.byteLength > KEEP_BYTES) return;
  const list = free.get(buffer.byteLength) ?? [];
  if (list.includes(buffer as ArrayBuffer)) return;
  list.push(buffer as ArrayBuffer);
  free.set(buffer.byteLength, list);
  freeBytes += buffer.byteLength;
}
