/** What `<dir>/ratings.lock` says about the process that holds the data directory. */
export interface DataDirLockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** ISO 8601, when the holder took the lock. */
  readonly startedAt: string;
}

/** Why the lock could not be taken. */
export type DataDirLockConflict =
  /** Another process holds it, or held it and could not be shown to be gone. */
  | { readonly kind: 'other-process'; readonly holder: DataDirLockHolder }
  /** A journal in this very process holds it and has not been closed. */
  | { readonly kind: 'this-process'; readonly holder: DataDirLockHolder }
  /** The lock file exists but says nothing usable (empty, torn, not ours to judge). */
  | { readonly kind: 'unreadable'; readonly problem: string };

/**
 * The data directory is locked by a writer: a second one appending to the same rating
 * journal could interleave its lines, and its rollback of a failed batch (a truncate back
 * to its own acknowledged size) would cut the other's acknowledged ratings. The message
 * names the holder and says how to free the directory.
 */
export class DataDirLockedError extends Error {
  readonly code = 'DATA_DIR_LOCKED';

  /**
   * @param dir the data directory
   * @param lockFile the lock file in it
   * @param conflict who holds it, or why that cannot be told
   */
  constructor(
    readonly dir: string,
    readonly lockFile: string,
    readonly conflict: DataDirLockConflict,
  ) {
    super(messageOf(dir, lockFile, conflict));
    this.name = 'DataDirLockedError';
  }
}

function messageOf(dir: string, lockFile: string, conflict: DataDirLockConflict): string {
  switch (conflict.kind) {
    case 'other-process': {
      const { pid, hostname, startedAt } = conflict.holder;
      return `DATA_DIR ${dir} is in use by process ${pid} on host ${hostname} (since ${startedAt}); stop it, or remove ${lockFile} if that process is gone`;
    }
    case 'this-process':
      return `DATA_DIR ${dir} is already in use by this process (${conflict.holder.pid}, since ${conflict.holder.startedAt}): close the journal open on it before opening it again`;
    case 'unreadable':
      return `DATA_DIR ${dir} is locked by ${lockFile}, which cannot be read (${conflict.problem}); if no process is using ${dir}, remove ${lockFile}`;
  }
}
