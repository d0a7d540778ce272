/**
 * The browser's twin of src/io/folder_on_disk.ts: a page has no disk to write the folder to, so
 * its files are served from memory (src/browser/mounts.ts) under a private root until discarded.
 */
import type { PickedFolder } from '../convert/read/model_input.js';
import type { PlacedFolder } from '../io/folder_on_disk.js';
import { mount } from './mounts.js';

export type { PlacedFolder } from '../io/folder_on_disk.js';

export async function placeFolder(folder: PickedFolder): Promise<PlacedFolder> {
  const { root, unmount } = mount(folder.name, new Map(folder.files.map((f) => [f.path, f.content])));
  return { root, discard: async () => unmount() };
}
