/**
 * What the user dropped or picked: one model file, or a folder (a SavedModel, an unzipped
 * .keras) read with its relative paths, plus any .npy files (x.npy and y.npy for parity).
 */
import type { ModelDrop } from './protocol.js';

export interface Dropped {
  model: ModelDrop | null;
  npy: File[];
}

/** Sorts picked files: .npy aside, the rest is the model (one file, or a folder's files). */
export function fromFiles(files: Array<{ path: string; file: File }>): Dropped {
  const npy = files.filter((f) => f.file.name.endsWith('.npy')).map((f) => f.file);
  const rest = files.filter((f) => !f.file.name.endsWith('.npy'));
  if (rest.length === 0) return { model: null, npy };
  const inFolder = rest.filter((f) => f.path.includes('/'));
  if (inFolder.length === 0 && rest.length === 1) return { model: { kind: 'file', file: rest[0].file }, npy };
  const name = (inFolder[0] ?? rest[0]).path.split('/')[0];
  const files2 = rest.map((f) => ({ path: f.path.includes('/') ? f.path.slice(f.path.indexOf('/') + 1) : f.path, file: f.file }));
  return { model: { kind: 'folder', name, files: files2 }, npy };
}

/**
 * The files of a drop, folders walked (FileSystemEntry API), with paths relative to what was
 * dropped; the plain file list where the browser gives no entries.
 */
export async function droppedFiles(transfer: DataTransfer): Promise<Array<{ path: string; file: File }>> {
  const entries = Array.from(transfer.items)
    .map((item) => item.webkitGetAsEntry())
    .filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return Array.from(transfer.files, (file) => ({ path: file.name, file }));
  const out: Array<{ path: string; file: File }> = [];
  for (const entry of entries) await walk(entry, '', out);
  return out;
}

async function walk(entry: FileSystemEntry, prefix: string, out: Array<{ path: string; file: File }>): Promise<void> {
  const path = prefix + entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path, file });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries gives at most ~100 entries per call: read until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, `${path}/`, out);
  }
}

/** Files from an <input type=file> (webkitdirectory gives each its path inside the folder). */
export function pickedFiles(list: FileList): Array<{ path: string; file: File }> {
  return Array.from(list, (file) => ({ path: file.webkitRelativePath || file.name, file }));
}
