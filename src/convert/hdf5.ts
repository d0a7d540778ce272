/**
 * Read-only HDF5 access for Keras files, by one of two readers behind one interface (`Hdf5File`):
 *
 * - the direct reader (hdf5_direct*.ts), pure TypeScript, for the HDF5 files h5py writes for
 *   Keras with its default settings: no library to load, dataset bytes sliced straight from the
 *   file. It reads the whole structure when the file is opened, and hands the file to:
 * - h5wasm (the HDF5 C library compiled to wasm) as soon as the file uses anything it does not
 *   read (or is damaged), working entirely in memory: the bytes are written into h5wasm's
 *   in-memory file system, never to disk, and removed on close.
 *
 * The library runs in a worker thread (hdf5_thread.ts, hdf5_worker.ts) with a deadline: a
 * damaged file can make HDF5 loop forever, and only a thread can be stopped. The reading logic
 * stays here and synchronous; each HDF5 operation is a blocking call to that thread.
 *
 * Refused as Keras refuses them (saving_lib `safe_get_h5_group` / `safe_get_h5_dataset`), with
 * BAD_HDF5 naming the file and the path: soft links, external links, external (EFL) datasets,
 * virtual datasets, and "shape bombs" (a dataset declaring far more bytes than the file holds).
 * HDF5 never reads anything but our one file: the worker answers any other path "no such file".
 */
import { ErrorCode } from '../errors.js';
import { convertError, firstLine } from './fail.js';
import { Hdf5Unsupported, readHdf5Tree, type DirectObject, type DirectTree } from './hdf5_direct.js';
import { H5T } from './hdf5_direct_types.js';
import { Hdf5Thread } from './hdf5_thread.js';
import type { DatasetMeta, Hdf5Op, Hdf5Ops } from './hdf5_worker.js';
import type { StoredArray } from './intermediate.js';

/** The 8-byte HDF5 signature; HDF5 allows a user block, so it may sit at 0, 512, 1024, 2048, ... */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function isHdf5(bytes: Uint8Array): boolean {
  for (let offset = 0; offset + 8 <= bytes.length; offset = offset === 0 ? 512 : offset * 2) {
    if (SIGNATURE.every((b, i) => bytes[offset + i] === b)) return true;
    if (offset > 1 << 20) break;
  }
  return false;
}

/**
 * Shape-bomb guard: Keras refuses a dataset declaring > 4 GiB and > 1000× its stored bytes.
 * h5wasm does not expose the stored size, so we bound it by the whole file, and refuse anything
 * that could not fit one typed array.
 */
const DATASET_MAX_EXPANSION = 1000;
const MAX_DATASET_BYTES = 2 ** 31 - 1;

/**
 * How long HDF5 may take over one file, in total, before the file is declared damaged. Real
 * files take milliseconds (a 100 MB model ~0.1 s), so this is generous: 10 s, plus 1 s per
 * 10 MB for big files on slow machines.
 */
const DEADLINE_BASE_MS = 10_000;
const DEADLINE_MS_PER_BYTE = 1_000 / 10_000_000;
let deadlineBaseMs = DEADLINE_BASE_MS;

/** The HDF5 time allowed for a file of `byteLength` bytes. */
export function hdf5DeadlineMs(byteLength: number): number {
  return deadlineBaseMs + byteLength * DEADLINE_MS_PER_BYTE;
}

/**
 * Changes the base of the deadline (null restores 10 s). For tests that exercise the deadline
 * on hanging files without waiting 10 s each; not part of the public API.
 */
export function setHdf5DeadlineBase(ms: number | null): void {
  deadlineBaseMs = ms ?? DEADLINE_BASE_MS;
}

export type AttrValue = string | number | bigint | boolean | string[] | number[] | null;

type Kind = Hdf5Ops['kind']['result'];

/**
 * One open HDF5 file. Always `close()` it (use `withHdf5`). Paths are absolute ('/a/b') or
 * relative to the root; what is at a path is a group or a dataset (links are refused).
 */
export abstract class Hdf5File {
  constructor(readonly file: string) {}

  /**
   * Opens `bytes` with the direct reader, or with h5wasm if the direct reader does not read this
   * file. With `move`, the caller promises not to use `bytes` nor anything else in their buffer
   * again: if h5wasm reads the file, the whole buffer is handed to its thread (detached here;
   * `bytes` may be a part of it, e.g. a stored zip member) instead of copied, which saves ~50 ms
   * on a 100 MB file. The HDF5 thread is only started when h5wasm is needed.
   */
  static async open(bytes: Uint8Array, file: string, move = false): Promise<Hdf5File> {
    return openDirectHdf5(bytes, file, move) ?? WasmHdf5File.start(bytes, file, move);
  }

  /** True if an object (group or dataset) exists at `path`. Links on the way are checked. */
  abstract has(path: string): boolean;
  abstract isGroup(path: string): boolean;
  abstract isDataset(path: string): boolean;
  /** Child names of a group, in HDF5's (alphabetical) order. */
  abstract keys(path: string): string[];
  /** Attribute names, in HDF5's (alphabetical) order; [] if nothing is at `path`. */
  abstract attrNames(path: string): string[];
  /** An attribute decoded to JS: strings (vlen or fixed), string lists, numbers, or null if absent. */
  abstract attr(path: string, name: string): AttrValue;
  /** A numeric dataset as float32 (floats of any width) or int32 (integers), C order. */
  abstract readArray(path: string): StoredArray & { sourceDtype: string };
  abstract close(): void;

  fail(message: string): never {
    throw convertError(ErrorCode.BAD_HDF5, this.file, message);
  }

  /** A string attribute ('model_config', 'keras_version'), or null if absent or not a string. */
  stringAttr(path: string, name: string): string | null {
    const v = this.attr(path, name);
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
    return null;
  }

  /**
   * A list-of-strings attribute such as `layer_names` / `weight_names`. Keras splits lists larger
   * than the HDF5 attribute limit into `name0`, `name1`, ...; writes an empty list as an empty
   * float64 array. Returns null if the attribute is absent.
   */
  stringListAttr(path: string, name: string): string[] | null {
    const names = this.attrNames(path);
    if (names.includes(name)) return toStringList(this.attr(path, name), () => this.fail(`attribute '${name}' of '${path}' is not a list of strings`));
    if (!names.includes(`${name}0`)) return null;
    const out: string[] = [];
    for (let i = 0; names.includes(`${name}${i}`); i++) {
      out.push(...toStringList(this.attr(path, `${name}${i}`), () => this.fail(`attribute '${name}${i}' of '${path}' is not a list of strings`)));
    }
    return out;
  }

  /**
   * Decodes a dataset's little-endian bytes after the shape-bomb guard: `readRaw(nbytes)` is
   * only called once the declared size has passed it, and gives a buffer of its own or a view
   * of bytes the caller gave away (decodeNumeric views either in place when aligned).
   */
  protected decodeDataset(
    path: string,
    shape: number[],
    meta: DatasetMeta,
    fileBytes: number,
    readRaw: (nbytes: number) => Uint8Array,
  ): StoredArray & { sourceDtype: string } {
    const count = shape.reduce((a, b) => a * b, 1);
    const nbytes = count * meta.size;
    if (nbytes > MAX_DATASET_BYTES || (nbytes > DATASET_MAX_EXPANSION * fileBytes && nbytes > 1 << 20)) {
      this.fail(`dataset '${path}' declares ${nbytes} bytes in a ${fileBytes}-byte file; refusing a potential shape bomb`);
    }
    const bfloat16 = this.attr(path, 'dtype') === 'bfloat16';
    const raw = readRaw(nbytes);
    return { shape, ...decodeNumeric(raw, meta, bfloat16, () => this.fail(`dataset '${path}' has an unsupported type (class ${meta.type}, ${meta.size} bytes)`)) };
  }
}

/**
 * The direct reader over `bytes`, or null if it does not read this file (then h5wasm must).
 * `owned`: the caller gave the bytes away (see `Hdf5File.open`), so datasets may be views of
 * them instead of copies. Not part of the public API; tests use it to compare both readers.
 */
export function openDirectHdf5(bytes: Uint8Array, file: string, owned = false): Hdf5File | null {
  let tree: DirectTree;
  try {
    tree = readHdf5Tree(bytes);
  } catch (e) {
    // Anything else thrown here is a defect of the direct reader: the HDF5 library still reads the file.
    if (e instanceof Hdf5Unsupported || e instanceof RangeError || e instanceof TypeError) return null;
    throw e;
  }
  return new DirectHdf5File(tree, bytes, file, owned);
}

/** The h5wasm reader over `bytes` (see `Hdf5File.open`). Not part of the public API. */
export function openWasmHdf5(bytes: Uint8Array, file: string, move = false): Promise<Hdf5File> {
  return WasmHdf5File.start(bytes, file, move);
}

/** The direct reader's file: its whole structure read up front, values decoded from `bytes`. */
class DirectHdf5File extends Hdf5File {
  constructor(
    private readonly tree: DirectTree,
    private readonly bytes: Uint8Array,
    file: string,
    /** The bytes are ours: datasets may be views of them (never changed here). */
    private readonly owned: boolean,
  ) {
    super(file);
  }

  private object(path: string): DirectObject | null {
    let object = this.tree.objects.get(this.tree.root)!;
    for (const part of splitPath(path)) {
      const address = object.members.get(part);
      if (address === undefined) return null;
      object = this.tree.objects.get(address)!;
    }
    return object;
  }

  has(path: string): boolean {
    return this.object(path) !== null;
  }

  isGroup(path: string): boolean {
    return this.object(path)?.kind === 'group';
  }

  isDataset(path: string): boolean {
    return this.object(path)?.kind === 'dataset';
  }

  keys(path: string): string[] {
    const object = this.object(path);
    if (object?.kind !== 'group') this.fail(`expected a group at '${path}'`);
    return [...object.keys];
  }

  attrNames(path: string): string[] {
    return [...(this.object(path)?.attrNames ?? [])];
  }

  attr(path: string, name: string): AttrValue {
    const value = this.object(path)?.attrs.get(name) ?? null;
    // Lists are the caller's to keep: a copy, as each h5wasm read gives a new one.
    return Array.isArray(value) ? ([...value] as AttrValue) : value;
  }

  readArray(path: string): StoredArray & { sourceDtype: string } {
    const object = this.object(path);
    if (object === null) this.fail(`dataset '${path}' is missing`);
    if (object.dataset === null) this.fail(`expected a dataset at '${path}'`);
    const { shape, type, storage } = object.dataset;
    const meta: DatasetMeta = { shape, type: type.cls, size: type.size, signed: type.signed, littleEndian: true, virtualSourceCount: 0 };
    const swap = !type.littleEndian && (type.cls === H5T.INTEGER || type.cls === H5T.FLOAT);
    return this.decodeDataset(path, [...shape], meta, this.bytes.length, (nbytes) => {
      if (storage === null) return new Uint8Array(0);
      // At most one copy: none when the bytes are ours and need no byte swap (decodeNumeric
      // views them in place when aligned), else out of the file into a buffer of its own.
      if (this.owned && !swap) return this.bytes.subarray(storage.pos, storage.pos + nbytes);
      const raw = this.bytes.slice(storage.pos, storage.pos + nbytes);
      if (swap) swapBytes(raw, type.size);
      return raw;
    });
  }

  close(): void {}
}

/** The h5wasm reader's file: each operation a blocking call to the HDF5 thread. */
class WasmHdf5File extends Hdf5File {
  private readonly checked = new Set<string>(['/']);
  private readonly kinds = new Map<string, Kind>();
  private readonly listed = new Map<string, string[]>();
  private closed = false;

  private constructor(
    private readonly thread: Hdf5Thread,
    private readonly id: number,
    file: string,
    private readonly fileBytes: number,
    /** HDF5 time left for this file (ms). */
    private budgetMs: number,
  ) {
    super(file);
  }

  /** Opens `bytes` in the HDF5 thread (started if need be); `move` as in `Hdf5File.open`. */
  static async start(bytes: Uint8Array, file: string, move = false): Promise<Hdf5File> {
    const thread = await Hdf5Thread.get();
    const size = bytes.length; // `bytes` may be detached below
    const budget = hdf5DeadlineMs(size);
    const sent = move && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
    const started = performance.now();
    const reply = thread.call('open', { bytes: sent }, budget, [sent.buffer as ArrayBuffer]);
    const spent = performance.now() - started;
    if (reply === 'timeout' || reply === 'stopped') throw unfinished(file, reply, 'its header', budget);
    if (!reply.ok) {
      if (reply.name === 'RuntimeError') thread.stop();
      throw convertError(ErrorCode.BAD_HDF5, file, `not a readable HDF5 file (${hdf5Message(reply.message)})`);
    }
    thread.opened();
    return new WasmHdf5File(thread, reply.value, file, size, budget - spent);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // A damaged file can fail to close; the reader has already thrown or finished with it.
    this.thread.call('close', { file: this.id }, Math.max(this.budgetMs, 1_000));
    this.thread.closed();
  }

  /**
   * One HDF5 operation within the file's deadline. Whatever HDF5 does on a damaged file (an
   * HDF5 error, a wasm trap, no answer) becomes BAD_HDF5 naming `what` was being read.
   */
  private call<K extends Hdf5Op>(op: K, args: Omit<Hdf5Ops[K]['args'], 'file'>, what: string): Hdf5Ops[K]['result'] {
    const started = performance.now();
    const reply = this.thread.call(op, { ...args, file: this.id } as Hdf5Ops[K]['args'], this.budgetMs);
    this.budgetMs -= performance.now() - started;
    if (reply === 'timeout' || reply === 'stopped') throw unfinished(this.file, reply, what, hdf5DeadlineMs(this.fileBytes));
    if (reply.ok) return reply.value;
    // A wasm trap can leave HDF5's state broken: later files get a fresh thread.
    if (reply.name === 'RuntimeError') this.thread.stop();
    if (reply.refusedOpen !== null) {
      this.fail(`${what} stores its data in another file ('${reply.refusedOpen}'); external datasets are refused as Keras refuses them`);
    }
    return this.fail(`${what} cannot be read (${hdf5Message(reply.message)}); the file is damaged`);
  }

  has(path: string): boolean {
    const parts = splitPath(path);
    let current = '/';
    for (const part of parts) {
      const g = this.groupAt(current);
      if (!g || !this.listing(current).includes(part)) return false;
      current = joinPath(current, part);
      this.checkLink(current);
    }
    return true;
  }

  isGroup(path: string): boolean {
    return this.has(path) && this.kind(path) === 'group';
  }

  isDataset(path: string): boolean {
    return this.has(path) && this.kind(path) === 'dataset';
  }

  keys(path: string): string[] {
    if (!this.groupAt(path)) this.fail(`expected a group at '${path}'`);
    const keys = this.listing(path);
    for (const k of keys) this.checkLink(joinPath(path, k));
    return keys;
  }

  attrNames(path: string): string[] {
    if (this.kind(path) === 'none') return [];
    return this.call('attrNames', { path }, `the attributes of '${path}'`);
  }

  attr(path: string, name: string): AttrValue {
    if (this.kind(path) === 'none') return null;
    return decodeAttr(this.call('attr', { path, name }, `attribute '${name}' of '${path}'`));
  }

  readArray(path: string): StoredArray & { sourceDtype: string } {
    if (!this.has(path)) this.fail(`dataset '${path}' is missing`);
    if (this.kind(path) !== 'dataset') this.fail(`expected a dataset at '${path}'`);
    const meta = this.call('metadata', { path }, `dataset '${path}'`);
    if (meta.virtualSourceCount > 0) {
      this.fail(`dataset '${path}' is a virtual dataset; refused as Keras refuses it`);
    }
    // h5wasm gives the bytes little-endian whatever the file's order.
    return this.decodeDataset(path, meta.shape ?? [], meta, this.fileBytes, (nbytes) => this.call('read', { path, nbytes }, `dataset '${path}'`));
  }

  /** What is at `path` (cached: the file does not change). Links are refused here. */
  private kind(path: string): Kind {
    let kind = this.kinds.get(path);
    if (kind === undefined) {
      kind = path === '/' ? 'group' : this.call('kind', { path }, `'${path}'`);
      this.kinds.set(path, kind);
    }
    if (kind === 'link') this.fail(`'${path}' is a link to another file or a broken link; refused as Keras refuses them`);
    return kind;
  }

  private listing(path: string): string[] {
    let keys = this.listed.get(path);
    if (keys === undefined) {
      keys = this.call('keys', { path }, `'${path}' (its list of members)`);
      this.listed.set(path, keys);
    }
    return keys;
  }

  private groupAt(path: string): boolean {
    if (path !== '/' && !this.checked.has(path)) {
      if (!this.has(path)) return false;
    }
    return this.kind(path) === 'group';
  }

  /** Soft and external links are refused (Keras: "Not allowed: H5 file with SoftLink"). */
  private checkLink(path: string): void {
    if (this.checked.has(path)) return;
    const { soft, external } = this.call('links', { path }, `the link '${path}'`);
    if (soft !== null) this.fail(`'${path}' is a soft link to '${soft}'; refused as Keras refuses soft links`);
    if (external !== null) this.fail(`'${path}' is an external link to '${external}'; refused as Keras refuses external links`);
    this.checked.add(path);
  }
}

/**
 * Opens, runs `fn`, always closes. `move`: the caller will not use `bytes` nor the rest of
 * their buffer again, so they are moved to the HDF5 thread rather than copied (see Hdf5File.open).
 */
export async function withHdf5<T>(bytes: Uint8Array, file: string, fn: (h5: Hdf5File) => T | Promise<T>, move = false): Promise<T> {
  const h5 = await Hdf5File.open(bytes, file, move);
  try {
    return await fn(h5);
  } finally {
    h5.close();
  }
}

/** BAD_HDF5 for a read HDF5 never finished (or that another file's hang interrupted). */
function unfinished(file: string, reply: 'timeout' | 'stopped', what: string, deadlineMs: number): Error {
  if (reply === 'stopped') {
    return convertError(ErrorCode.BAD_HDF5, file, `the HDF5 reader was stopped while reading ${what} (another file it was reading did not finish); convert this file again`);
  }
  const seconds = (deadlineMs / 1000).toFixed(1);
  return convertError(ErrorCode.BAD_HDF5, file, `the HDF5 library did not finish reading ${what} within ${seconds} s (the file is damaged: HDF5 loops forever on some damaged files); save the model again from Keras`);
}

export function joinPath(a: string, b: string): string {
  if (a === '/' || a === '') return `/${b}`;
  return `${a}/${b}`;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((p) => p !== '');
}

function hdf5Message(text: string): string {
  // HDF5's stack dumps are long: keep the innermost line that says what failed.
  const lines = text.split('\n').map((l) => l.trim());
  const detail = lines.filter((l) => /^#\d+:/.test(l)).pop();
  return detail ? detail.replace(/^#\d+:\s*\S+\s+line\s+\d+\s+in\s+/, '') : firstLine(text);
}

function decodeAttr(value: unknown): AttrValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return value as string[];
    return value.map((v) => Number(v));
  }
  if (ArrayBuffer.isView(value)) {
    const arr = value as unknown as ArrayLike<number | bigint>;
    return Array.from(arr, (v) => Number(v));
  }
  return null;
}

function toStringList(v: AttrValue, fail: () => never): string[] {
  if (v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) {
    if (v.length === 0) return [];
    if (v.every((x) => typeof x === 'string')) return v as string[];
  }
  return fail();
}

function decodeNumeric(
  raw: Uint8Array,
  meta: DatasetMeta,
  bfloat16: boolean,
  unsupported: () => never,
): { dtype: 'float32' | 'int32'; data: Float32Array | Int32Array; sourceDtype: string } {
  const { type, size } = meta;
  // `raw` is a buffer of its own (from the HDF5 thread, or sliced from the file), or a part of
  // file bytes the caller gave away: viewed in place where its alignment allows (a typed array
  // starts at a multiple of its element size), copied otherwise.
  const aligned = (size === 1 || size === 2 || size === 4 || size === 8) && raw.byteOffset % size === 0;
  const bytes = aligned ? raw : raw.slice();
  const view = <T>(C: new (buffer: ArrayBufferLike, offset: number, length: number) => T): T => new C(bytes.buffer, bytes.byteOffset, bytes.byteLength / size);
  if ((type === H5T.OPAQUE || type === H5T.INTEGER) && size === 2 && bfloat16) {
    const u16 = view(Uint16Array);
    const u32 = new Uint32Array(u16.length);
    for (let i = 0; i < u16.length; i++) u32[i] = u16[i] << 16;
    return { dtype: 'float32', data: new Float32Array(u32.buffer), sourceDtype: 'bfloat16' };
  }
  if (type === H5T.FLOAT) {
    if (size === 4) return { dtype: 'float32', data: view(Float32Array), sourceDtype: 'float32' };
    if (size === 8) return { dtype: 'float32', data: Float32Array.from(view(Float64Array)), sourceDtype: 'float64' };
    if (size === 2) return { dtype: 'float32', data: halfToFloat(view(Uint16Array)), sourceDtype: 'float16' };
    return unsupported();
  }
  if (type === H5T.INTEGER) {
    const signed = meta.signed;
    const source = `${signed ? 'int' : 'uint'}${size * 8}`;
    if (size === 8) {
      const big = signed ? view(BigInt64Array) : view(BigUint64Array);
      const out = new Int32Array(big.length);
      for (let i = 0; i < big.length; i++) {
        const v = Number(big[i]);
        // Keras int64 variables (counters, iterations) fit int32 in practice; clamp rather than wrap.
        out[i] = Math.max(-2147483648, Math.min(2147483647, v));
      }
      return { dtype: 'int32', data: out, sourceDtype: source };
    }
    const ints =
      size === 4 ? (signed ? view(Int32Array) : view(Uint32Array))
      : size === 2 ? (signed ? view(Int16Array) : view(Uint16Array))
      : size === 1 ? (signed ? view(Int8Array) : view(Uint8Array))
      : unsupported();
    return { dtype: 'int32', data: Int32Array.from(ints as ArrayLike<number>), sourceDtype: source };
  }
  return unsupported();
}

function swapBytes(raw: Uint8Array, size: number): void {
  for (let i = 0; i + size <= raw.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = raw[a];
      raw[a] = raw[b];
      raw[b] = t;
    }
  }
}

/** IEEE 754 half → float32. */
export function halfToFloat(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const v = h[i];
    const sign = v & 0x8000 ? -1 : 1;
    const exp = (v >> 10) & 0x1f;
    const frac = v & 0x3ff;
    if (exp === 0) out[i] = sign * 2 ** -14 * (frac / 1024);
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  return out;
}
