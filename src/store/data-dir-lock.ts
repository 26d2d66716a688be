/**
 * An exclusive claim on a data directory, so that one process at a time appends to its
 * rating journal: `<dir>/ratings.lock`, created with O_EXCL and holding
 * `{ pid, hostname, startedAt }` of its holder.
 *
 * Why a pid file and not a lock library such as proper-lockfile: those judge a lock stale
 * by its mtime, which the holder keeps touching, so after a SIGKILL the restart has to
 * wait out the staleness period (and a holder stalled longer than it loses the lock while
 * still running). Here a lock left behind is recognised at once: its holder ran on this
 * host and its pid no longer exists. Node has no flock(), which would be freed by the
 * kernel on any exit, without a native addon.
 *
 * What a pid file cannot tell, it refuses rather than guesses, with a message that says
 * how to free the directory: a holder on another host (a shared volume; its process
 * table is out of reach), and a pid that a reboot handed to some other live process.
 */

import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { open, readFile, realpath, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type DataDirLockConflict,
  DataDirLockedError,
  type DataDirLockHolder,
} from './data-dir-locked-error.ts';

/** The lock's file name inside the data directory. */
export const LOCK_FILE_NAME = 'ratings.lock';

/** A held lock on a data directory. */
export interface DataDirLock {
  readonly dir: string;
  /** `<dir>/ratings.lock` */
  readonly path: string;
  readonly holder: DataDirLockHolder;
  /**
   * Removes the lock file, if it is still this lock's (not one a later holder wrote after
   * it was removed by hand). Calling it again does nothing.
   */
  release(): Promise<void>;
}

// The locks this process holds or is taking, by real path of the directory. The file
// alone cannot tell them apart from a lock left by an earlier life of our pid (a
// container restarted as pid 1 again), which is stale; this map can. So a journal of this
// process that was never closed (a crash simulated in-process) keeps the directory until
// it is closed, while a lock file of our pid that no journal here holds is taken over.
const heldHere = new Map<string, DataDirLockHolder>();

/**
 * Locks `dir` (which must exist) for this process. A lock left by a process that is gone
 * (same host, pid not running, or our own pid while no lock of this process holds it) is
 * taken over.
 *
 * @throws DataDirLockedError if another process holds `dir`, a journal of this process
 *   does, or the lock file cannot be read
 * @throws the file system's error if the lock file cannot be created (EROFS, EACCES, ...)
 */
export async function acquireDataDirLock(dir: string): Promise<DataDirLock> {
  const absoluteDir = resolve(dir);
  const path = join(absoluteDir, LOCK_FILE_NAME);
  // A symlink or a relative path can name the directory twice.
  const key = await realpath(absoluteDir);
  const held = heldHere.get(key);
  if (held !== undefined) {
    throw new DataDirLockedError(absoluteDir, path, { kind: 'this-process', holder: held });
  }
  const holder: DataDirLockHolder = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
  };
  // Registered in the same synchronous step as the check, so a concurrent acquire here is
  // refused instead of reading our half-written file as a stale lock of our own pid.
  heldHere.set(key, holder);
  const text = `${JSON.stringify(holder)}\n`;
  try {
    await claim(absoluteDir, path, text);
  } catch (error) {
    heldHere.delete(key);
    throw error;
  }
  let releasing: Promise<void> | undefined;
  return {
    dir: absoluteDir,
    path,
    holder,
    release() {
      releasing ??= (async () => {
        heldHere.delete(key);
        const current = await readFile(path, 'utf8').catch(() => null);
        if (current === text) await rm(path, { force: true });
      })();
      return releasing;
    },
  };
}

/** Creates the lock file holding `text`, taking over a stale one once. */
async function claim(dir: string, path: string, text: string): Promise<void> {
  // The second attempt follows the removal of a stale lock (or a holder's release while
  // we looked). If it fails as well, another starter won the race, and we refuse.
  for (let attempt = 1; ; attempt += 1) {
    if (await createExclusive(path, text)) return;
    const found = await readLock(path);
    if (attempt === 1 && found.kind === 'gone') continue;
    if (attempt === 1 && found.kind === 'holder' && isStale(found.holder)) {
      await removeStale(path, found.text);
      continue;
    }
    throw new DataDirLockedError(dir, path, conflictOf(found));
  }
}

/** false if the file exists. */
async function createExclusive(path: string, text: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(text);
    // Once synced, a power cut leaves the file whole (and stale: no process survives it)
    // or absent, never empty, which would have to be removed by hand. The directory entry
    // is not synced: losing it loses nothing.
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(path, { force: true });
    throw error;
  }
  return true;
}

type FoundLock =
  | { readonly kind: 'gone' }
  | { readonly kind: 'holder'; readonly holder: DataDirLockHolder; readonly text: string }
  | { readonly kind: 'unreadable'; readonly problem: string };

async function readLock(path: string): Promise<FoundLock> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'gone' };
    return { kind: 'unreadable', problem: `reading it failed with ${code ?? String(error)}` };
  }
  const parsed = parseHolder(text);
  return typeof parsed === 'string'
    ? { kind: 'unreadable', problem: parsed }
    : { kind: 'holder', holder: parsed, text };
}

/** The holder, or what is wrong with the text. */
function parseHolder(text: string): DataDirLockHolder | string {
  if (text.length === 0) {
    return 'it is empty: a process is writing it right now, or died while doing so';
  }
  const shown = JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `expected JSON with pid, hostname and startedAt, found ${shown}`;
  }
  const { pid, hostname, startedAt } = (value ?? {}) as Record<string, unknown>;
  // pid 0 or below would make kill() probe a process group, not a process.
  if (
    typeof pid !== 'number' ||
    !Number.isSafeInteger(pid) ||
    pid <= 0 ||
    typeof hostname !== 'string' ||
    hostname === '' ||
    typeof startedAt !== 'string'
  ) {
    return `expected a positive integer pid, a hostname and startedAt, found ${shown}`;
  }
  return { pid, hostname, startedAt };
}

function isStale(holder: DataDirLockHolder): boolean {
  // Only this host's process table can say whether the holder still runs.
  if (holder.hostname !== hostname()) return false;
  // Our own pid is alive by definition; it is an earlier life of this pid unless a lock
  // of this process wrote it (through another path to the directory, say).
  if (holder.pid === process.pid) return ![...heldHere.values()].some((h) => same(h, holder));
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes the stale lock whose content was `staleText`, and nothing else. Another starter
 * may have taken it over since we read it, and a plain unlink would then remove *its*
 * live lock, letting both run. Moving the file aside first (atomic) and checking what
 * was moved narrows that to restoring a live lock we moved; only a third starter within
 * those microseconds could still slip in.
 */
async function removeStale(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readFile(aside, 'utf8').catch(() => null);
  if (moved === staleText) await rm(aside, { force: true });
  else await rename(aside, path);
}

function conflictOf(found: FoundLock): DataDirLockConflict {
  switch (found.kind) {
    case 'gone':
      return {
        kind: 'unreadable',
        problem: 'another process took it and let it go while this one was starting; start again',
      };
    case 'unreadable':
      return found;
    case 'holder':
      return found.holder.pid === process.pid && found.holder.hostname === hostname()
        ? { kind: 'this-process', holder: found.holder }
        : { kind: 'other-process', holder: found.holder };
  }
}

function same(a: DataDirLockHolder, b: DataDirLockHolder): boolean {
  return a.pid === b.pid && a.hostname === b.hostname && a.startedAt === b.startedAt;
}
