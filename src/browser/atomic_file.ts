/** The browser's twin of src/io/atomic_file.ts: there is no disk to write a file on. */
import { needFileSystem } from './platform.js';

export async function writeFileAtomically(target: string, _bytes: Uint8Array): Promise<void> {
  needFileSystem(`'${target}'`, 'ask for the bytes instead (exportKeras(model) gives a Blob)');
}
