/**
 * Any ModelInput → SourceModel: resolved to a path, bytes, a Blob or a folder's files
 * (model_input.ts), then read (read_source.ts): bytes as a MemorySource, a Blob as a BlobSource
 * (read by ranges when large), a folder's files put where the readers read folders
 * (io/folder_on_disk.ts: a temporary folder in Node, memory in a browser) until the model is
 * finished with; the model and its errors are named by the folder's own name, not that place.
 */
import { Keras2TfjsError } from '../../errors.js';
import { openBlobSource } from '../../io/blob_source.js';
import { MemorySource } from '../../io/byte_source.js';
import { placeFolder } from '../../io/folder_on_disk.js';
import { needFileSystem } from '../../platform.js';
import type { SourceModel } from '../intermediate.js';
import { resolveInput, type ModelInput } from './model_input.js';
import { inputOpenOptions, readSource, type ReadOptions } from './read_source.js';

export async function readInput(input: ModelInput, options: ReadOptions = {}): Promise<SourceModel> {
  if (typeof options.config === 'string') {
    needFileSystem(`the \`config\` option '${options.config}'`, 'pass the parsed architecture (an object) instead of its path');
  }
  const resolved = await resolveInput(input, options.fileName);
  if (resolved.kind === 'path') return readSource(resolved.path, options);
  if (resolved.kind === 'bytes') return readSource(new MemorySource(resolved.bytes, resolved.name, resolved.owned ? 'shared' : 'borrowed'), options);
  if (resolved.kind === 'blob') return readSource(await openBlobSource(resolved.blob, resolved.name, inputOpenOptions(options)), options);
  const { name } = resolved.folder;
  const { root, discard } = await placeFolder(resolved.folder);
  const named = (file: string) => (file.startsWith(root) ? name + file.slice(root.length) : file);
  let source: SourceModel;
  try {
    source = await readSource(root, options);
  } catch (e) {
    await discard();
    if (!(e instanceof Keras2TfjsError) || e.file === undefined) throw e;
    throw new Keras2TfjsError(e.code, e.message, { file: named(e.file), layer: e.layer });
  }
  // The weights are read after this returns: the folder stays until the model is finished with.
  const after = (done: () => Promise<void>) => async () => {
    try {
      await done();
    } finally {
      await discard();
    }
  };
  return { ...source, file: named(source.file), finish: after(() => source.finish()), close: after(() => source.close()) };
}
