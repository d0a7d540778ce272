/**
 * Chunked datasets (what h5py writes with `chunks=`, `compression=`, `shuffle=` or
 * `fletcher32=`): the version-1 B-tree that indexes their chunks (HDF5 File Format
 * Specification v3, III.A.1, node type 1), read while the file's structure is read, and the
 * reading of the values chunk by chunk: in whole rows of chunks along the first dimension,
 * which are contiguous runs of the dataset's C-order bytes, so a writer can stream them.
 *
 * Read: data layout version 3 chunked storage indexed by a B-tree, every chunk present (a
 * dataset with chunks never written holds fill values, left to the HDF5 library), filters of
 * filters.ts. Layout version 4 (other chunk indexes) is left to the HDF5 library.
 */
import { readBtreeNode } from './btree.js';
import { Budget, FileBytes, UNDEFINED, unsupported, type Sizes } from './bytes.js';
import type { Filter } from './filters.js';

/** Where a chunked dataset's chunks are, as its layout message says. */
export interface ChunkedLayout {
  /** Address of the chunk B-tree. */
  btree: number;
  /** Chunk dimensions (the dataset's rank). */
  chunkShape: number[];
  /** Bytes of one element. */
  elementSize: number;
}

/** One stored chunk. */
export interface Chunk {
  /** Element offsets of the chunk's first element, per dimension. */
  offset: number[];
  /** Absolute position and stored (filtered) size in the file. */
  pos: number;
  size: number;
  /** Bit i set: filter i was not applied to this chunk. */
  filterMask: number;
}

export interface ChunkedStorage extends ChunkedLayout {
  filters: Filter[];
  /** Every chunk, sorted by offset (C order). */
  chunks: Chunk[];
}

/** Reads the chunked part of a version-3 data layout message (class 2) at `pos`. */
export function readChunkedLayout(file: FileBytes, sizes: Sizes, pos: number, size: number): ChunkedLayout {
  const rankPlusOne = file.u8(pos + 2);
  if (rankPlusOne < 2) unsupported('a chunked layout of rank 0');
  const btree = file.address(pos + 3, sizes);
  const dims = pos + 3 + sizes.offsets;
  if (dims + rankPlusOne * 4 > pos + size) unsupported('a chunked layout message too short for its rank');
  const chunkShape: number[] = [];
  for (let i = 0; i < rankPlusOne - 1; i++) chunkShape.push(file.u32(dims + i * 4));
  const elementSize = file.u32(dims + (rankPlusOne - 1) * 4);
  if (chunkShape.some((d) => d === 0) || elementSize === 0) unsupported('a chunk dimension of 0');
  return { btree, chunkShape, elementSize };
}

/**
 * Walks the chunk B-tree of a dataset of `shape` and returns its chunks, checked: each inside
 * the file, on the chunk grid, inside the dataset, none twice, all present.
 */
export function readChunkIndex(file: FileBytes, sizes: Sizes, layout: ChunkedLayout, shape: number[], budget: Budget): Chunk[] {
  const rank = shape.length;
  if (layout.chunkShape.length !== rank) unsupported('chunks of another rank than their dataset');
  const chunks: Chunk[] = [];
  const seenNodes = new Set<number>();
  const keyBytes = 8 + (rank + 1) * 8;
  const visit = (address: number, expectedLevel: number | null, depth: number): void => {
    const { level, used, entries } = readBtreeNode(file, sizes, address, 1, expectedLevel, depth, seenNodes, budget, 'chunk B-tree');
    // Keys (chunk size, filter mask, offsets) and children (addresses) alternate, one key more.
    const stride = keyBytes + sizes.offsets;
    file.check(entries, used * stride + keyBytes, 'the entries of a chunk B-tree node');
    for (let i = 0; i < used; i++) {
      const key = entries + i * stride;
      const child = file.address(key + keyBytes, sizes);
      if (level > 0) {
        visit(child, level - 1, depth + 1);
        continue;
      }
      budget.spend('chunks');
      const size = file.u32(key);
      const filterMask = file.u32(key + 4);
      const offset: number[] = [];
      for (let d = 0; d < rank; d++) offset.push(file.uint(key + 8 + d * 8, 8));
      if (child === UNDEFINED) unsupported('a chunk at an undefined address');
      chunks.push({ offset, pos: file.at(child, size, 'a chunk'), size, filterMask });
    }
  };
  if (layout.btree !== UNDEFINED) visit(layout.btree, null, 0);
  checkCoverage(chunks, shape, layout.chunkShape);
  chunks.sort((a, b) => compareOffsets(a.offset, b.offset));
  return chunks;
}

/** Every chunk on the grid, inside the dataset, once; and every grid cell has its chunk. */
function checkCoverage(chunks: Chunk[], shape: number[], chunkShape: number[]): void {
  let cells = 1;
  for (let d = 0; d < shape.length; d++) cells *= Math.ceil(shape[d] / chunkShape[d]);
  const seen = new Set<string>();
  for (const c of chunks) {
    for (let d = 0; d < shape.length; d++) {
      if (c.offset[d] % chunkShape[d] !== 0 || c.offset[d] >= shape[d]) unsupported('a chunk off the chunk grid or outside its dataset');
    }
    const key = c.offset.join(',');
    if (seen.has(key)) unsupported('a chunk indexed twice');
    seen.add(key);
  }
  // Missing chunks hold the fill value, which this reader does not decode.
  if (chunks.length !== cells) unsupported(`a chunked dataset with ${cells - chunks.length} of its ${cells} chunks never written`);
}

function compareOffsets(a: number[], b: number[]): number {
  for (let d = 0; d < a.length; d++) if (a[d] !== b[d]) return a[d] - b[d];
  return 0;
}

/**
 * Copies the part of a decoded chunk (`chunk`, C order over `chunkShape`) that lies inside the
 * dataset into `out`, which holds dataset rows [rowStart, rowStart + rows of out) in C order.
 */
export function placeChunk(
  chunk: Uint8Array,
  offset: number[],
  chunkShape: number[],
  shape: number[],
  elementSize: number,
  out: Uint8Array,
  rowStart: number,
): void {
  const rank = shape.length;
  // Bytes per step along each dimension, in the chunk and in the dataset.
  const chunkStride = new Array<number>(rank);
  const dataStride = new Array<number>(rank);
  chunkStride[rank - 1] = elementSize;
  dataStride[rank - 1] = elementSize;
  for (let d = rank - 2; d >= 0; d--) {
    chunkStride[d] = chunkStride[d + 1] * chunkShape[d + 1];
    dataStride[d] = dataStride[d + 1] * shape[d + 1];
  }
  // The part inside the dataset: extent along each dimension.
  const extent = offset.map((o, d) => Math.min(chunkShape[d], shape[d] - o));
  const runBytes = extent[rank - 1] * elementSize;
  const index = new Array<number>(Math.max(0, rank - 1)).fill(0);
  for (;;) {
    // One run along the last dimension: from the chunk at `src` to the rows at `dst`.
    let src = 0;
    let dst = -rowStart * dataStride[0];
    for (let d = 0; d < rank; d++) {
      const i = d < rank - 1 ? index[d] : 0;
      src += i * chunkStride[d];
      dst += (offset[d] + i) * dataStride[d];
    }
    out.set(chunk.subarray(src, src + runBytes), dst);
    // Next run: the odometer over all dimensions but the last.
    let d = rank - 2;
    while (d >= 0 && ++index[d] >= extent[d]) index[d--] = 0;
    if (d < 0) break;
  }
}
