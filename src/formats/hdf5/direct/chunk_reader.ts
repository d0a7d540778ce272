/**
 * Reading a chunked dataset's values chunk by chunk. The chunks in one band (the same offset
 * along the first dimension) together hold a run of whole rows, which is a contiguous range of
 * the dataset's C-order bytes: a read of any byte range decodes the bands it overlaps, one at a
 * time, keeping only the last (readers go forward), so at most one band is in memory.
 */
import type { ByteSource } from '../../../io/byte_source.js';
import { placeChunk, type ChunkedStorage, type Chunk } from './chunks.js';
import { ChunkDamaged, unfilterChunk } from './filters.js';

export class ChunkBands {
  /** Chunks per band, by band index. */
  private readonly bands = new Map<number, Chunk[]>();
  private readonly rowBytes: number;
  private readonly bandRows: number;
  private readonly chunkBytes: number;
  private last: { index: number; bytes: Uint8Array } | null = null;
  /** Reads run one after another (a reader may ask for the next piece early), sharing the last band. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly source: ByteSource,
    private readonly shape: number[],
    private readonly storage: ChunkedStorage,
    private readonly fail: (message: string) => never,
  ) {
    this.bandRows = storage.chunkShape[0];
    this.rowBytes = shape.slice(1).reduce((a, b) => a * b, 1) * storage.elementSize;
    this.chunkBytes = storage.chunkShape.reduce((a, b) => a * b, 1) * storage.elementSize;
    for (const c of storage.chunks) {
      const index = c.offset[0] / this.bandRows;
      let list = this.bands.get(index);
      if (!list) this.bands.set(index, (list = []));
      list.push(c);
    }
  }

  /** The dataset's bytes [start, start + length), in a new buffer. */
  read(start: number, length: number): Promise<Uint8Array> {
    const reading = this.queue.then(() => this.readNow(start, length));
    this.queue = reading.catch(() => {});
    return reading;
  }

  private async readNow(start: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    const bandBytes = this.bandRows * this.rowBytes;
    for (let at = start; at < start + length; ) {
      const index = Math.floor(at / bandBytes);
      const band = await this.band(index);
      const from = at - index * bandBytes;
      const n = Math.min(band.length - from, start + length - at);
      out.set(band.subarray(from, from + n), at - start);
      at += n;
    }
    return out;
  }

  private async band(index: number): Promise<Uint8Array> {
    if (this.last?.index === index) return this.last.bytes;
    this.last = null;
    const rowStart = index * this.bandRows;
    const rows = Math.min(this.bandRows, this.shape[0] - rowStart);
    const bytes = new Uint8Array(rows * this.rowBytes);
    const { chunkShape, elementSize, filters } = this.storage;
    for (const chunk of this.bands.get(index) ?? []) {
      const stored = await this.source.read(chunk.pos, chunk.size);
      let decoded: Uint8Array;
      try {
        decoded = unfilterChunk(stored, filters, chunk.filterMask, this.chunkBytes, elementSize);
      } catch (e) {
        if (!(e instanceof ChunkDamaged)) throw e;
        return this.fail(`its chunk at [${chunk.offset.join(', ')}] is damaged: ${e.message}`);
      }
      placeChunk(decoded, chunk.offset, chunkShape, this.shape, elementSize, bytes, rowStart);
    }
    this.last = { index, bytes };
    return bytes;
  }
}
