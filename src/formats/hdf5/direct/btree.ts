/**
 * Nodes of HDF5's version-1 B-trees (File Format Specification v3, III.A.1): the index of a
 * group's members (node type 0, groups.ts) and of a chunked dataset's chunks (type 1,
 * chunks.ts). Only the node's header is read here, checked; its keys and children are the
 * caller's, as they differ by type.
 */
import { Budget, FileBytes, unsupported, type Sizes } from './bytes.js';

/** B-tree depth no real file reaches (a 2^64-entry tree of K = 4 is 32 deep). */
export const MAX_BTREE_DEPTH = 40;

export interface BtreeNode {
  /** Absolute position of the node. */
  at: number;
  level: number;
  /** Children the node holds. */
  used: number;
  /** Absolute position of its first key. */
  entries: number;
}

/**
 * The node at `address`, of `type`, at `expectedLevel` (null for the root), never seen before
 * in this walk (`seen`), at most MAX_BTREE_DEPTH deep; `Hdf5Unsupported` naming `what` else.
 */
export function readBtreeNode(
  file: FileBytes,
  sizes: Sizes,
  address: number,
  type: 0 | 1,
  expectedLevel: number | null,
  depth: number,
  seen: Set<number>,
  budget: Budget,
  what: string,
): BtreeNode {
  if (depth > MAX_BTREE_DEPTH) unsupported('a B-tree deeper than any real file');
  budget.spend(`${what} nodes`);
  const header = 8 + 2 * sizes.offsets;
  const at = file.at(address, header, `a ${what} node`);
  if (seen.has(at)) unsupported(`a ${what} node reached twice`);
  seen.add(at);
  if (!file.hasSignature(at, 'TREE')) unsupported(`a ${what} node without its signature`);
  if (file.u8(at + 4) !== type) unsupported(`a B-tree of type ${file.u8(at + 4)} where ${type === 0 ? "a group's" : "a dataset's chunk index"} was expected`);
  const level = file.u8(at + 5);
  if (expectedLevel !== null && level !== expectedLevel) unsupported(`a ${what} with inconsistent levels`);
  return { at, level, used: file.u16(at + 6), entries: at + header };
}
