/**
 * A model folder given as files (a SavedModel or an unzipped .keras picked by a user, as File
 * objects or bytes by relative path) where the readers take folders: on disk. Node only: the
 * files are written into a private temporary folder for the read and removed after it (browser
 * bundles get src/browser/folder_on_disk.ts, which serves them from memory instead).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PickedFolder } from '../convert/read/model_input.js';

export async function withFolderOnDisk<T>(folder: PickedFolder, use: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'keras2tfjs-folder-'));
  try {
    const root = join(dir, folder.name);
    for (const { path, content } of folder.files) {
      const target = join(root, ...path.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, new Uint8Array(await content.arrayBuffer()));
    }
    return await use(root);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
