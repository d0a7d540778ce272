/**
 * The HDF5 library in a browser (the twin of formats/hdf5/h5wasm/thread.ts; package.json
 * "browser" maps it). h5wasm's ES-module build, the HDF5 library in memory (~4 MB), is loaded
 * the first time a file needs it (the TypeScript reader reads what Keras writes by default).
 *
 * The readers call HDF5 synchronously. Node gives them a worker thread they block on with a
 * deadline; a browser allows no blocking wait on its main thread, and shared memory only to
 * cross-origin-isolated pages. So here the same operations (`serveHdf5`) run in the calling
 * thread, through a port that answers at once, without a deadline: pages convert in a Web
 * Worker (as keras2tfjs' own page does), which they can terminate if a damaged file makes HDF5
 * loop.
 */
import type H5wasm from 'h5wasm';
import type { CallResult } from '../formats/hdf5/h5wasm/thread.js';
import { serveHdf5, type Hdf5Op, type Hdf5Ops, type Hdf5Reply, type Hdf5Request } from '../formats/hdf5/h5wasm/worker.js';

export type { CallResult } from '../formats/hdf5/h5wasm/thread.js';

type Serve = (request: Hdf5Request) => void;

/** The library's operations, served in this thread; `reply` holds the last answer. */
interface InProcessPort {
  serve: Serve | null;
  reply: Hdf5Reply | null;
}

/** One h5wasm instance per page or worker: the module is a singleton. */
let served: Promise<InProcessPort> | null = null;

async function serveInThisThread(): Promise<InProcessPort> {
  const h5wasm = (await import('h5wasm')).default as typeof H5wasm;
  const mod = await h5wasm.ready;
  const port: InProcessPort = { serve: null, reply: null };
  const portLike = {
    on: (_event: 'message', serve: Serve) => {
      port.serve = serve;
    },
    postMessage: (reply: Hdf5Reply) => {
      port.reply = reply;
    },
  };
  // Atomics on a plain Int32Array: the signal serveHdf5 raises after each reply, unused here.
  serveHdf5(h5wasm, mod, portLike as unknown as Parameters<typeof serveHdf5>[2], new Int32Array(1));
  return port;
}

export class Hdf5Thread {
  private static shared: Promise<Hdf5Thread> | null = null;
  private static current: Hdf5Thread | null = null;
  private stopped = false;

  private constructor(private readonly port: InProcessPort) {}

  /** True once HDF5 has been needed (and loaded, or is loading). */
  static get running(): boolean {
    return Hdf5Thread.shared !== null;
  }

  /** The library, loaded on first use. */
  static get(): Promise<Hdf5Thread> {
    Hdf5Thread.shared ??= (served ??= serveInThisThread()).then(
      (port) => (Hdf5Thread.current = new Hdf5Thread(port)),
      (e: unknown) => {
        served = null;
        Hdf5Thread.shared = null;
        throw e;
      },
    );
    return Hdf5Thread.shared;
  }

  opened(): void {}

  closed(): void {}

  /**
   * One operation, answered before this returns (`timeoutMs` cannot be kept in this thread, nor
   * `memoryBytes` watched as Node watches its worker's memory).
   */
  call<K extends Hdf5Op>(op: K, args: Hdf5Ops[K]['args'], _timeoutMs: number, _transfer: ArrayBuffer[] = [], _memoryBytes = Infinity): CallResult<K> {
    if (this.stopped || !this.port.serve) return 'stopped';
    this.port.reply = null;
    this.port.serve({ op, ...args } as Hdf5Request);
    const reply = this.port.reply as Hdf5Reply | null;
    if (reply === null) return 'stopped';
    return reply as CallResult<K>;
  }

  /**
   * After a wasm trap HDF5's state is suspect: files open on this handle answer 'stopped', and
   * new files get a new handle. The library itself cannot be reloaded in this thread.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (Hdf5Thread.current === this) {
      Hdf5Thread.current = null;
      Hdf5Thread.shared = null;
    }
  }
}
