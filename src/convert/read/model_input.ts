/**
 * What `convert`, `inspect` and `loadKerasModel` take, reduced to what the readers read: a path
 * (Node only), or bytes with a name for messages. A page has a File from an <input>, a Blob, a
 * fetch Response, a URL; Node has paths, Buffers, `file:` URLs.
 */
import { ErrorCode, Keras2TfjsError, invalidArgument, oneLine } from '../../errors.js';
import { needFileSystem, pathOfFileUrl } from '../../platform.js';

/** A Keras model file (or, in Node, a model folder) in any form a program holds it. */
export type ModelInput = string | URL | Uint8Array | ArrayBuffer | Blob | Response;

export type ResolvedInput =
  | { kind: 'path'; path: string }
  /** `owned`: read for this conversion alone, so readers may keep or move the buffer. */
  | { kind: 'bytes'; bytes: Uint8Array; name: string; owned: boolean };

const PATH_FIX = 'pass the file itself: a File or Blob, its bytes, a fetch Response or a URL';

/** `input` as a path or bytes; `fileName` names bytes in messages (default: the File's or URL's name). */
export async function resolveInput(input: ModelInput, fileName?: string): Promise<ResolvedInput> {
  if (typeof input === 'string') {
    needFileSystem(`'${input}'`, PATH_FIX);
    return { kind: 'path', path: input };
  }
  if (input instanceof Uint8Array) return { kind: 'bytes', bytes: input, name: fileName ?? '<memory>', owned: false };
  if (input instanceof ArrayBuffer) return { kind: 'bytes', bytes: new Uint8Array(input), name: fileName ?? '<memory>', owned: false };
  if (input instanceof URL) {
    if (input.protocol === 'file:') return { kind: 'path', path: pathOfFileUrl(input) };
    return fromResponse(await fetchOrFail(input), fileName ?? lastSegment(input.pathname));
  }
  if (typeof Response !== 'undefined' && input instanceof Response) return fromResponse(input, fileName ?? lastSegment(urlPath(input.url)));
  if (typeof Blob !== 'undefined' && input instanceof Blob) {
    const name = fileName ?? ((input as { name?: unknown }).name ? String((input as File).name) : '<blob>');
    return { kind: 'bytes', bytes: new Uint8Array(await input.arrayBuffer()), name, owned: true };
  }
  throw invalidArgument('input', 'a path, a URL, bytes (Uint8Array, ArrayBuffer), a Blob or File, or a fetch Response', describe(input));
}

async function fetchOrFail(url: URL): Promise<Response> {
  try {
    return await fetch(url);
  } catch (e) {
    throw new Keras2TfjsError(ErrorCode.FILE_NOT_FOUND, oneLine(`${url.href}: cannot be fetched (${e instanceof Error ? e.message : String(e)})`), { file: url.href });
  }
}

async function fromResponse(response: Response, name: string): Promise<ResolvedInput> {
  const where = response.url || name;
  if (!response.ok) {
    throw new Keras2TfjsError(ErrorCode.FILE_NOT_FOUND, oneLine(`${where}: the server answered ${response.status} ${response.statusText}`.trim()), { file: where });
  }
  if (response.bodyUsed) throw invalidArgument('input', 'a Response whose body has not been read yet', where);
  return { kind: 'bytes', bytes: new Uint8Array(await response.arrayBuffer()), name, owned: true };
}

function urlPath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

/** 'model.keras' of '/models/model.keras'; '<download>' when the path names no file. */
function lastSegment(path: string): string {
  const last = decodeURIComponent(path.split('/').pop() ?? '');
  return last || '<download>';
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return `a ${(value as object).constructor?.name ?? 'object'}`;
}
