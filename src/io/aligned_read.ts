/**
 * Reads a model file into memory so that its weights can be used where they lie.
 *
 * The readers view a float32 dataset in place when it starts at a multiple of 4 in memory (a
 * typed array must start at a multiple of its element size), and copy it otherwise. Inside the
 * .h5 files Keras writes, the big datasets sit at 8-byte-aligned offsets in practice (HDF5 does
 * not promise it: a dataset after an odd-sized one is not). Inside a .keras zip, though,
 * model.weights.h5 starts wherever the zip put it (e.g. byte 4151), so every dataset would be
 * misaligned and copied (~70 ms for 100 MB).
 * So for a zip we find, from its first bytes, where the member starts, and read the file at a
 * padding that puts the member on an 8-byte boundary. This is only a placement hint: if the
 * member is not among the first local headers, or the hint is wrong, the readers copy as before.
 */
import { open } from './disk.js';
import { isZip, readLocalHeader } from '../formats/zip/zip_archive.js';

/** Files smaller than this are read plainly: their copies cost nothing worth a second read. */
const ALIGN_MIN_BYTES = 1 << 20;
/** How much of a zip's start is searched for the member's local header. */
const HEAD_BYTES = 64 * 1024;
const ALIGNMENT = 8;
/** General-purpose flag bit 3: sizes follow the data, so the next header cannot be found. */
const FLAG_DATA_DESCRIPTOR = 0x08;

/**
 * The file's bytes, in a buffer of their own. For a zip of at least 1 MB, placed so that
 * `member`'s data starts 8-byte aligned in that buffer (the returned view starts at the padding).
 */
export async function readFileAligned(path: string, member: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const stats = await handle.stat();
    // A pipe or a device (`<(cat model.keras)`, /dev/stdin) has no size: read it to its end.
    if (!stats.isFile()) return ownBytes(await handle.readFile());
    const size = stats.size;
    let pad = 0;
    if (size >= ALIGN_MIN_BYTES) {
      const head = new Uint8Array(Math.min(size, HEAD_BYTES));
      await readFully(handle, head, 0);
      if (isZip(head)) pad = paddingFor(memberDataOffset(head, member));
    }
    const bytes = new Uint8Array(new ArrayBuffer(pad + size), pad, size);
    await readFully(handle, bytes, 0);
    return bytes;
  } finally {
    await handle.close();
  }
}

/**
 * A Buffer's bytes as a Uint8Array over an ArrayBuffer of their own, without the copy that
 * `new Uint8Array(buffer)` makes (~50 ms per 100 MB); a small Buffer may sit in Node's shared
 * pool, and is copied out of it, since the readers may hand the whole ArrayBuffer to a thread.
 */
export function ownBytes(buffer: Buffer): Uint8Array {
  const whole = buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength;
  return whole ? new Uint8Array(buffer.buffer, 0, buffer.byteLength) : new Uint8Array(buffer);
}

/** Fills `into` from the file at `position`; a file that shrank meanwhile is an I/O error. */
async function readFully(handle: import('node:fs/promises').FileHandle, into: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < into.length; ) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw Object.assign(new Error('the file ended early (it changed while being read)'), { code: 'EIO' });
    done += bytesRead;
  }
}

function paddingFor(offset: number | null): number {
  return offset === null ? 0 : (ALIGNMENT - (offset % ALIGNMENT)) % ALIGNMENT;
}

/**
 * Where `member`'s data starts, found by walking the local headers at the start of the zip
 * (Keras writes metadata.json and config.json, both small, before model.weights.h5); null if
 * it is not found within `head`.
 */
export function memberDataOffset(head: Uint8Array, member: string): number | null {
  const wanted = new TextEncoder().encode(member);
  for (let at = 0; ; ) {
    const header = readLocalHeader(head, at);
    if (header === null || header.dataStart > head.length) return null;
    const name = head.subarray(header.nameStart, header.nameStart + header.nameLength);
    if (name.length === wanted.length && name.every((b, i) => b === wanted[i])) return header.dataStart;
    // Without sizes in the header (or with a zip64 marker) the next header's place is unknown.
    if (header.flags & FLAG_DATA_DESCRIPTOR || header.compressedSize === 0xffffffff) return null;
    at = header.dataStart + header.compressedSize;
  }
}
