/**
 * Reads a LevelDB-format table ("SSTable"), the container of TensorFlow's
 * `variables.index` (tensorflow/core/lib/io/table_format.txt). TensorFlow writes it
 * uncompressed, without filter blocks, so we need only: the footer, the index block,
 * the data blocks, and their restart arrays and trailers.
 *
 *   file   = data block* , metaindex block , index block , footer(48 bytes)
 *   block  = entry* , restart offsets (uint32 LE)* , num_restarts (uint32 LE)
 *            followed by a 5-byte trailer: compression type (1 byte) + masked CRC-32C (uint32 LE)
 *   entry  = varint32 shared , varint32 unshared , varint32 value_len , key suffix , value
 *   footer = metaindex handle , index handle (varint64 offset + varint64 size each),
 *            zero padding to 40 bytes, magic 0xdb4775248b80fb57 (uint64 LE)
 *
 * Every length read from the file is checked against the bytes we have, so a damaged or
 * truncated file throws a `Keras2TfjsError` instead of reading past the end or looping.
 */
import { ErrorCode, Keras2TfjsError } from '../../errors.js';
import { crc32cExtend, unmaskCrc } from './crc32c.js';

export interface TableEntry {
  /** Keys are arbitrary bytes in LevelDB; TensorFlow's are UTF-8 tensor names. */
  key: string;
  value: Uint8Array;
}

const FOOTER_SIZE = 48;
const BLOCK_TRAILER_SIZE = 5;
/** The table magic number 0xdb4775248b80fb57, as its 8 little-endian bytes. */
const MAGIC = [0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb];
const NO_COMPRESSION = 0;

/** What a caller must tell the reader so that errors name the file and the fix. */
export interface TableContext {
  file: string;
  /** How messages name the file (e.g. 'model/variables/variables.index'). */
  label: string;
  /** Appended to structural errors: how the user gets a good file. */
  fix: string;
}

/** A bounds-checked reader over one byte range. */
class Cursor {
  pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
    private readonly fail: (what: string) => never,
  ) {
    this.pos = start;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** Varint up to 64 bits, returned as a JS number (exact below 2^53, which is all a file offset needs). */
  varint(what: string): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail(`${what} runs past the end of its block`);
      const b = this.bytes[this.pos++];
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) this.fail(`${what} is too large`);
        return result;
      }
      scale *= 128;
    }
    this.fail(`${what} is not a valid varint`);
  }

  take(n: number, what: string): Uint8Array {
    if (n < 0 || this.pos + n > this.end) this.fail(`${what} runs past the end of its block`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

interface BlockHandle {
  offset: number;
  size: number;
}

/** Parses every entry of the table, in key order. */
export function readTable(bytes: Uint8Array, ctx: TableContext): TableEntry[] {
  const structural = (what: string): never => {
    throw new Keras2TfjsError(
      ErrorCode.BAD_SAVED_MODEL,
      `${ctx.label}: not a valid TensorFlow checkpoint index (${what}); ${ctx.fix}`,
      { file: ctx.file },
    );
  };
  if (bytes.length < FOOTER_SIZE) structural(`file is ${bytes.length} bytes, shorter than the 48-byte footer: truncated`);
  const footerStart = bytes.length - FOOTER_SIZE;
  for (let i = 0; i < 8; i++) {
    if (bytes[footerStart + 40 + i] !== MAGIC[i]) structural('table magic number missing at the end: truncated or not an index file');
  }
  const footer = new Cursor(bytes, footerStart, footerStart + 40, structural);
  readHandle(footer, 'metaindex handle'); // no filter blocks in TensorFlow tables: unused
  const indexHandle = readHandle(footer, 'index handle');

  const entries: TableEntry[] = [];
  for (const indexEntry of readBlock(bytes, indexHandle, ctx, structural, 'index block')) {
    const handleCursor = new Cursor(indexEntry.value, 0, indexEntry.value.length, structural);
    const dataHandle = readHandle(handleCursor, 'data block handle');
    for (const e of readBlock(bytes, dataHandle, ctx, structural, 'data block')) entries.push(e);
  }
  return entries;
}

function readHandle(cursor: Cursor, what: string): BlockHandle {
  return { offset: cursor.varint(`${what} offset`), size: cursor.varint(`${what} size`) };
}

const utf8 = new TextDecoder('utf-8');

function readBlock(
  bytes: Uint8Array,
  handle: BlockHandle,
  ctx: TableContext,
  structural: (what: string) => never,
  what: string,
): TableEntry[] {
  const end = handle.offset + handle.size;
  if (end + BLOCK_TRAILER_SIZE > bytes.length - FOOTER_SIZE) {
    structural(`${what} at byte ${handle.offset} (${handle.size} bytes) extends past the end of the file: truncated`);
  }
  const type = bytes[end];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stored = view.getUint32(end + 1, true);
  const block = bytes.subarray(handle.offset, end);
  const actual = crc32cExtend(crc32cExtend(0, block), bytes.subarray(end, end + 1));
  if (actual !== unmaskCrc(stored)) {
    throw new Keras2TfjsError(
      ErrorCode.CORRUPT_FILE,
      `${ctx.label}: checksum mismatch in the ${what} at byte ${handle.offset}: the file is damaged; ${ctx.fix}`,
      { file: ctx.file },
    );
  }
  if (type !== NO_COMPRESSION) structural(`${what} uses compression type ${type}; TensorFlow writes uncompressed index files`);
  if (handle.size < 4) structural(`${what} is too small to hold its restart count`);
  const numRestarts = view.getUint32(end - 4, true);
  const restartsStart = end - 4 - numRestarts * 4;
  if (numRestarts === 0 || restartsStart < handle.offset) structural(`${what} has an invalid restart array`);

  const cursor = new Cursor(bytes, handle.offset, restartsStart, structural);
  const entries: TableEntry[] = [];
  let previousKey = new Uint8Array(0);
  while (!cursor.atEnd()) {
    const shared = cursor.varint('key prefix length');
    const unshared = cursor.varint('key suffix length');
    const valueLength = cursor.varint('value length');
    if (shared > previousKey.length) structural(`${what} entry shares ${shared} key bytes with a ${previousKey.length}-byte key`);
    const suffix = cursor.take(unshared, 'key');
    const key = new Uint8Array(shared + unshared);
    key.set(previousKey.subarray(0, shared));
    key.set(suffix, shared);
    const value = cursor.take(valueLength, 'value');
    entries.push({ key: utf8.decode(key), value });
    previousKey = key;
  }
  return entries;
}
