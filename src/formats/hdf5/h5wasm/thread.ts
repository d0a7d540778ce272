/**
 * The calling side of HDF5 reading: one worker thread runs the HDF5 library (h5wasm/worker.ts),
 * and each operation is a synchronous call with a deadline. The caller posts a request and
 * blocks in `Atomics.wait` until the worker signals its reply or the time is up; then the
 * worker, stuck in a loop inside HDF5, is terminated. The readers stay synchronous.
 *
 * One thread serves every file, started on first use (the HDF5 module takes ~0.2 s to load),
 * kept between conversions, and ended after IDLE_RETIRE_MS without open files so that its
 * memory (the wasm heap grows to the largest file read) is given back. It never keeps the
 * process alive.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { serveHdf5, type Hdf5Op, type Hdf5Ops, type Hdf5Reply, type Hdf5Request } from './worker.js';

/** A thread without open files for this long ends (an unref'd timer, so it never delays exit). */
const IDLE_RETIRE_MS = 5_000;

/**
 * While a call runs, the process' resident memory is looked at this often. HDF5 on a damaged
 * file can allocate and fill a gigabyte or more inside the worker (a corrupted size in a global
 * heap), where no budget of ours reaches; between two looks it can touch ~100 MB more.
 */
const MEMORY_WATCH_MS = 20;

/**
 * Result of one call: the worker's reply; 'timeout' or 'memory' (its deadline passed, or the
 * process grew past the call's memory allowance: the thread has then been terminated); or
 * 'stopped' (terminated before).
 */
export type CallResult<K extends Hdf5Op> =
  | { ok: true; value: Hdf5Ops[K]['result'] }
  | Extract<Hdf5Reply, { ok: false }>
  | 'timeout'
  | 'memory'
  | 'stopped';

export class Hdf5Thread {
  private static shared: Promise<Hdf5Thread> | null = null;
  /** The started shared thread, once ready. */
  private static current: Hdf5Thread | null = null;

  /** Replies posted by the worker so far (its signal counter), as seen by this side. */
  private replies = 0;
  private openFiles = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Set once terminated (deadline passed, library state suspect, or idle). */
  private stopped = false;

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly signal: Int32Array,
  ) {}

  /** True while the shared thread is started or starting (tests check it is not, when HDF5 is read directly). */
  static get running(): boolean {
    return Hdf5Thread.shared !== null;
  }

  /** The shared thread, started (and its HDF5 module loaded) on first use. */
  static get(): Promise<Hdf5Thread> {
    Hdf5Thread.shared ??= Hdf5Thread.start().catch((e: unknown) => {
      Hdf5Thread.shared = null;
      throw e;
    });
    return Hdf5Thread.shared;
  }

  private static async start(): Promise<Hdf5Thread> {
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    // An ES module given as a data: URL: it imports h5wasm by its resolved URL and runs
    // serveHdf5's own source text (see h5wasm/worker.ts for why).
    // emscripten prints a refused heap growth (serveHdf5 refuses those past a request's
    // allowance) with the console.error it binds when h5wasm loads: that one stays quiet.
    const source = [
      `import { parentPort, workerData } from 'node:worker_threads';`,
      `const print = console.error;`,
      `console.error = (...a) => { if (!/^(growMemory:|Cannot enlarge memory)/.test(String(a[0]))) print(...a); };`,
      `const { default: h5wasm } = await import(${JSON.stringify(import.meta.resolve('h5wasm'))});`,
      `const mod = await h5wasm.ready;`,
      `(${serveHdf5.toString()})(h5wasm, mod, workerData.port, new Int32Array(workerData.signal));`,
      `parentPort.postMessage('ready');`,
    ].join('\n');
    // The worker's stdout/stderr are the process' own (piping them would keep the process alive);
    // with HDF5's throwing error handler on, its messages reach us in exceptions, not there.
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`), {
      workerData: { port: port2, signal: signal.buffer },
      transferList: [port2],
    });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the HDF5 worker thread exited during start-up (code ${code})`)));
    });
    worker.removeAllListeners('exit').removeAllListeners('error');
    // Errors after start-up (the thread dying) surface as a call that does not answer.
    worker.on('error', () => {});
    worker.unref();
    port1.unref();
    const thread = new Hdf5Thread(worker, port1, signal);
    Hdf5Thread.current = thread;
    return thread;
  }

  /** Counts an open file (keeps the thread from retiring while files are open). */
  opened(): void {
    this.openFiles++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  closed(): void {
    if (--this.openFiles > 0 || this.stopped) return;
    this.idleTimer = setTimeout(() => this.stop(), IDLE_RETIRE_MS);
    this.idleTimer.unref();
  }

  /**
   * One operation, waiting at most `timeoutMs`, while the process' resident memory grows by at
   * most `memoryBytes`. On 'timeout' (the thread is stuck inside HDF5) or 'memory' the thread
   * is terminated, its memory given back, and later calls answer 'stopped'.
   */
  call<K extends Hdf5Op>(op: K, args: Hdf5Ops[K]['args'], timeoutMs: number, transfer: ArrayBuffer[] = [], memoryBytes = Infinity): CallResult<K> {
    if (this.stopped) return 'stopped';
    const rssCeiling = process.memoryUsage.rss() + memoryBytes;
    const request = { op, ...args, ...(Number.isFinite(memoryBytes) ? { heapBytes: memoryBytes } : {}) } as Hdf5Request;
    this.port.postMessage(request, transfer);
    const until = performance.now() + timeoutMs;
    for (;;) {
      const left = until - performance.now();
      if (Atomics.load(this.signal, 0) === this.replies) {
        if (left <= 0) {
          this.stop();
          return 'timeout';
        }
        if (Atomics.wait(this.signal, 0, this.replies, Math.min(left, MEMORY_WATCH_MS)) === 'timed-out') {
          if (process.memoryUsage.rss() > rssCeiling) {
            this.stop();
            return 'memory';
          }
          continue;
        }
      }
      // The reply is posted before the signal, so it is there (else wait for it to land).
      const received = receiveMessageOnPort(this.port);
      if (received) {
        this.replies++;
        return received.message as CallResult<K>;
      }
    }
  }

  /**
   * Ends the thread: after a deadline, or when a wasm trap may have left HDF5's state broken.
   * Files still open on it answer 'stopped' from then on; new files get a new thread.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (Hdf5Thread.current === this) {
      Hdf5Thread.current = null;
      Hdf5Thread.shared = null;
    }
    this.port.close();
    void this.worker.terminate();
  }
}
