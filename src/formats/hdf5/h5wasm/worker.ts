/**
 * The HDF5 library's side of the converter's HDF5 reading, run in a worker thread started by
 * h5wasm/thread.ts. HDF5 is C code compiled to wasm, and a damaged file can make it loop forever
 * (found by the fuzz test: a file with one flipped byte never returns from reading its
 * `model_config` attribute; h5py hangs the same way). On the caller's thread nothing could stop
 * that; in a worker, the caller waits with a deadline and terminates the thread.
 *
 * Only primitive operations live here (list, kind, links, attributes, dataset metadata, raw
 * bytes); what they mean for Keras files (link refusals, shape-bomb guard, decoding) stays in
 * hdf5.ts on the caller's thread.
 *
 * The worker runs `serveHdf5`'s source text (`serveHdf5.toString()`), so the same code runs
 * from dist/ and from src/ under vitest, where a worker could not load a TypeScript file. So
 * `serveHdf5` must use nothing from outside its own body: only its arguments and globals.
 */
import type { MessagePort } from 'node:worker_threads';
import type H5wasm from 'h5wasm';

/** Dataset metadata as hdf5.ts needs it (a subset of h5wasm's Metadata). */
export interface DatasetMeta {
  shape: number[] | null;
  /** H5T class: 0 integer, 1 float, 5 opaque, ... */
  type: number;
  size: number;
  signed: boolean;
  littleEndian: boolean;
  virtualSourceCount: number;
}

/** Every operation: its arguments and its result. */
export interface Hdf5Ops {
  /** Writes the bytes into the worker's in-memory file system and opens them; returns the file id. */
  open: { args: { bytes: Uint8Array }; result: number };
  close: { args: { file: number }; result: null };
  /** Child names of the group at `path`. */
  keys: { args: { file: number; path: string }; result: string[] };
  /** What `path` is; 'link' for an external or broken soft link. */
  kind: { args: { file: number; path: string }; result: 'group' | 'dataset' | 'link' | 'none' };
  /** The soft / external link target stored at `path`, if it is one. */
  links: { args: { file: number; path: string }; result: { soft: string | null; external: string | null } };
  attrNames: { args: { file: number; path: string }; result: string[] };
  /**
   * An attribute's value as h5wasm decodes it (null if absent), or how many bytes it would
   * take when that is more than `maxBytes` (then it is not passed on).
   */
  attr: { args: { file: number; path: string; name: string; maxBytes: number }; result: { value: unknown } | { tooLarge: number } };
  metadata: { args: { file: number; path: string }; result: DatasetMeta };
  /** The dataset's raw bytes (its own buffer, transferred). */
  read: { args: { file: number; path: string; nbytes: number }; result: Uint8Array };
}

export type Hdf5Op = keyof Hdf5Ops;
/** A request: the operation, its arguments, and how far the wasm heap may grow while it runs. */
export type Hdf5Request = { [K in Hdf5Op]: { op: K; heapBytes?: number } & Hdf5Ops[K]['args'] }[Hdf5Op];

export type Hdf5Reply =
  | { ok: true; value: unknown }
  | {
      ok: false;
      /** The thrown error's name: 'RuntimeError' is a wasm trap (the library's state is suspect). */
      name: string;
      /** Its message (HDF5's throwing error handler puts the HDF5-DIAG stack here). */
      message: string;
      /** A path HDF5 tried to open besides our file (an external link, EFL or VDS source). */
      refusedOpen: string | null;
      /** True if the wasm heap was refused growth past the request's `heapBytes` on the way. */
      heapRefused?: boolean;
    };

type H5Module = Awaited<typeof H5wasm.ready>;

/**
 * Serves requests from `port` one at a time. After each reply is posted, `signal[0]` is
 * incremented and notified, so that the caller can block on it with `Atomics.wait` and a
 * deadline, then take the reply with `receiveMessageOnPort`.
 */
export function serveHdf5(h5wasm: typeof H5wasm, mod: H5Module, port: MessagePort, signal: Int32Array): void {
  interface MemFs {
    open: (path: string, ...rest: unknown[]) => unknown;
    writeFile(path: string, data: Uint8Array, opts?: { canOwn?: boolean }): void;
    unlink(path: string): void;
    mkdirTree(path: string): void;
  }
  interface Heap {
    _malloc(n: number): number;
    _free(p: number): void;
    HEAPU8: Uint8Array;
  }
  const DIR = '/keras2tfjs-h5';
  const fs = mod.FS as unknown as MemFs;
  const heap = mod as unknown as Heap;
  const files = new Map<number, { h5: InstanceType<typeof h5wasm.File>; memPath: string }>();
  /** Files HDF5 may open: only the ones written here. */
  const allowed = new Set<string>();
  let refusedOpen: string | null = null;
  let counter = 0;

  // HDF5 must never read anything but our one file: any other path (an external link, external
  // dataset or virtual dataset source) is answered "no such file", and remembered for the message.
  const open = fs.open;
  fs.open = function guardedOpen(this: unknown, path: string, ...rest: unknown[]) {
    const normalized = String(path).replace(/\/+/g, '/');
    // h5wasm's error handler writes HDF5's message through tmpfile(): let it.
    if (!allowed.has(normalized) && !normalized.startsWith('/tmp/tmpfile_')) {
      refusedOpen ??= String(path);
      // emscripten's syscall layer turns an 'ErrnoError' into a clean errno (44 = ENOENT).
      throw Object.assign(new Error(`ENOENT ${path}`), { name: 'ErrnoError', errno: 44 });
    }
    return open.call(this, path, ...rest);
  };
  fs.mkdirTree(DIR);

  // The wasm heap may grow by at most a request's `heapBytes` while it runs: a damaged size
  // (a global heap collection's, a dataspace's) makes HDF5 allocate and fill gigabytes in one
  // copy the caller cannot interrupt, even by terminating the thread. emscripten grows the heap
  // through Memory.prototype.grow and takes a throw as "out of memory": malloc returns NULL and
  // HDF5 fails with an error, which the reply marks with `heapRefused`.
  interface WasmMemory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  let heapAllowed = Infinity;
  let heapBase: number | null = null;
  let heapRefused = false;
  const memoryPrototype = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } }).WebAssembly.Memory.prototype;
  const grow = memoryPrototype.grow;
  memoryPrototype.grow = function cappedGrow(this: WasmMemory, pages: number): number {
    const size = this.buffer.byteLength;
    const base = (heapBase ??= size);
    if (size + pages * 65536 - base > heapAllowed) {
      heapRefused = true;
      throw new RangeError(`the HDF5 heap may not grow past ${heapAllowed} bytes for this request`);
    }
    return grow.call(this, pages);
  };
  // HDF5 errors become exceptions carrying HDF5's message, instead of being printed.
  mod.activate_throwing_error_handler();

  const fileOf = (id: number) => {
    const f = files.get(id);
    if (!f) throw new Error(`no open HDF5 file #${id}`);
    return f;
  };
  const entity = (id: number, path: string) => (path === '/' ? fileOf(id).h5 : fileOf(id).h5.get(path));
  const group = (id: number, path: string) => {
    const e = entity(id, path);
    if (!(e instanceof h5wasm.Group)) throw new Error(`'${path}' is not a group`);
    return e;
  };
  const withAttrs = (id: number, path: string) => {
    const e = entity(id, path);
    return e instanceof h5wasm.Group || e instanceof h5wasm.Dataset ? e : null;
  };

  const run = (req: Hdf5Request): unknown => {
    switch (req.op) {
      case 'open': {
        const memPath = `${DIR}/${++counter}.h5`;
        allowed.add(memPath);
        // The bytes were transferred to this thread (always our own copy): the in-memory file
        // keeps them as they are instead of copying 100 MB once more.
        fs.writeFile(memPath, req.bytes, { canOwn: true });
        try {
          files.set(counter, { h5: new h5wasm.File(memPath, 'r'), memPath });
        } catch (e) {
          fs.unlink(memPath);
          allowed.delete(memPath);
          throw e;
        }
        return counter;
      }
      case 'close': {
        const f = files.get(req.file);
        if (!f) return null;
        files.delete(req.file);
        try {
          f.h5.close();
        } finally {
          fs.unlink(f.memPath);
          allowed.delete(f.memPath);
        }
        return null;
      }
      case 'keys':
        return group(req.file, req.path).keys();
      case 'kind': {
        const e = entity(req.file, req.path);
        if (e instanceof h5wasm.Group) return 'group';
        if (e instanceof h5wasm.Dataset) return 'dataset';
        return e && typeof e === 'object' && 'type' in e ? 'link' : 'none';
      }
      case 'links': {
        const id = fileOf(req.file).h5.file_id;
        const soft = mod.get_symbolic_link(id, req.path) as string | null | undefined;
        const ext = mod.get_external_link(id, req.path) as { filename?: string } | null | undefined;
        return { soft: soft ?? null, external: ext?.filename ? ext.filename : null };
      }
      case 'attrNames': {
        const e = withAttrs(req.file, req.path);
        return e ? Object.keys(e.attrs) : [];
      }
      case 'attr': {
        const e = withAttrs(req.file, req.path);
        if (!e) return { value: null };
        const attrs = e.attrs;
        if (!Object.prototype.hasOwnProperty.call(attrs, req.name)) return { value: null };
        const attr = attrs[req.name];
        // Its declared size first (a damaged dataspace can declare billions of elements), then
        // what its strings decode to (variable-length strings are stored elsewhere).
        const count = (attr.shape ?? []).reduce((a: number, b: number) => a * b, 1);
        const declared = count * Math.max(attr.metadata.size, 8);
        if (declared > req.maxBytes) return { tooLarge: declared };
        const value: unknown = attr.value;
        const strings = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];
        const decoded = strings.reduce((n: number, v: string) => n + v.length, declared);
        return decoded > req.maxBytes ? { tooLarge: decoded } : { value };
      }
      case 'metadata': {
        const e = entity(req.file, req.path);
        if (!(e instanceof h5wasm.Dataset)) throw new Error(`'${req.path}' is not a dataset`);
        const m = e.metadata;
        return {
          shape: m.shape ?? null,
          type: m.type,
          size: m.size,
          signed: m.signed,
          littleEndian: m.littleEndian,
          virtualSourceCount: m.virtual_sources?.length ?? 0,
        };
      }
      case 'read': {
        const ptr = heap._malloc(Math.max(req.nbytes, 1));
        if (!ptr) throw new Error(`${req.nbytes} bytes do not fit in HDF5's memory`);
        try {
          mod.get_dataset_data(fileOf(req.file).h5.file_id, req.path, null, null, null, BigInt(ptr));
          return heap.HEAPU8.slice(ptr, ptr + req.nbytes);
        } finally {
          heap._free(ptr);
        }
      }
    }
  };

  const answer = (reply: Hdf5Reply, transfer: ArrayBuffer[]): void => {
    try {
      port.postMessage(reply, transfer);
    } catch (e) {
      // A value structured clone cannot carry (an exotic attribute type): say so instead.
      const message = `HDF5 returned a value that cannot be passed on (${e instanceof Error ? e.message : String(e)})`;
      port.postMessage({ ok: false, name: 'DataCloneError', message, refusedOpen: null } satisfies Hdf5Reply);
    }
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };

  port.on('message', (req: Hdf5Request) => {
    refusedOpen = null;
    heapAllowed = req.heapBytes ?? Infinity;
    heapBase = null;
    heapRefused = false;
    try {
      const value = run(req);
      answer({ ok: true, value }, value instanceof Uint8Array ? [value.buffer as ArrayBuffer] : []);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      answer({ ok: false, name: err.name, message: err.message, refusedOpen, heapRefused }, []);
    }
  });
}
