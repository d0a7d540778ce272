/**
 * Any ModelInput → SourceModel: resolved to a path, bytes or a folder's files (model_input.ts),
 * then read (read_source.ts); a folder's files are put where the readers read folders
 * (io/folder_on_disk.ts: a temporary folder in Node, memory in a browser) while they are read,
 * and the model and its errors are named by the folder's own name, not that place.
 */
import { Keras2TfjsError } from '../../errors.js';
import { withFolderOnDisk } from '../../io/folder_on_disk.js';
import { needFileSystem } from '../../platform.js';
import type { SourceModel } from '../intermediate.js';
import { resolveInput, type ModelInput } from './model_input.js';
import { readSource, type ReadOptions } from './read_source.js';

export async function readInput(input: ModelInput, options: ReadOptions = {}): Promise<SourceModel> {
  if (typeof options.config === 'string') {
    needFileSystem(`the \`config\` option '${options.config}'`, 'pass the parsed architecture (an object) instead of its path');
  }
  const resolved = await resolveInput(input, options.fileName);
  if (resolved.kind === 'path') return readSource(resolved.path, options);
  if (resolved.kind === 'bytes') return readSource(resolved.bytes, { ...options, fileName: resolved.name, owned: resolved.owned });
  const { name } = resolved.folder;
  return withFolderOnDisk(resolved.folder, async (root) => {
    const named = (file: string) => (file.startsWith(root) ? name + file.slice(root.length) : file);
    try {
      const source = await readSource(root, options);
      return { ...source, file: named(source.file) };
    } catch (e) {
      if (!(e instanceof Keras2TfjsError) || e.file === undefined) throw e;
      throw new Keras2TfjsError(e.code, e.message, { file: named(e.file), layer: e.layer });
    }
  });
}
