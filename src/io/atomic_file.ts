/**
 * Writes one file so that readers see the old file or the whole new one, never a part: the bytes
 * go to a temporary file beside the target, renamed over it. Node only (browser bundles get
 * src/browser/atomic_file.ts).
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Writes `bytes` to `target` atomically, creating its folder if needed; on failure `target` is untouched. */
export async function writeFileAtomically(target: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  try {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(tmp, bytes);
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
