/**
 * The browser's twin of src/io/folder_on_disk.ts: a page has no disk to write the folder to, so
 * its files are served from memory (src/browser/mounts.ts) under a private root while it is read.
 */
import type { PickedFolder } from '../convert/read/model_input.js';
import { mount } from './mounts.js';

export async function withFolderOnDisk<T>(folder: PickedFolder, use: (path: string) => Promise<T>): Promise<T> {
  const { root, unmount } = mount(folder.name, new Map(folder.files.map((f) => [f.path, f.content])));
  try {
    return await use(root);
  } finally {
    unmount();
  }
}
