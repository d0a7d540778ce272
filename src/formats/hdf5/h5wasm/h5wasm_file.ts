/**
 * The h5wasm reader as an `Hdf5File`, for the files the direct reader does not read (or that are
 * damaged). The library runs in a worker thread (h5wasm/thread.ts, h5wasm/worker.ts) with a deadline
 * (h5wasm/deadline.ts); the reading logic stays here and synchronous, each HDF5 operation a
 * blocking call to that thread.
 */
import { ErrorCode } from '../../../errors.js';
import { convertError, firstLine } from '../../../errors.js';
import { DecodeBudget } from '../../decode_budget.js';
import { elementCount } from '../../stored_array.js';
import { decodeAttr } from '../decode.js';
import { hdf5DeadlineMs } from './deadline.js';
import { Hdf5File, type AttrValue, type Hdf5Array } from '../hdf5_file.js';
import { joinPath, splitPath } from '../path.js';
import { Hdf5Thread } from './thread.js';
import type { Hdf5Op, Hdf5Ops } from './worker.js';

type Kind = Hdf5Ops['kind']['result'];

/**
 * The h5wasm reader over `bytes` (see `openHdf5` in open_hdf5.ts). With `move`, the whole
 * buffer behind `bytes` is handed to the HDF5 thread (detached here) instead of copied. Not
 * part of the public API.
 */
export function openWasmHdf5(bytes: Uint8Array, file: string, budget: DecodeBudget = DecodeBudget.unlimited(), move = false): Promise<Hdf5File> {
  return WasmHdf5File.start(bytes, file, budget, move);
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
    budget: DecodeBudget,
  ) {
    super(file, budget);
  }

  /** Opens `bytes` in the HDF5 thread (started if need be); `move` as in `openWasmHdf5`. */
  static async start(bytes: Uint8Array, file: string, budget: DecodeBudget, move = false): Promise<Hdf5File> {
    const thread = await Hdf5Thread.get();
    const size = bytes.length; // `bytes` may be detached below
    const deadline = hdf5DeadlineMs(size);
    const sent = move && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
    const started = performance.now();
    // The file lands in the worker's memory (a copy of what was sent, and what HDF5 caches).
    const reply = thread.call('open', { bytes: sent }, deadline, [sent.buffer as ArrayBuffer], 2 * size + HDF5_MEMORY_SLACK_BYTES);
    const spent = performance.now() - started;
    if (reply === 'memory') throw outOfMemory(file, 'its header', 2 * size + HDF5_MEMORY_SLACK_BYTES, budget);
    if (reply === 'timeout' || reply === 'stopped') throw unfinished(file, reply, 'its header', deadline);
    if (!reply.ok) {
      if (reply.name === 'RuntimeError') thread.stop();
      if (reply.heapRefused) throw outOfMemory(file, 'its header', 2 * size + HDF5_MEMORY_SLACK_BYTES, budget);
      throw convertError(ErrorCode.BAD_HDF5, file, `not a readable HDF5 file (${hdf5Message(reply.message)})`);
    }
    thread.opened();
    return new WasmHdf5File(thread, reply.value, file, size, deadline - spent, budget);
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
  private call<K extends Hdf5Op>(op: K, args: Omit<Hdf5Ops[K]['args'], 'file'>, what: string, producesBytes = 0): Hdf5Ops[K]['result'] {
    const started = performance.now();
    // What HDF5 may use to read it: what it is to produce, what the decode budget still allows,
    // and room for its own work.
    const memoryBytes = producesBytes + this.budget.remaining + HDF5_MEMORY_SLACK_BYTES;
    const reply = this.thread.call(op, { ...args, file: this.id } as Hdf5Ops[K]['args'], this.budgetMs, [], memoryBytes);
    this.budgetMs -= performance.now() - started;
    if (reply === 'memory') throw outOfMemory(this.file, what, memoryBytes, this.budget);
    if (reply === 'timeout' || reply === 'stopped') throw unfinished(this.file, reply, what, hdf5DeadlineMs(this.fileBytes));
    if (reply.ok) return reply.value;
    // A wasm trap can leave HDF5's state broken: later files get a fresh thread.
    if (reply.name === 'RuntimeError') this.thread.stop();
    if (reply.heapRefused) throw outOfMemory(this.file, what, memoryBytes, this.budget);
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
    const what = `attribute '${name}' of '${path}'`;
    // The HDF5 thread measures the value and passes it on only within the decode budget.
    const reply = this.call('attr', { path, name, maxBytes: this.budget.remaining }, what);
    if ('tooLarge' in reply) throw this.budget.exceeded(reply.tooLarge, this.file, what);
    const value = decodeAttr(reply.value);
    this.budget.charge(attrBytes(value), this.file, what);
    return value;
  }

  array(path: string): Hdf5Array {
    if (!this.has(path)) this.fail(`dataset '${path}' is missing`);
    if (this.kind(path) !== 'dataset') this.fail(`expected a dataset at '${path}'`);
    const meta = this.call('metadata', { path }, `dataset '${path}'`);
    if (meta.virtualSourceCount > 0) {
      this.fail(`dataset '${path}' is a virtual dataset; refused as Keras refuses it`);
    }
    const shape = meta.shape ?? [];
    const count = elementCount(shape);
    // HDF5 reads a dataset whole: kept while its pieces are taken, dropped after the last.
    let whole: Uint8Array | null = null;
    return this.numericArray(path, shape, meta, async (first, n) => {
      // h5wasm gives the bytes little-endian whatever the file's order.
      whole ??= this.call('read', { path, nbytes: count * meta.size }, `dataset '${path}'`, count * meta.size);
      const raw = whole.subarray(first * meta.size, (first + n) * meta.size);
      if (first + n === count) whole = null;
      return raw;
    });
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

/** BAD_HDF5 for a read HDF5 never finished (or that another file's hang interrupted). */
/**
 * Memory HDF5 may use for its own work in one operation beyond the bytes it produces (caches,
 * B-tree nodes, conversion buffers): generous, so that a genuine file never meets it.
 */
const HDF5_MEMORY_SLACK_BYTES = 256 * 1024 * 1024;

function outOfMemory(file: string, what: string, allowedBytes: number, budget: DecodeBudget): Error {
  const mb = Math.round(allowedBytes / (1024 * 1024));
  return convertError(
    ErrorCode.RESOURCE_LIMIT,
    file,
    `the HDF5 library needed more than ${mb} MB of memory to read ${what} and was stopped (the file is damaged, or decodes to more than its budget); ${budget.hint}`,
  );
}

function unfinished(file: string, reply: 'timeout' | 'stopped', what: string, deadlineMs: number): Error {
  if (reply === 'stopped') {
    return convertError(ErrorCode.BAD_HDF5, file, `the HDF5 reader was stopped while reading ${what} (another file it was reading did not finish); convert this file again`);
  }
  const seconds = (deadlineMs / 1000).toFixed(1);
  return convertError(ErrorCode.BAD_HDF5, file, `the HDF5 library did not finish reading ${what} within ${seconds} s (the file is damaged: HDF5 loops forever on some damaged files); save the model again from Keras`);
}

/** Bytes a decoded attribute value takes, about: its strings' lengths, 8 per number. */
function attrBytes(value: AttrValue): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return (value as Array<string | number>).reduce((n: number, v) => n + (typeof v === 'string' ? v.length : 8), 0);
  return 8;
}

function hdf5Message(text: string): string {
  // HDF5's stack dumps are long: keep the innermost line that says what failed.
  const lines = text.split('\n').map((l) => l.trim());
  const detail = lines.filter((l) => /^#\d+:/.test(l)).pop();
  return detail ? detail.replace(/^#\d+:\s*\S+\s+line\s+\d+\s+in\s+/, '') : firstLine(text);
}
