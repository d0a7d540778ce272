/** The browser's twin of src/io/atomic_file.ts: there is no disk to write a file on. */
import { needFileSystem } from './platform.js';

const FIX = 'ask for the bytes instead (exportKeras(model) gives a Blob)';

export function temporaryName(target: string, _random?: string): string {
  return needFileSystem(`'${target}'`, FIX);
}

export async function writeFileAtomically(target: string, _bytes: Uint8Array, _options: { durable?: boolean; names?: () => string } = {}): Promise<void> {
  needFileSystem(`'${target}'`, FIX);
}
