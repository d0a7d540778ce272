/**
 * Group members for the direct HDF5 reader: the old-style symbol table (a version-1 B-tree of
 * symbol table nodes, names in a local heap) that h5py writes by default, and the compact
 * new-style group (link messages in the object header). HDF5 File Format Specification v3,
 * III.A.1 (B-tree v1), III.B (symbol table node), III.C (symbol table entry), III.D (local
 * heap), IV.A.2.g/IV.A.2.c (link info / link messages).
 *
 * Only hard links are read. Soft and external links, and dense link storage (a fractal heap),
 * are `Hdf5Unsupported`: the HDF5 library path then refuses the links as Keras does.
 */
import { readBtreeNode } from './btree.js';
import { Budget, FileBytes, UNDEFINED, unsupported, type Sizes } from './bytes.js';

/** One member: its name (raw bytes, as HDF5 orders them) and its object header address. */
export interface Member {
  name: Uint8Array;
  address: number;
}

const SYMBOL_TABLE_ENTRY_CACHE_SOFT_LINK = 2;

interface LocalHeap {
  /** Absolute position and size of its data segment. */
  pos: number;
  size: number;
}

function readLocalHeap(file: FileBytes, sizes: Sizes, address: number): LocalHeap {
  const at = file.at(address, 8 + 2 * sizes.lengths + sizes.offsets, 'a local heap');
  if (!file.hasSignature(at, 'HEAP')) unsupported('a local heap without its signature');
  if (file.u8(at + 4) !== 0) unsupported(`local heap version ${file.u8(at + 4)}`);
  const size = file.lengthAt(at + 8, sizes);
  const dataAddress = file.address(at + 8 + 2 * sizes.lengths, sizes);
  return { pos: file.at(dataAddress, size, "a local heap's data"), size };
}

/** Longest member name read (HDF5 allows longer; no Keras file comes near). */
const MAX_NAME_BYTES = 1 << 16;

/** A NUL-terminated name at `offset` in the heap's data segment. */
function heapName(file: FileBytes, heap: LocalHeap, offset: number, budget: Budget): Uint8Array {
  if (offset < 0 || offset >= heap.size) unsupported('a name outside its local heap');
  const rest = file.sub(heap.pos + offset, Math.min(heap.size - offset, MAX_NAME_BYTES + 1));
  const end = rest.indexOf(0);
  budget.spendBytes('member names', end < 0 ? rest.length : end);
  if (end < 0) unsupported('a name without its terminating NUL in the local heap, or longer than any Keras name');
  return rest.subarray(0, end);
}

/** Members of a symbol-table group: its B-tree walked to the symbol table nodes. */
export function readSymbolTable(file: FileBytes, sizes: Sizes, btree: number, heapAddress: number, budget: Budget): Member[] {
  const heap = readLocalHeap(file, sizes, heapAddress);
  const members: Member[] = [];
  const seen = new Set<number>();
  const visit = (address: number, expectedLevel: number | null, depth: number): void => {
    const { level, used, entries } = readBtreeNode(file, sizes, address, 0, expectedLevel, depth, seen, budget, 'B-tree');
    // Keys (heap offsets, `lengths` bytes) and children (addresses) alternate, one key more.
    const stride = sizes.lengths + sizes.offsets;
    file.check(entries, used * stride + sizes.lengths, 'the entries of a B-tree node');
    for (let i = 0; i < used; i++) {
      const child = file.address(entries + i * stride + sizes.lengths, sizes);
      if (level > 0) visit(child, level - 1, depth + 1);
      else readSymbolNode(child);
    }
  };
  const readSymbolNode = (address: number): void => {
    budget.spend('symbol table nodes');
    const at = file.at(address, 8, 'a symbol table node');
    if (seen.has(at)) unsupported('a symbol table node reached twice');
    seen.add(at);
    if (!file.hasSignature(at, 'SNOD')) unsupported('a symbol table node without its signature');
    if (file.u8(at + 4) !== 1) unsupported(`symbol table node version ${file.u8(at + 4)}`);
    const count = file.u16(at + 6);
    const entrySize = 2 * sizes.offsets + 24;
    file.check(at + 8, count * entrySize, 'the entries of a symbol table node');
    for (let i = 0; i < count; i++) {
      budget.spend('group members');
      const e = at + 8 + i * entrySize;
      const nameOffset = file.uint(e, sizes.offsets);
      const address = file.address(e + sizes.offsets, sizes);
      const cacheType = file.u32(e + 2 * sizes.offsets);
      if (cacheType === SYMBOL_TABLE_ENTRY_CACHE_SOFT_LINK || address === UNDEFINED) unsupported('a soft link in a group');
      members.push({ name: heapName(file, heap, nameOffset, budget), address });
    }
  };
  visit(btree, null, 0);
  return members;
}

/** The Link Info message: only compact storage (no fractal heap), members listed by name. */
export function checkLinkInfo(file: FileBytes, sizes: Sizes, pos: number): void {
  const version = file.u8(pos);
  if (version !== 0) unsupported(`link info version ${version}`);
  const flags = file.u8(pos + 1);
  // Indexed creation order makes the HDF5 library list members in that order, not by name.
  if (flags & 0x02) unsupported('a group listing its members in creation order');
  const heap = file.address(pos + 2 + (flags & 1 ? 8 : 0), sizes);
  if (heap !== UNDEFINED) unsupported('a group with dense link storage');
}

const LINK_HARD = 0;

/** One Link message of a compact new-style group; only hard links. */
export function readLinkMessage(file: FileBytes, sizes: Sizes, pos: number, size: number): Member {
  file.check(pos, size, 'a link message');
  const end = pos + size;
  const version = file.u8(pos);
  if (version !== 1) unsupported(`link message version ${version}`);
  const flags = file.u8(pos + 1);
  let at = pos + 2;
  const type = flags & 0x08 ? file.u8(at++) : LINK_HARD;
  if (type !== LINK_HARD) unsupported(`a link of type ${type} (soft or external)`);
  if (flags & 0x04) at += 8; // creation order
  if (flags & 0x10) at += 1; // name character set (ASCII or UTF-8: bytes either way)
  const lengthSize = 1 << (flags & 3);
  const nameLength = file.uint(at, lengthSize);
  at += lengthSize;
  if (nameLength === UNDEFINED || at + nameLength + sizes.offsets > end) unsupported('a link message running past its end');
  const name = file.sub(at, nameLength);
  return { name, address: file.address(at + nameLength, sizes) };
}
