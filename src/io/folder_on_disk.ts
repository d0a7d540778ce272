/**
 * A model folder given as files (a SavedModel or an unzipped .keras picked by a user, as File
 * objects or bytes by relative path) where the readers take folders: on disk. Node only: the
 * files are written into a private temporary folder, removed by `discard` once the model has
 * been read (its weights are read lazily, after the structure: see SourceModel.finish). Browser
 * bundles get src/browser/folder_on_disk.ts, which serves them from memory instead.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PickedFolder } from '../convert/read/model_input.js';

export interface PlacedFolder {
  /** Where the readers find the folder. */
  root: string;
  /** Removes it; harmless when called again. */
  discard(): Promise<void>;
}

export async function placeFolder(folder: PickedFolder): Promise<PlacedFolder> {
  const dir = await mkdtemp(join(tmpdir(), 'keras2tfjs-folder-'));
  const discard = () => rm(dir, { recursive: true, force: true });
  try {
    const root = join(dir, folder.name);
    for (const { path, content } of folder.files) {
      const target = join(root, ...path.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, new Uint8Array(await content.arrayBuffer()));
    }
    return { root, discard };
  } catch (e) {
    await discard();
    throw e;
  }
}
