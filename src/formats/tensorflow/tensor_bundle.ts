/**
 * TensorFlow's TensorBundle checkpoint format (tensorflow/core/util/tensor_bundle/):
 *   <prefix>.index                  a LevelDB table: key "" → BundleHeaderProto,
 *                                   tensor name → BundleEntryProto (dtype, shape, shard, offset, size, crc32c)
 *   <prefix>.data-0000K-of-0000N    raw little-endian tensor bytes, at [offset, offset + size)
 *
 * Numeric tensors come back as lazy `StoredArray`s (floats as float32, integers exactly as
 * stored), read from their data shard by ranges when asked; string tensors (the checkpoint's own
 * object graph) as byte arrays. Every read is checked against the entry's masked CRC-32C (a
 * tensor read in pieces is checked as the pieces go by, before its last piece is given).
 *
 * The files are given as bytes (the index) and `ByteSource`s (the data shards): opening them on
 * disk is src/io/tensor_bundle_files.ts's job.
 */
import { ErrorCode, Keras2TfjsError } from '../../errors.js';
import type { ByteSource } from '../../io/byte_source.js';
import { crc32cExtend, maskCrc, unmaskCrc } from './crc32c.js';
import { elementCount, type StoredArray, type StoredValues, type WeightDType } from '../stored_array.js';
import { decodeMessage, safeNumber, type BundleHeader } from './saved_model_protos.js';
import { readTable } from './sstable.js';

/** TensorFlow `DataType` enum values (tensorflow/core/framework/types.proto) we can read. */
const DT = {
  FLOAT: 1,
  DOUBLE: 2,
  INT32: 3,
  UINT8: 4,
  INT16: 5,
  INT8: 6,
  STRING: 7,
  INT64: 9,
  BOOL: 10,
  BFLOAT16: 14,
  UINT16: 17,
  HALF: 19,
  UINT32: 22,
  UINT64: 23,
} as const;

const DTYPE_NAMES: Record<number, string> = {
  1: 'float32', 2: 'float64', 3: 'int32', 4: 'uint8', 5: 'int16', 6: 'int8', 7: 'string',
  8: 'complex64', 9: 'int64', 10: 'bool', 14: 'bfloat16', 17: 'uint16', 18: 'complex128',
  19: 'float16', 20: 'resource', 21: 'variant', 22: 'uint32', 23: 'uint64',
};

/** Bytes per element of each numeric dtype we convert. */
const ELEMENT_BYTES: Record<number, number> = {
  [DT.FLOAT]: 4, [DT.DOUBLE]: 8, [DT.INT32]: 4, [DT.UINT8]: 1, [DT.INT16]: 2, [DT.INT8]: 1,
  [DT.INT64]: 8, [DT.BOOL]: 1, [DT.BFLOAT16]: 2, [DT.UINT16]: 2, [DT.HALF]: 2, [DT.UINT32]: 4, [DT.UINT64]: 8,
};

/** One tensor as the index describes it. */
export interface BundleTensorInfo {
  key: string;
  /** TensorFlow DataType enum value. */
  dtype: number;
  /** Human name of the dtype ('float32', 'int64', ...). */
  dtypeName: string;
  shape: number[];
  shardId: number;
  offset: number;
  size: number;
  /** Stored masked CRC-32C of the tensor bytes. */
  maskedCrc32c: number;
  /** Partitioned variables store slices under other keys; Keras never writes them. */
  partitioned: boolean;
}

/** How a bundle's files are named: `variables/variables` → `variables.index`, `variables.data-…`. */
export function indexPath(prefix: string): string {
  return `${prefix}.index`;
}
export function dataPath(prefix: string, shard: number, numShards: number): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `${prefix}.data-${pad(shard)}-of-${pad(numShards)}`;
}

const HEADER_KEY = '';
const BIG_ENDIAN = 1;
const FIX = 'copy the complete SavedModel directory again (saved_model.pb, keras_metadata.pb and the whole variables/ folder)';

export interface BundleOptions {
  /** How error messages name a bundle file (default: its path as given). */
  shownAs?: (path: string) => string;
}

/** A checkpoint's files: the index's bytes, and a way to open its data shards. */
export interface BundleFiles {
  /** `<prefix>` of the files' names (`variables/variables`). */
  prefix: string;
  /** The whole `<prefix>.index` file. */
  index: Uint8Array;
  /** Opens the data shard at `path` (`dataPath(prefix, k, n)`) for one read; null if it does not exist. */
  openShard(path: string): Promise<ByteSource | null>;
}

export class TensorBundle {
  private constructor(
    private readonly files: BundleFiles,
    readonly header: BundleHeader,
    private readonly entries: Map<string, BundleTensorInfo>,
    private readonly shownAs: (path: string) => string,
  ) {}

  get prefix(): string {
    return this.files.prefix;
  }

  /** Parses every entry of the index (the data shards are opened and read lazily). */
  static open(files: BundleFiles, options: BundleOptions = {}): TensorBundle {
    const shownAs = options.shownAs ?? ((p: string) => p);
    const file = indexPath(files.prefix);
    const fail = (code: ErrorCode, message: string): never => {
      throw new Keras2TfjsError(code, `${shownAs(file)}: ${message}`, { file });
    };
    const table = readTable(files.index, { file, label: shownAs(file), fix: FIX });
    if (table.length === 0 || table[0].key !== HEADER_KEY) fail(ErrorCode.BAD_SAVED_MODEL, `checkpoint index has no header entry; ${FIX}`);
    const where = (what: string) => ({ file, label: shownAs(file), what, fix: FIX });
    const header = decodeMessage('BundleHeaderProto', table[0].value, where('the header entry'));
    if (header.endianness === BIG_ENDIAN) {
      fail(ErrorCode.BAD_SAVED_MODEL, 'checkpoint was written on a big-endian machine; re-save it on a little-endian one (x86, ARM)');
    }
    if (header.numShards < 1) fail(ErrorCode.BAD_SAVED_MODEL, `header declares ${header.numShards} data shards; ${FIX}`);
    const entries = new Map<string, BundleTensorInfo>();
    for (const { key, value } of table.slice(1)) {
      const e = decodeMessage('BundleEntryProto', value, where(`the entry for '${key}'`));
      const bad = (why: string): never => fail(ErrorCode.BAD_SAVED_MODEL, `entry '${key}' ${why}; ${FIX}`);
      const shape = (e.shape?.dim ?? []).map((d) => safeNumber(d.size) ?? bad(`has an invalid dimension ${d.size}`));
      if (e.shape?.unknownRank) bad('has an unknown rank');
      const offset = safeNumber(e.offset) ?? bad(`has an invalid offset ${e.offset}`);
      const size = safeNumber(e.size) ?? bad(`has an invalid size ${e.size}`);
      if (e.shardId < 0 || e.shardId >= header.numShards) bad(`names data shard ${e.shardId} of ${header.numShards}`);
      entries.set(key, {
        key,
        dtype: e.dtype,
        dtypeName: DTYPE_NAMES[e.dtype] ?? `DataType ${e.dtype}`,
        shape,
        shardId: e.shardId,
        offset,
        size,
        maskedCrc32c: e.crc32c,
        partitioned: e.slices.length > 0,
      });
    }
    return new TensorBundle(files, header, entries, shownAs);
  }

  /** Nothing stays open between reads (each read opens its data shard and closes it). */
  async close(): Promise<void> {}

  private fail(code: ErrorCode, file: string, message: string): never {
    throw new Keras2TfjsError(code, `${this.shownAs(file)}: ${message}`, { file });
  }

  /** Tensor names in key order (the header key excluded). */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  info(key: string): BundleTensorInfo | undefined {
    return this.entries.get(key);
  }

  /**
   * A numeric tensor (dtype float32 for float types, int32 for integer types; values: float32,
   * or integers exactly as stored), described now (unknown names, dtypes tfjs lacks and sizes that do not fit the shape are
   * refused here), its bytes read from its data shard when asked.
   */
  array(key: string): StoredArray {
    const info = this.require(key);
    const perElement = ELEMENT_BYTES[info.dtype];
    const dataFile = this.dataFile(info);
    if (perElement === undefined) {
      this.fail(
        ErrorCode.BAD_SAVED_MODEL,
        dataFile,
        `tensor '${key}' has dtype ${info.dtypeName}, which has no TensorFlow.js weight equivalent; cast the variable to float32 in Python and save again`,
      );
    }
    const count = elementCount(info.shape);
    if (count * perElement !== info.size) {
      this.fail(
        ErrorCode.CORRUPT_FILE,
        dataFile,
        `tensor '${key}' is ${info.size} bytes but shape [${info.shape}] of ${info.dtypeName} needs ${count * perElement}; ${FIX}`,
      );
    }
    const dtype: WeightDType = FLOAT_DTYPES.has(info.dtype) ? 'float32' : 'int32';
    const decode = (raw: Uint8Array, fresh: boolean) => convert(raw, info, fresh);
    return {
      shape: info.shape,
      dtype,
      read: async () => {
        const shard = await this.openShard(info);
        try {
          const bytes = await shard.read(info.offset, info.size);
          this.checkCrc(info, crc32cExtend(0, bytes));
          return decode(bytes, shard.ownership === 'fresh');
        } finally {
          await shard.close();
        }
      },
      pieces: (maxBytes) => this.pieces(info, perElement, maxBytes, decode),
    };
  }

  /** The tensor in pieces of whole elements, its CRC-32C checked before the last piece is given. */
  private async *pieces(
    info: BundleTensorInfo,
    perElement: number,
    maxBytes: number,
    decode: (raw: Uint8Array, fresh: boolean) => StoredValues,
  ): AsyncIterable<StoredValues> {
    const step = Math.max(1, Math.floor(maxBytes / Math.max(perElement, 4))) * perElement;
    const shard = await this.openShard(info);
    try {
      let crc = 0;
      for (let at = 0; at < info.size; at += step) {
        const bytes = await shard.read(info.offset + at, Math.min(step, info.size - at));
        crc = crc32cExtend(crc, bytes);
        if (at + step >= info.size) this.checkCrc(info, crc);
        yield decode(bytes, shard.ownership === 'fresh');
      }
    } finally {
      await shard.close();
    }
  }

  private checkCrc(info: BundleTensorInfo, crc: number): void {
    if (maskCrc(crc) !== info.maskedCrc32c) this.fail(ErrorCode.CORRUPT_FILE, this.dataFile(info), checksumMessage(info.key));
  }

  /** A DT_STRING tensor's elements, as raw bytes. */
  async readStrings(key: string): Promise<Uint8Array[]> {
    const info = this.require(key);
    const dataFile = this.dataFile(info);
    if (info.dtype !== DT.STRING) {
      this.fail(ErrorCode.BAD_SAVED_MODEL, dataFile, `tensor '${key}' is ${info.dtypeName}, expected a string; ${FIX}`);
    }
    const shard = await this.openShard(info);
    try {
      return decodeStrings(await shard.read(info.offset, info.size), info, (m) => this.fail(ErrorCode.CORRUPT_FILE, dataFile, m));
    } finally {
      await shard.close();
    }
  }

  private require(key: string): BundleTensorInfo {
    const info = this.entries.get(key);
    const file = indexPath(this.prefix);
    if (!info) return this.fail(ErrorCode.BAD_SAVED_MODEL, file, `no tensor named '${key}'; ${FIX}`);
    if (info.partitioned) {
      this.fail(ErrorCode.BAD_SAVED_MODEL, file, `tensor '${key}' is a partitioned variable, which Keras layers never create; save the model from plain tf.keras`);
    }
    return info;
  }

  private dataFile(info: BundleTensorInfo): string {
    return dataPath(this.files.prefix, info.shardId, this.header.numShards);
  }

  /** The tensor's data shard, opened (close it), checked to hold the tensor's bytes. */
  private async openShard(info: BundleTensorInfo): Promise<ByteSource> {
    const file = this.dataFile(info);
    const shard = await this.files.openShard(file);
    if (shard === null) {
      return this.fail(ErrorCode.BAD_SAVED_MODEL, file, `data shard ${info.shardId} of ${this.header.numShards} is missing (needed for '${info.key}'); ${FIX}`);
    }
    if (info.offset + info.size > shard.size) {
      await shard.close();
      this.fail(ErrorCode.CORRUPT_FILE, file, `is ${shard.size} bytes but tensor '${info.key}' ends at byte ${info.offset + info.size}: truncated; ${FIX}`);
    }
    return shard;
  }
}

function checksumMessage(key: string): string {
  return `checksum mismatch for tensor '${key}': the file is damaged; ${FIX}`;
}

/**
 * Layout of a string tensor (tensor_bundle.cc WriteStringTensor):
 *   varint64 length per element, uint32 masked CRC-32C of the lengths, then the bytes.
 * The entry's checksum covers each length as a little-endian uint32 (uint64 above 4 GiB),
 * then the 4 length-checksum bytes, then the string bytes.
 */
function decodeStrings(bytes: Uint8Array, info: BundleTensorInfo, corruptFile: (message: string) => never): Uint8Array[] {
  const count = info.shape.reduce((a, b) => a * b, 1);
  const corrupt = (why: string) => corruptFile(`string tensor '${info.key}' ${why}; ${FIX}`);
  let pos = 0;
  const lengths: number[] = [];
  let crc = 0;
  for (let i = 0; i < count; i++) {
    let len = 0;
    let scale = 1;
    for (let b = 0x80, n = 0; b & 0x80; n++) {
      if (pos >= bytes.length || n >= 10) corrupt('has a damaged length prefix');
      b = bytes[pos++];
      len += (b & 0x7f) * scale;
      scale *= 128;
    }
    if (!Number.isSafeInteger(len)) corrupt('has an impossible length');
    lengths.push(len);
    crc = crc32cExtend(crc, lengthBytes(len));
  }
  if (pos + 4 > bytes.length) corrupt('ends inside its length checksum');
  const lengthChecksum = bytes.subarray(pos, pos + 4);
  const storedLengthCrc = new DataView(lengthChecksum.buffer, lengthChecksum.byteOffset, 4).getUint32(0, true);
  if (unmaskCrc(storedLengthCrc) !== crc) corrupt('has a length checksum mismatch');
  crc = crc32cExtend(crc, lengthChecksum);
  pos += 4;
  const out: Uint8Array[] = [];
  for (const len of lengths) {
    if (pos + len > bytes.length) corrupt('is shorter than its lengths say');
    const s = bytes.subarray(pos, pos + len);
    crc = crc32cExtend(crc, s);
    out.push(s);
    pos += len;
  }
  if (maskCrc(crc) !== info.maskedCrc32c) corruptFile(checksumMessage(info.key));
  return out;
}

/** A length as TensorFlow checksums it: 4 LE bytes, or 8 when it does not fit in 32 bits. */
function lengthBytes(len: number): Uint8Array {
  const wide = len > 0xffffffff;
  const out = new Uint8Array(wide ? 8 : 4);
  const view = new DataView(out.buffer);
  if (wide) view.setBigUint64(0, BigInt(len), true);
  else view.setUint32(0, len, true);
  return out;
}

/** Typed arrays use the host's byte order; on little-endian hosts the file bytes are the array. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const FLOAT_DTYPES = new Set<number>([DT.FLOAT, DT.DOUBLE, DT.HALF, DT.BFLOAT16]);

/**
 * Converts little-endian element bytes to stored values: float types to float32, integer types
 * exactly as stored (stored_array.ts; whether they fit a variable is decided in
 * convert/normalize). `fresh`: the bytes are a buffer of their own, which 4-byte types may be
 * viewed in place in.
 */
function convert(bytes: Uint8Array, info: BundleTensorInfo, fresh: boolean): StoredValues {
  const count = bytes.length / ELEMENT_BYTES[info.dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const own = (): ArrayBuffer => (fresh && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
  switch (info.dtype) {
    case DT.FLOAT: {
      if (LITTLE_ENDIAN_HOST) return new Float32Array(own());
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
      return data;
    }
    case DT.DOUBLE: {
      // tfjs has no float64 weights; Keras float64 models lose precision exactly as tfjs would on load.
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(i * 8, true);
      return data;
    }
    case DT.HALF: {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = halfToFloat(view.getUint16(i * 2, true));
      return data;
    }
    case DT.BFLOAT16: {
      // bfloat16 is the top half of a float32: exact.
      const data = new Float32Array(count);
      const wide = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        wide.setUint32(0, view.getUint16(i * 2, true) << 16);
        data[i] = wide.getFloat32(0);
      }
      return data;
    }
    case DT.INT32: {
      if (LITTLE_ENDIAN_HOST) return new Int32Array(own());
      const data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(i * 4, true);
      return data;
    }
    case DT.INT64:
    case DT.UINT64: {
      // Keras int64 weights are counters (Normalization's `count`); whether their values fit the
      // int32 tfjs has is decided per variable, in convert/normalize.
      const signed = info.dtype === DT.INT64;
      const data = signed ? new BigInt64Array(count) : new BigUint64Array(count);
      for (let i = 0; i < count; i++) data[i] = signed ? view.getBigInt64(i * 8, true) : view.getBigUint64(i * 8, true);
      return data;
    }
    default:
      return smallIntegers(info.dtype, view, count);
  }
}

/** 8-, 16- and unsigned 32-bit integers, each in its own typed array (exact). */
function smallIntegers(dtype: number, view: DataView, count: number): StoredValues {
  const fill = <T extends { [i: number]: number }>(data: T, read: (i: number) => number): T => {
    for (let i = 0; i < count; i++) data[i] = read(i);
    return data;
  };
  switch (dtype) {
    case DT.UINT8:
    case DT.BOOL:
      return fill(new Uint8Array(count), (i) => view.getUint8(i));
    case DT.INT8:
      return fill(new Int8Array(count), (i) => view.getInt8(i));
    case DT.INT16:
      return fill(new Int16Array(count), (i) => view.getInt16(i * 2, true));
    case DT.UINT16:
      return fill(new Uint16Array(count), (i) => view.getUint16(i * 2, true));
    case DT.UINT32:
      return fill(new Uint32Array(count), (i) => view.getUint32(i * 4, true));
    default:
      throw new Error(`unreachable: dtype ${dtype} has a size but no reader`);
  }
}

/** IEEE 754 binary16 → number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
