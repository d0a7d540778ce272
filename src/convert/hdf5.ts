/**
 * Read-only HDF5 access for Keras files, through h5wasm (the HDF5 C library compiled to wasm)
 * working entirely in memory: the bytes are written into h5wasm's in-memory file system, never
 * to disk, and removed on close.
 *
 * Refused as Keras refuses them (saving_lib `safe_get_h5_group` / `safe_get_h5_dataset`), with
 * BAD_HDF5 naming the file and the path: soft links, external links, external (EFL) datasets,
 * virtual datasets, and "shape bombs" (a dataset declaring far more bytes than the file holds).
 * To be sure HDF5 never reads anything but our one file, h5wasm's `FS.open` is guarded: any
 * other path is answered "no such file" and reported.
 */
import h5wasm from 'h5wasm';
import type { Dataset, Group } from 'h5wasm';
import { ErrorCode, Keras2TfjsError } from '../errors.js';
import { convertError, firstLine } from './fail.js';
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

type H5Module = Awaited<typeof h5wasm.ready>;

interface ModuleWithHeap {
  _malloc(n: number): number;
  _free(p: number): void;
  HEAPU8: Uint8Array;
  get_dataset_data(fileId: bigint, path: string, count: null, offset: null, strides: null, ptr: bigint): number;
  get_symbolic_link(fileId: bigint, path: string): string | null;
  get_external_link(fileId: bigint, path: string): { filename?: string; obj_path?: string };
  activate_throwing_error_handler(): number;
  deactivate_throwing_error_handler(): number;
}

interface GuardedFs {
  open: (path: string, ...rest: unknown[]) => unknown;
  writeFile(path: string, data: Uint8Array): void;
  unlink(path: string): void;
  mkdirTree(path: string): void;
  analyzePath(path: string): { exists: boolean };
}

let modulePromise: Promise<H5Module> | null = null;
/**
 * > 0 while our own h5wasm calls run. The FS.open guard only applies then, so an application
 * that uses h5wasm itself in the same process is not affected between our calls.
 */
let enforcing = 0;

/** The loaded module's error-handler switches (set once the module is ready). */
let errorHandler: { on(): void; off(): void } | null = null;

/**
 * Runs `fn` with the FS.open guard on and HDF5 errors thrown as exceptions (with HDF5's
 * message) instead of printed; both are h5wasm-wide settings, restored when we are done.
 */
function enforced<T>(fn: () => T): T {
  if (enforcing++ === 0) errorHandler?.on();
  try {
    return fn();
  } finally {
    if (--enforcing === 0) errorHandler?.off();
  }
}
/** Files h5wasm may open: only the ones we wrote ourselves. */
const allowedPaths = new Set<string>();
/** The last path HDF5 tried to open that was not ours (an external link, EFL or VDS source). */
let refusedOpen: string | null = null;
let counter = 0;
const DIR = '/keras2tfjs-h5';

async function h5module(): Promise<H5Module> {
  if (!modulePromise) {
    modulePromise = h5wasm.ready.then((mod) => {
      const m = mod as unknown as ModuleWithHeap;
      errorHandler = { on: () => m.activate_throwing_error_handler(), off: () => m.deactivate_throwing_error_handler() };
      const fs = mod.FS as unknown as GuardedFs;
      const open = fs.open;
      fs.open = function guardedOpen(this: unknown, path: string, ...rest: unknown[]) {
        const normalized = String(path).replace(/\/+/g, '/');
        // h5wasm's error handler writes HDF5's message through tmpfile(): let it.
        if (enforcing > 0 && !allowedPaths.has(normalized) && !normalized.startsWith('/tmp/tmpfile_')) {
          refusedOpen ??= String(path);
          // emscripten's syscall layer turns an 'ErrnoError' into a clean errno (44 = ENOENT).
          throw Object.assign(new Error(`ENOENT ${path}`), { name: 'ErrnoError', errno: 44 });
        }
        return open.call(this, path, ...rest);
      };
      if (!fs.analyzePath(DIR).exists) fs.mkdirTree(DIR);
      return mod;
    });
  }
  return modulePromise;
}

export type AttrValue = string | number | bigint | boolean | string[] | number[] | null;

/** One open HDF5 file. Always `close()` it (use `withHdf5`). */
export class Hdf5File {
  private readonly checked = new Set<string>(['/']);

  private constructor(
    private readonly mod: H5Module,
    private readonly h5: InstanceType<typeof h5wasm.File>,
    private readonly memPath: string,
    readonly file: string,
    private readonly fileBytes: number,
  ) {}

  static async open(bytes: Uint8Array, file: string): Promise<Hdf5File> {
    const mod = await h5module();
    const fs = mod.FS as unknown as GuardedFs;
    const memPath = `${DIR}/${++counter}.h5`;
    allowedPaths.add(memPath);
    fs.writeFile(memPath, bytes);
    try {
      const h5 = enforced(() => new h5wasm.File(memPath, 'r'));
      return new Hdf5File(mod, h5, memPath, file, bytes.length);
    } catch (e) {
      fs.unlink(memPath);
      allowedPaths.delete(memPath);
      throw convertError(ErrorCode.BAD_HDF5, file, `not a readable HDF5 file (${hdf5Message(e)})`);
    }
  }

  close(): void {
    try {
      enforced(() => this.h5.close());
    } catch {
      // A damaged file can fail to close; the reader has already thrown or finished with it.
    } finally {
      (this.mod.FS as unknown as GuardedFs).unlink(this.memPath);
      allowedPaths.delete(this.memPath);
    }
  }

  fail(message: string): never {
    throw convertError(ErrorCode.BAD_HDF5, this.file, message);
  }

  /** Runs an h5wasm call; a damaged file makes HDF5 throw anywhere, which becomes BAD_HDF5. */
  private guard<T>(what: string, fn: () => T): T {
    try {
      return enforced(fn);
    } catch (e) {
      if (e instanceof Keras2TfjsError) throw e;
      return this.fail(`${what} (${hdf5Message(e)}); the file is damaged`);
    }
  }

  /** True if an object (group or dataset) exists at `path`. Links on the way are checked. */
  has(path: string): boolean {
    const parts = splitPath(path);
    let current = '/';
    for (const part of parts) {
      const g = this.groupAt(current);
      if (!g || !this.guard(`'${current}' cannot be listed`, () => g.keys()).includes(part)) return false;
      current = joinPath(current, part);
      this.checkLink(current);
    }
    return true;
  }

  isGroup(path: string): boolean {
    return this.has(path) && this.entity(path) instanceof h5wasm.Group;
  }

  isDataset(path: string): boolean {
    return this.has(path) && this.entity(path) instanceof h5wasm.Dataset;
  }


  /** Child names of a group, in HDF5's (alphabetical) order. */
  keys(path: string): string[] {
    const g = this.groupAt(path);
    if (!g) this.fail(`expected a group at '${path}'`);
    const keys = this.guard(`'${path}' cannot be listed`, () => g.keys());
    for (const k of keys) this.checkLink(joinPath(path, k));
    return keys;
  }

  attrNames(path: string): string[] {
    const e = this.entity(path);
    if (!e) return [];
    return this.guard(`the attributes of '${path}' cannot be read`, () => Object.keys(e.attrs));
  }

  /** An attribute decoded to JS: strings (vlen or fixed), string lists, numbers, or null if absent. */
  attr(path: string, name: string): AttrValue {
    const e = this.entity(path);
    if (!e) return null;
    const what = `attribute '${name}' of '${path}' cannot be read`;
    const value = this.guard(what, () => {
      const attrs = e.attrs;
      return Object.prototype.hasOwnProperty.call(attrs, name) ? attrs[name].value : null;
    });
    return decodeAttr(value);
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

  /** A numeric dataset as float32 (floats of any width) or int32 (integers), C order. */
  readArray(path: string): StoredArray & { sourceDtype: string } {
    if (!this.has(path)) this.fail(`dataset '${path}' is missing`);
    const ds = this.entity(path);
    if (!(ds instanceof h5wasm.Dataset)) this.fail(`expected a dataset at '${path}'`);
    let meta: Dataset['metadata'];
    try {
      meta = enforced(() => ds.metadata);
    } catch (e) {
      this.fail(`dataset '${path}' cannot be read (${hdf5Message(e)})`);
    }
    if (meta.virtual_sources && meta.virtual_sources.length > 0) {
      this.fail(`dataset '${path}' is a virtual dataset; refused as Keras refuses it`);
    }
    const shape = meta.shape ?? [];
    const count = shape.reduce((a, b) => a * b, 1);
    const nbytes = count * meta.size;
    if (nbytes > MAX_DATASET_BYTES || (nbytes > DATASET_MAX_EXPANSION * this.fileBytes && nbytes > 1 << 20)) {
      this.fail(`dataset '${path}' declares ${nbytes} bytes in a ${this.fileBytes}-byte file; refusing a potential shape bomb`);
    }
    const bfloat16 = this.attr(path, 'dtype') === 'bfloat16';
    const raw = this.readRaw(path, nbytes);
    return { shape, ...decodeNumeric(raw, meta, bfloat16, () => this.fail(`dataset '${path}' has an unsupported type (class ${meta.type}, ${meta.size} bytes)`)) };
  }

  private readRaw(path: string, nbytes: number): Uint8Array {
    const m = this.mod as unknown as ModuleWithHeap;
    const ptr = m._malloc(Math.max(nbytes, 1));
    if (!ptr) this.fail(`dataset '${path}' (${nbytes} bytes) does not fit in memory`);
    refusedOpen = null;
    try {
      enforced(() => m.get_dataset_data(this.h5.file_id, path, null, null, null, BigInt(ptr)));
      return m.HEAPU8.slice(ptr, ptr + nbytes);
    } catch (e) {
      if (refusedOpen !== null) {
        this.fail(`dataset '${path}' stores its data in another file ('${refusedOpen}'); external datasets are refused as Keras refuses them`);
      }
      this.fail(`dataset '${path}' cannot be read (${hdf5Message(e)})`);
    } finally {
      m._free(ptr);
    }
  }

  private entity(path: string): Group | Dataset | null {
    let e: unknown;
    try {
      e = path === '/' ? this.h5 : enforced(() => this.h5.get(path));
    } catch (err) {
      this.fail(`'${path}' cannot be opened (${hdf5Message(err)})`);
    }
    if (e instanceof h5wasm.Group || e instanceof h5wasm.Dataset) return e;
    if (e && typeof e === 'object' && 'type' in e) {
      this.fail(`'${path}' is a link to another file or a broken link; refused as Keras refuses them`);
    }
    return null;
  }

  private groupAt(path: string): Group | null {
    if (path !== '/' && !this.checked.has(path)) {
      if (!this.has(path)) return null;
    }
    const e = this.entity(path);
    return e instanceof h5wasm.Group ? e : null;
  }

  /** Soft and external links are refused (Keras: "Not allowed: H5 file with SoftLink"). */
  private checkLink(path: string): void {
    if (this.checked.has(path)) return;
    const m = this.mod as unknown as ModuleWithHeap;
    const soft = this.guard(`the link '${path}' cannot be read`, () => m.get_symbolic_link(this.h5.file_id, path));
    if (soft !== null && soft !== undefined) this.fail(`'${path}' is a soft link to '${soft}'; refused as Keras refuses soft links`);
    const ext = this.guard(`the link '${path}' cannot be read`, () => m.get_external_link(this.h5.file_id, path));
    if (ext && ext.filename) this.fail(`'${path}' is an external link to '${ext.filename}'; refused as Keras refuses external links`);
    this.checked.add(path);
  }
}

/** Opens, runs `fn`, always closes. */
export async function withHdf5<T>(bytes: Uint8Array, file: string, fn: (h5: Hdf5File) => T | Promise<T>): Promise<T> {
  const h5 = await Hdf5File.open(bytes, file);
  let trapped = false;
  try {
    return await fn(h5);
  } catch (e) {
    // On a damaged file HDF5 itself fails (found by the fuzz test): its throwing error handler
    // raises an Error carrying the 'HDF5-DIAG' stack (e.g. from link iteration in has/keys), and
    // its C code compiled to wasm can trap (WebAssembly.RuntimeError; TypeScript's ES lib has no
    // WebAssembly value, so match the name). Either way the file is damaged, not our code wrong.
    const trap = e instanceof Error && e.name === 'RuntimeError';
    const hdf5Failure = e instanceof Error && e.message.startsWith('HDF5-DIAG');
    if (!trap && !hdf5Failure) throw e;
    trapped = trap;
    throw convertError(ErrorCode.BAD_HDF5, file, `HDF5 failed while reading it, the file is damaged (${hdf5Message(e)})`);
  } finally {
    try {
      h5.close();
    } catch (e) {
      // After a trap, closing may trap again; the damage is already reported.
      if (!trapped) throw e;
    }
  }
}

export function joinPath(a: string, b: string): string {
  if (a === '/' || a === '') return `/${b}`;
  return `${a}/${b}`;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((p) => p !== '');
}

function hdf5Message(e: unknown): string {
  // HDF5's stack dumps are long: keep the innermost line that says what failed.
  const text = e instanceof Error ? e.message : String(e);
  const lines = text.split('\n').map((l) => l.trim());
  const detail = lines.filter((l) => /^#\d+:/.test(l)).pop();
  return detail ? detail.replace(/^#\d+:\s*\S+\s+line\s+\d+\s+in\s+/, '') : firstLine(e);
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

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_OPAQUE = 5;

function decodeNumeric(
  raw: Uint8Array,
  meta: { type: number; size: number; signed: boolean; littleEndian: boolean },
  bfloat16: boolean,
  unsupported: () => never,
): { dtype: 'float32' | 'int32'; data: Float32Array | Int32Array; sourceDtype: string } {
  const { type, size } = meta;
  if (!meta.littleEndian && size > 1 && type !== H5T_OPAQUE) swapBytes(raw, size);
  const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  if ((type === H5T_OPAQUE || type === H5T_INTEGER) && size === 2 && bfloat16) {
    const u16 = new Uint16Array(buf);
    const u32 = new Uint32Array(u16.length);
    for (let i = 0; i < u16.length; i++) u32[i] = u16[i] << 16;
    return { dtype: 'float32', data: new Float32Array(u32.buffer), sourceDtype: 'bfloat16' };
  }
  if (type === H5T_FLOAT) {
    if (size === 4) return { dtype: 'float32', data: new Float32Array(buf), sourceDtype: 'float32' };
    if (size === 8) return { dtype: 'float32', data: Float32Array.from(new Float64Array(buf)), sourceDtype: 'float64' };
    if (size === 2) return { dtype: 'float32', data: halfToFloat(new Uint16Array(buf)), sourceDtype: 'float16' };
    return unsupported();
  }
  if (type === H5T_INTEGER) {
    const signed = meta.signed;
    const source = `${signed ? 'int' : 'uint'}${size * 8}`;
    if (size === 8) {
      const big = signed ? new BigInt64Array(buf) : new BigUint64Array(buf);
      const out = new Int32Array(big.length);
      for (let i = 0; i < big.length; i++) {
        const v = Number(big[i]);
        // Keras int64 variables (counters, iterations) fit int32 in practice; clamp rather than wrap.
        out[i] = Math.max(-2147483648, Math.min(2147483647, v));
      }
      return { dtype: 'int32', data: out, sourceDtype: source };
    }
    const view =
      size === 4 ? (signed ? new Int32Array(buf) : new Uint32Array(buf))
      : size === 2 ? (signed ? new Int16Array(buf) : new Uint16Array(buf))
      : size === 1 ? (signed ? new Int8Array(buf) : new Uint8Array(buf))
      : unsupported();
    return { dtype: 'int32', data: Int32Array.from(view as ArrayLike<number>), sourceDtype: source };
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
