/** The page's side of the worker: one promise per request, with its progress reported as it comes. */
import type { FromWorker, Requests, RequestName, ToWorker } from './protocol.js';

/** A failed request: the keras2tfjs error code (if it was one) and its one-line message. */
export class WorkerError extends Error {
  constructor(
    readonly code: string | null,
    message: string,
  ) {
    super(message);
  }
}

export class WorkerClient {
  private next = 0;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; progress(f: number, stage: string): void }>();

  constructor(private readonly worker: Worker) {
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const m = event.data;
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.kind === 'progress') return p.progress(m.fraction, m.stage);
      this.pending.delete(m.id);
      if (m.kind === 'done') p.resolve(m.result);
      else p.reject(new WorkerError(m.code, m.message));
    };
    worker.onerror = (event) => {
      for (const p of this.pending.values()) p.reject(new WorkerError(null, `the worker failed: ${event.message}`));
      this.pending.clear();
    };
  }

  request<K extends RequestName>(name: K, args: Requests[K]['args'], progress: (fraction: number, stage: string) => void = () => {}): Promise<Requests[K]['result']> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress });
      this.worker.postMessage({ id, name, args } as ToWorker);
    });
  }
}
