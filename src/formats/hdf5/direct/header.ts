/**
 * The direct HDF5 reader's view of a file's skeleton: the superblock (where the root group is,
 * how wide addresses are) and object headers (the list of messages describing one group or
 * dataset, possibly spread over continuation blocks). HDF5 File Format Specification v3,
 * sections II.A (superblock) and IV.A (object headers).
 *
 * Read: superblock versions 0 and 1 (what h5py writes by default) and 2 and 3 (libver
 * 'latest'), object header versions 1 and 2. Anything else, or a checksum that does not match,
 * is `Hdf5Unsupported`, so the HDF5 library reads the file instead.
 */
import { Budget, FileBytes, UNDEFINED, unsupported, type Sizes } from './bytes.js';
import { lookup3 } from './checksum.js';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** HDF5 looks for the superblock at 0 and then at 512, 1024, 2048, ... (a user block before it). */
const MAX_USER_BLOCK = 1 << 30;

export interface Superblock {
  sizes: Sizes;
  /** Address of the root group's object header. */
  root: number;
}

function signatureAt(file: FileBytes, pos: number): boolean {
  return pos + SIGNATURE.length <= file.length && SIGNATURE.every((b, i) => file.u8(pos + i) === b);
}

/** Finds and reads the superblock; sets `file.base`. */
export function readSuperblock(file: FileBytes): Superblock {
  let pos = 0;
  while (!signatureAt(file, pos)) {
    pos = pos === 0 ? 512 : pos * 2;
    if (pos > MAX_USER_BLOCK || pos >= file.length) unsupported('no HDF5 signature');
  }
  const version = file.u8(pos + 8);
  if (version === 2 || version === 3) return readSuperblockV2(file, pos);
  if (version !== 0 && version !== 1) unsupported(`superblock version ${version}`);
  const sizes = { offsets: file.u8(pos + 13), lengths: file.u8(pos + 14) };
  for (const s of [sizes.offsets, sizes.lengths]) if (s !== 2 && s !== 4 && s !== 8) unsupported(`${s}-byte addresses or lengths`);
  let at = pos + (version === 0 ? 24 : 28);
  const base = file.uint(at, sizes.offsets);
  if (base === UNDEFINED) unsupported('an undefined base address');
  at += sizes.offsets * 2; // base address, free-space info address
  const endOfFile = file.address(at, sizes);
  at += sizes.offsets * 2; // end-of-file address, driver information block address
  file.base = base;
  // HDF5 refuses a file shorter than the end it declares (a truncated file): so do we. Unlike
  // other addresses, the end is counted from the start of the file, user block included.
  if (endOfFile === UNDEFINED || endOfFile > file.length) unsupported('a file shorter than the end its superblock declares');
  // The root group's symbol table entry: link name offset, then its object header address.
  const root = file.address(at + sizes.offsets, sizes);
  if (root === UNDEFINED) unsupported('no root group');
  return { sizes, root };
}

/**
 * Superblock versions 2 and 3: sizes, base / extension / end-of-file / root addresses, checksum.
 * The extension (if any) holds settings such as shared message tables: a message actually
 * shared is refused where it is met, so the extension itself need not be read.
 */
function readSuperblockV2(file: FileBytes, pos: number): Superblock {
  const sizes = { offsets: file.u8(pos + 9), lengths: file.u8(pos + 10) };
  for (const s of [sizes.offsets, sizes.lengths]) if (s !== 2 && s !== 4 && s !== 8) unsupported(`${s}-byte addresses or lengths`);
  const checked = 12 + 4 * sizes.offsets;
  verifyChecksum(file, pos, checked, 'the superblock');
  const base = file.uint(pos + 12, sizes.offsets);
  if (base === UNDEFINED) unsupported('an undefined base address');
  const endOfFile = file.address(pos + 12 + 2 * sizes.offsets, sizes);
  const root = file.address(pos + 12 + 3 * sizes.offsets, sizes);
  file.base = base;
  if (endOfFile === UNDEFINED || endOfFile > file.length) unsupported('a file shorter than the end its superblock declares');
  if (root === UNDEFINED) unsupported('no root group');
  return { sizes, root };
}

/** Throws unless the 4 bytes after [pos, pos + n) are the lookup3 checksum of those bytes. */
function verifyChecksum(file: FileBytes, pos: number, n: number, what: string, budget?: Budget): void {
  file.check(pos, n + 4, what);
  budget?.spendBytes('checksums', n);
  if (lookup3(file.sub(pos, n)) !== file.u32(pos + n)) unsupported(`${what} fails its checksum`);
}

/** One header message: its type, flags and where its data lies (absolute position, size). */
export interface Message {
  type: number;
  flags: number;
  pos: number;
  size: number;
}

export const MSG = {
  NIL: 0x00,
  DATASPACE: 0x01,
  LINK_INFO: 0x02,
  DATATYPE: 0x03,
  FILL_VALUE_OLD: 0x04,
  FILL_VALUE: 0x05,
  LINK: 0x06,
  EXTERNAL_FILES: 0x07,
  LAYOUT: 0x08,
  GROUP_INFO: 0x0a,
  FILTERS: 0x0b,
  ATTRIBUTE: 0x0c,
  COMMENT: 0x0d,
  MODIFIED_OLD: 0x0e,
  CONTINUATION: 0x10,
  SYMBOL_TABLE: 0x11,
  MODIFIED: 0x12,
  BTREE_K: 0x13,
  DRIVER_INFO: 0x14,
  ATTRIBUTE_INFO: 0x15,
  REFERENCE_COUNT: 0x16,
} as const;

/** The message flag saying its data is stored elsewhere (a shared / committed message). */
export const MSG_FLAG_SHARED = 0x02;

/** Continuation blocks one header may chain (h5py writes 1 or 2; this bounds a damaged chain). */
const MAX_BLOCKS_PER_HEADER = 256;
const V1_PREFIX = 16;
const V1_MESSAGE_PREFIX = 8;

/**
 * The messages of the version-1 object header at `address`, continuation blocks followed.
 * `budget` counts messages across the whole file.
 */
export function readObjectHeader(file: FileBytes, sizes: Sizes, address: number, budget: Budget): Message[] {
  if (address === UNDEFINED) unsupported('an object at an undefined address');
  const start = file.at(address, 4, 'an object header');
  if (file.hasSignature(start, 'OHDR')) return readObjectHeaderV2(file, sizes, start, budget);
  file.check(start, V1_PREFIX, 'an object header');
  const version = file.u8(start);
  if (version !== 1) unsupported(`object header version ${version}`);
  const blocks: Array<[number, number]> = [[start + V1_PREFIX, file.u32(start + 8)]];
  const seen = new Set<number>([start]);
  const messages: Message[] = [];
  for (let b = 0; b < blocks.length; b++) {
    if (b >= MAX_BLOCKS_PER_HEADER) unsupported('too many object header continuation blocks');
    const [blockStart, blockSize] = blocks[b];
    file.check(blockStart, blockSize, 'an object header block');
    const end = blockStart + blockSize;
    for (let pos = blockStart; pos + V1_MESSAGE_PREFIX <= end; ) {
      budget.spend('object header messages');
      const type = file.u16(pos);
      const size = file.u16(pos + 2);
      const flags = file.u8(pos + 4);
      const data = pos + V1_MESSAGE_PREFIX;
      if (data + size > end) unsupported('an object header message running past its block');
      if (type === MSG.CONTINUATION) {
        const to = file.address(data, sizes);
        const length = file.lengthAt(data + sizes.offsets, sizes);
        const at = file.at(to, length, 'an object header continuation block');
        if (seen.has(at)) unsupported('an object header continuation loop');
        seen.add(at);
        blocks.push([at, length]);
      } else if (type !== MSG.NIL) {
        messages.push({ type, flags, pos: data, size });
      }
      pos = data + size;
    }
  }
  return messages;
}

/** Object header flags (version 2). */
const OHDR_ATTRIBUTES_INDEXED = 0x08;
const OHDR_PHASE_CHANGE = 0x10;
const OHDR_TIMES = 0x20;
const OHDR_CREATION_ORDER = 0x04;

/**
 * The messages of a version-2 object header ('OHDR' at `start`), continuation blocks ('OCHK')
 * followed; every chunk's checksum is verified.
 */
function readObjectHeaderV2(file: FileBytes, sizes: Sizes, start: number, budget: Budget): Message[] {
  const version = file.u8(start + 4);
  if (version !== 2) unsupported(`object header version ${version}`);
  const flags = file.u8(start + 5);
  // Indexed attribute creation order makes the HDF5 library list attributes in that order.
  if (flags & OHDR_ATTRIBUTES_INDEXED) unsupported('attributes listed in creation order');
  let at = start + 6 + (flags & OHDR_TIMES ? 16 : 0) + (flags & OHDR_PHASE_CHANGE ? 4 : 0);
  const sizeBytes = 1 << (flags & 3);
  const chunkSize = file.uint(at, sizeBytes);
  at += sizeBytes;
  if (chunkSize === UNDEFINED) unsupported('an object header chunk of undefined size');
  verifyChecksum(file, start, at - start + chunkSize, 'an object header', budget);
  const messagePrefix = flags & OHDR_CREATION_ORDER ? 6 : 4;
  const blocks: Array<[number, number]> = [[at, chunkSize]];
  const seen = new Set<number>([start]);
  const messages: Message[] = [];
  for (let b = 0; b < blocks.length; b++) {
    if (b >= MAX_BLOCKS_PER_HEADER) unsupported('too many object header continuation blocks');
    const [blockStart, blockSize] = blocks[b];
    const end = blockStart + blockSize;
    // What remains after the last message, if shorter than a message prefix, is a gap.
    for (let pos = blockStart; pos + messagePrefix <= end; ) {
      budget.spend('object header messages');
      const type = file.u8(pos);
      const size = file.u16(pos + 1);
      const msgFlags = file.u8(pos + 3);
      const data = pos + messagePrefix;
      if (data + size > end) unsupported('an object header message running past its chunk');
      if (type === MSG.CONTINUATION) {
        const to = file.address(data, sizes);
        const length = file.lengthAt(data + sizes.offsets, sizes);
        const block = file.at(to, length, 'an object header continuation block');
        if (seen.has(block)) unsupported('an object header continuation loop');
        seen.add(block);
        if (length < 8 || !file.hasSignature(block, 'OCHK')) unsupported('an object header continuation block without its signature');
        verifyChecksum(file, block, length - 4, 'an object header continuation block', budget);
        blocks.push([block + 4, length - 8]);
      } else if (type !== MSG.NIL) {
        messages.push({ type, flags: msgFlags, pos: data, size });
      }
      pos = data + size;
    }
  }
  return messages;
}
