/**
 * Writes one file so that readers see the old file or the whole new one, never a part, and so
 * that nobody else's file is touched: the bytes go to a temporary file beside the target, created
 * exclusively (O_CREAT | O_EXCL: an existing name, a planted symlink included, is never opened
 * or followed) under a random name (nobody can plant one in advance), then renamed over the
 * target (rename replaces a symlink at the target itself, never what it points to).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** How many random names to try before giving up (each collision means someone planted one). */
const NAME_TRIES = 8;

/** The temporary names `writeFileAtomically` uses for `target`: `.name.tmp-<random>`. */
export function temporaryName(target: string, random: string = randomBytes(12).toString('hex')): string {
  return join(dirname(target), `.${basename(target)}.tmp-${random}`);
}

/**
 * Writes `bytes` to `target` atomically (creating its folder if needed), fsynced before the
 * rename when `durable`. On failure the temporary file is removed and the error rethrown; `target`
 * is untouched. `names` supplies temporary names (tests pass predictable ones).
 */
export async function writeFileAtomically(
  target: string,
  bytes: Uint8Array,
  options: { durable?: boolean; names?: () => string } = {},
): Promise<void> {
  const names = options.names ?? (() => temporaryName(target));
  await mkdir(dirname(target), { recursive: true });
  let tmp: string | undefined;
  let handle;
  for (let attempt = 0; handle === undefined; attempt++) {
    const candidate = names();
    try {
      handle = await open(candidate, 'wx', 0o666); // the umask decides, as for any file the user saves
      tmp = candidate;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt + 1 >= NAME_TRIES) throw e;
    }
  }
  try {
    try {
      await handle.writeFile(bytes);
      if (options.durable ?? true) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp as string, target);
  } catch (e) {
    await rm(tmp as string, { force: true }); // ours: created exclusively above
    throw e;
  }
}
