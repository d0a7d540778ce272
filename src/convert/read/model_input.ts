/**
 * What `convert`, `inspect` and `loadKerasModel` take, reduced to what the readers read: a path
 * (Node only), bytes with a name for messages, or a folder's files. A page has a File from an
 * <input>, a Blob, a fetch Response, a URL, the files of a folder the user picked; Node has
 * paths, Buffers, `file:` URLs.
 */
import { ErrorCode, Keras2TfjsError, invalidArgument, oneLine } from '../../errors.js';
import { needFileSystem, pathOfFileUrl } from '../../platform.js';

/**
 * The files of a model folder (a tf.keras SavedModel, an unzipped .keras): the Files an
 * `<input type="file" webkitdirectory>` gives (a FileList or an array; each placed by its
 * `webkitRelativePath`), or contents by their path inside the folder
 * (`{'saved_model.pb': blob, 'variables/variables.index': blob, ...}`).
 */
export type ModelFolderFiles = ArrayLike<Blob> | Record<string, Blob | Uint8Array>;

/** A Keras model file, or a model folder, in any form a program holds it. */
export type ModelInput = string | URL | Uint8Array | ArrayBuffer | Blob | Response | ModelFolderFiles;

/** A folder's files, each by its '/'-separated path inside the folder named `name`. */
export interface PickedFolder {
  name: string;
  files: Array<{ path: string; content: Blob }>;
}

export type ResolvedInput =
  | { kind: 'path'; path: string }
  /** `owned`: read for this conversion alone, so readers may keep the buffer (never change it). */
  | { kind: 'bytes'; bytes: Uint8Array; name: string; owned: boolean }
  /** A Blob or File: read where the readers ask, as a file is (io/blob_source.ts). */
  | { kind: 'blob'; blob: Blob; name: string }
  | { kind: 'folder'; folder: PickedFolder };

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
    return { kind: 'blob', blob: input, name };
  }
  const folder = pickedFolder(input, fileName);
  if (folder) return { kind: 'folder', folder };
  throw invalidArgument('input', "a path, a URL, bytes (Uint8Array, ArrayBuffer), a Blob or File, a fetch Response, or a folder's files", describe(input));
}

/**
 * A folder's files, or null if `input` is not that. When every path starts with the same folder
 * (as `webkitRelativePath` does: 'saved_model/variables/variables.index'), that is its name.
 */
function pickedFolder(input: unknown, fileName: string | undefined): PickedFolder | null {
  let files: Array<{ path: string; content: Blob }>;
  if (isArrayLike(input) && Array.from(input).every((f) => f instanceof Blob)) {
    const pathOf = (f: Blob & { webkitRelativePath?: string; name?: string }) => f.webkitRelativePath || f.name || '';
    files = Array.from(input as ArrayLike<Blob>, (f) => ({ path: pathOf(f), content: f }));
  } else if (isPlainObject(input) && Object.values(input).every((v) => v instanceof Blob || v instanceof Uint8Array)) {
    files = Object.entries(input).map(([path, v]) => ({ path, content: v instanceof Blob ? v : new Blob([v as Uint8Array<ArrayBuffer>]) }));
  } else {
    return null;
  }
  files = files.map((f) => ({ ...f, path: f.path.replace(/\\/g, '/').replace(/^\/+/, '') }));
  if (files.length === 0 || files.some((f) => f.path === '' || f.path.split('/').includes('..'))) {
    throw invalidArgument('input', "a folder's files, each with its path inside the folder", files.map((f) => f.path).join(', ') || 'no files');
  }
  const first = files[0].path.split('/')[0];
  const shared = files.every((f) => f.path.startsWith(`${first}/`));
  const name = fileName ?? (shared ? first : '<folder>');
  return { name, files: shared ? files.map((f) => ({ ...f, path: f.path.slice(first.length + 1) })) : files };
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  const FileListClass = (globalThis as { FileList?: abstract new () => unknown }).FileList;
  return Array.isArray(v) || (FileListClass !== undefined && v instanceof FileListClass);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype && Object.keys(v).length > 0;
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
