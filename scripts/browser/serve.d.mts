/** One served path: a file on disk or bytes/text in memory, with its content type (else by extension). */
export type Route = { file: string; type?: string } | { body: string | Uint8Array; type?: string };

export interface FileServer {
  url: string;
  close(): Promise<void>;
}

/** COOP + COEP: a page served with them is cross-origin isolated (SharedArrayBuffer, threaded wasm). */
export const CROSS_ORIGIN_ISOLATED: Record<string, string>;

export function serveFiles(routes: Record<string, Route>, headers?: Record<string, string>): Promise<FileServer>;
export function serveFolder(dir: string): Promise<FileServer>;
