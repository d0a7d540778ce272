/**
 * Publishing a directory atomically, safely under concurrency and after signals: the output
 * is built in a temporary folder beside the target and renamed into place.
 *
 * - Ownership: every temporary folder (`.out.tmp-<pid>-<random>`, and `.out.old-<pid>-<random>`
 *   for a previous output moved aside) holds an owner file naming the host, process id and
 *   process start time that made it, so a later run can tell folders of dead processes from
 *   those of live ones and remove them (SIGKILL, a power loss or a crash leave them behind).
 * - Concurrency: many processes may write the same target at once. Writing happens in private
 *   temporary folders; only the swap (move the old target aside, move ours in, remove the old)
 *   is serialized, by an exclusive lock file beside the target (`.out.lock`, created with O_EXCL,
 *   holding its owner; a lock whose owner died is broken). The last writer wins, every writer
 *   either publishes its whole output or fails with WRITE_FAILED, and nobody removes what another
 *   process wrote.
 * - Signals: while a temporary folder or the lock exists, SIGINT, SIGTERM and SIGHUP first remove
 *   them (synchronously), then take their usual course: if the application has no handler of
 *   its own, the signal is raised again, so the process still ends as it would have.
 */
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** The file inside each temporary folder (and the lock's content) that names its owner. */
const OWNER_FILE = '.keras2tfjs-owner';
/** How long to wait for another process' swap before giving up (swaps take milliseconds). */
const LOCK_WAIT_MS = 60_000;
/** A lock file still empty after this long was left by a process that died while creating it. */
const EMPTY_LOCK_STALE_MS = 10_000;

interface Owner {
  host: string;
  pid: number;
  /** The process' start time where the system tells it (Linux), so a reused pid is not mistaken. */
  started: string | null;
}

const SELF: Owner = { host: hostname(), pid: process.pid, started: processStart(process.pid) };

/** Where a target's temporary folders and lock live, and how they are named. */
function names(target: string) {
  const dir = dirname(target);
  const base = `.${basename(target)}`;
  const unique = () => `${process.pid}-${randomBytes(6).toString('hex')}`;
  return {
    dir,
    lock: join(dir, `${base}.lock`),
    tmp: () => join(dir, `${base}.tmp-${unique()}`),
    old: () => join(dir, `${base}.old-${unique()}`),
    /** Our own temporary folders and those of other runs, for the sweep. */
    isTemporary: (name: string) => name.startsWith(`${base}.tmp-`) || name.startsWith(`${base}.old-`),
  };
}

// ------------------------------------------------------------------- cleanup on signals

/** Paths to remove if the process is interrupted: temporary folders and held locks. */
const inFlight = new Set<string>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function removeInFlight(): void {
  for (const path of inFlight) {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // best effort: the process is going away
    }
  }
  inFlight.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeInFlight();
  stopWatching();
  // Nobody else listens: the default action (end the process) is what the user asked for.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function onExit(): void {
  removeInFlight();
}

function track(path: string): void {
  if (inFlight.size === 0) {
    for (const s of SIGNALS) process.on(s, onSignal);
    process.on('exit', onExit);
  }
  inFlight.add(path);
}

function untrack(path: string): void {
  inFlight.delete(path);
  if (inFlight.size === 0) stopWatching();
}

function stopWatching(): void {
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('exit', onExit);
}

// ------------------------------------------------------------------------ ownership

function processStart(pid: number): string | null {
  try {
    // /proc/<pid>/stat: field 22 is the start time in clock ticks since boot. The command name
    // (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(owner: Owner): boolean {
  if (owner.host !== SELF.host) return true; // another machine's (a shared file system): not ours to judge
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // Alive, or not ours to signal (EPERM): the same process only if it started when the owner did.
  const started = processStart(owner.pid);
  return owner.started === null || started === null || started === owner.started;
}

function ownerText(): string {
  return JSON.stringify(SELF);
}

async function readOwner(path: string): Promise<Owner | null> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as Owner;
    return typeof owner.host === 'string' && Number.isInteger(owner.pid) ? owner : null;
  } catch {
    return null;
  }
}

async function writeOwnerFile(path: string): Promise<void> {
  const handle = await open(path, 'wx', 0o644);
  try {
    await handle.writeFile(ownerText());
  } finally {
    await handle.close();
  }
}

// -------------------------------------------------------------------------- the API

/**
 * A new, empty temporary folder for `target` (beside it, same file system), marked with its
 * owner and removed if the process is interrupted. Stale temporary folders of dead processes
 * are swept first.
 */
export async function createTemporaryDirectory(target: string): Promise<string> {
  await sweepStale(target);
  const tmp = names(target).tmp();
  // Tracked before it exists: a signal between the two would otherwise leave it behind.
  track(tmp);
  // mkdir, not mkdtemp: the folder takes the mode the umask gives (mkdtemp's 0700 would stay on the
  // published model, unreadable to a web server running as another user).
  await mkdir(tmp, { mode: 0o777 }).catch((e) => {
    untrack(tmp);
    throw e;
  });
  try {
    await writeOwnerFile(join(tmp, OWNER_FILE));
  } catch (e) {
    await discardTemporaryDirectory(tmp);
    throw e;
  }
  return tmp;
}

/** Removes a temporary folder made by createTemporaryDirectory (after a failure). */
export async function discardTemporaryDirectory(tmp: string): Promise<void> {
  await rm(tmp, { recursive: true, force: true });
  untrack(tmp);
}

/**
 * Publishes `tmp` as `target`, replacing an existing target, under the target's lock.
 * `checkReplaceable` runs under the lock too (another process may have written the target
 * meanwhile). On failure `tmp` is left to the caller and the old target is where it was.
 */
export async function publishDirectory(tmp: string, target: string, checkReplaceable: () => Promise<void>): Promise<void> {
  await rm(join(tmp, OWNER_FILE), { force: true });
  await withLock(target, async () => {
    await checkReplaceable();
    const exists = await stat(target).then(() => true, () => false);
    if (!exists) {
      await rename(tmp, target);
      untrack(tmp);
      return;
    }
    // Move the old output aside (into a folder of ours, marked, so a crash here is recoverable),
    // move ours in, then remove the old one.
    const old = names(target).old();
    const aside = join(old, 'previous');
    track(old);
    let keepOld = false;
    try {
      await mkdir(old, { mode: 0o777 });
      await writeOwnerFile(join(old, OWNER_FILE));
      await rename(target, aside);
      try {
        await rename(tmp, target);
        untrack(tmp);
      } catch (e) {
        // Put the previous output back; if even that fails, keep it where it is (a later run
        // restores it once this process is gone) rather than remove it.
        keepOld = !(await rename(aside, target).then(() => true, () => false));
        throw e;
      }
    } finally {
      untrack(old);
      if (!keepOld) await rm(old, { recursive: true, force: true });
    }
  });
}

/**
 * Removes the folders `createdTop` … `dir` that a failed write created, if they are empty:
 * never what another process put there meanwhile.
 */
export async function removeCreatedParents(dir: string, createdTop: string): Promise<void> {
  for (let d = dir; d.length >= createdTop.length; d = dirname(d)) {
    try {
      await rmdir(d);
    } catch {
      return; // not empty (someone else's output), or already gone
    }
    if (d === createdTop) return;
  }
}

// ------------------------------------------------------------------------ lock, sweep

async function withLock<T>(target: string, work: () => Promise<T>): Promise<T> {
  const { lock } = names(target);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let wait = 2; ; wait = Math.min(wait * 2, 100)) {
    try {
      // Tracked only once created: tracking first could remove another process' lock on a signal
      // (a lock left by a signal in between is broken later, its owner being dead).
      const handle = await open(lock, 'wx', 0o644);
      track(lock);
      try {
        await handle.writeFile(ownerText());
      } finally {
        await handle.close();
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (await breakStaleLock(lock)) continue;
      if (Date.now() > deadline) {
        throw Object.assign(new Error(`another process holds ${lock} for more than ${LOCK_WAIT_MS / 1000} s`), { code: 'ELOCKED', path: lock });
      }
      await new Promise((r) => setTimeout(r, wait + Math.random() * wait));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
    untrack(lock);
  }
}

/** Removes `lock` if its owner is dead (or it stayed empty too long); true if it did. */
async function breakStaleLock(lock: string): Promise<boolean> {
  const owner = await readOwner(lock);
  if (owner === null) {
    const info = await stat(lock).catch(() => null);
    if (info === null) return true; // released meanwhile
    if (Date.now() - info.mtimeMs < EMPTY_LOCK_STALE_MS) return false; // being written now
  } else if (isAlive(owner)) {
    return false;
  }
  await rm(lock, { force: true });
  return true;
}

/**
 * Removes the temporary folders of `target` whose owner process is dead. A previous output
 * that a dead process had moved aside, with no target in its place, is put back first.
 */
async function sweepStale(target: string): Promise<void> {
  const n = names(target);
  let entries: string[];
  try {
    entries = await readdir(n.dir);
  } catch {
    return; // the folder does not exist yet
  }
  for (const name of entries.filter(n.isTemporary)) {
    const path = join(n.dir, name);
    const owner = await readOwner(join(path, OWNER_FILE));
    // No owner file: a folder of an older keras2tfjs, or one whose owner died while making it;
    // keep it unless its process id (in the name) is not running.
    const pid = Number(/-(\d+)-[0-9a-f]+$/.exec(name)?.[1] ?? NaN);
    const dead = owner ? !isAlive(owner) : Number.isInteger(pid) && !isAlive({ host: SELF.host, pid, started: null });
    if (!dead) continue;
    // Its owner died between moving the old output aside and moving its own in: put it back
    // (fails harmlessly if a target is in place).
    if (name.startsWith(`.${basename(target)}.old-`)) await rename(join(path, 'previous'), target).catch(() => undefined);
    await rm(path, { recursive: true, force: true });
  }
}

/** The paths a signal would remove now (what this process has in flight). */
export function inFlightPaths(): string[] {
  return [...inFlight];
}
