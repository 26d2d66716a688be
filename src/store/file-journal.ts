/**
 * The rating log as an append-only file, `<dir>/ratings.journal`, one line per event
 * (format in `rating-event.ts`).
 *
 * Durability: an `append` resolves only after `write()` and `fdatasync()` of the bytes
 * holding its events have both returned. Appends are group-committed: while one batch is
 * being written and flushed, new appends queue up, and the whole queue becomes the next
 * batch with one `write()` and one `fdatasync()`. Under load the number of flushes per
 * second stays bounded by the disk's flush latency, not by the request rate.
 *
 * Crash safety: only the end of the file is ever written, and a batch is either wholly
 * acknowledged or wholly rejected. A crash (or SIGKILL, or power loss) during a batch can
 * therefore leave only a torn *last* line, which was never acknowledged; `openJournal`
 * cuts it off with a warning and starts normally, so a crash can never turn into a
 * crash loop. A bad line anywhere else is damage to acknowledged data and stops the open
 * with a `JournalCorruptError`.
 *
 * One process writes a journal at a time: `openJournal` takes `<dir>/ratings.lock` (see
 * `data-dir-lock.ts`) and `close` releases it, because a second writer's rollback of a
 * failed batch would cut this one's acknowledged lines. Reading takes no lock.
 */

import type { FileHandle } from 'node:fs/promises';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type Logger, pino } from 'pino';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.ts';
import { JournalClosedError } from './journal-closed-error.ts';
import { JournalCorruptError } from './journal-corrupt-error.ts';
import { JournalWriteError } from './journal-write-error.ts';
import { decodeRatingEvent, encodeRatingEvent, type RatingEvent } from './rating-event.ts';
import type { JournalReplay, RatingLog } from './rating-log.ts';

/** The journal's file name inside the data directory. */
export const JOURNAL_FILE_NAME = 'ratings.journal';

export interface OpenJournalOptions {
  /** Receives the warning about a cut torn line and an info line per open. Default: a pino logger on stdout. */
  readonly logger?: Logger;
  /**
   * Flush every batch to stable storage before acknowledging it. Default true. Turn it
   * off only where losing the last acknowledged appends on power loss is acceptable
   * (tests, throw-away demos); a process crash alone loses nothing either way.
   */
  readonly fsync?: boolean;
  /** Told the seconds each batch took to write and flush (for metrics). */
  readonly onFlush?: (seconds: number) => void;
}

export interface OpenedJournal {
  /** A `ReadOnlyJournal` when the file or directory cannot be written. */
  readonly journal: FileJournal | ReadOnlyJournal;
  readonly replay: JournalReplay;
}

/** Errors that say the journal can be read but not written. */
const READ_ONLY_CODES = new Set(['EROFS', 'EACCES', 'EPERM']);

// Reading in fixed chunks keeps memory flat however long the journal grows.
const READ_CHUNK_BYTES = 1 << 16;
// Real lines are under 120 bytes; a longer one is garbage and is not buffered whole.
const MAX_LINE_BYTES = 4096;
const NEWLINE = 0x0a;

/**
 * Opens (creating `dir` and the file if missing) the journal in `dir`, reads every event
 * in it, cuts off a torn last line, and returns the journal ready for appends together
 * with what was read.
 *
 * @throws JournalCorruptError if a line other than the last cannot be read
 * @throws DataDirLockedError if another process (or an open journal of this one) holds `dir`
 */
export async function openJournal(
  dir: string,
  options: OpenJournalOptions = {},
): Promise<OpenedJournal> {
  const logger = options.logger ?? pino({ name: 'rating-journal' });
  const fsync = options.fsync ?? true;
  const absoluteDir = resolve(dir);
  const firstCreated = await mkdir(absoluteDir, { recursive: true });
  const path = join(absoluteDir, JOURNAL_FILE_NAME);
  let lock: DataDirLock | undefined;
  let handle: FileHandle;
  try {
    // Before the file is opened for appending; a directory that cannot be written fails
    // here already and is served read-only, without a lock.
    lock = await acquireDataDirLock(absoluteDir);
    // 'a+' = O_RDWR | O_APPEND | O_CREAT: positioned reads for the scan, ftruncate, and
    // writes that the kernel always places at the current end of the file.
    handle = await open(path, 'a+');
  } catch (error) {
    await lock?.release();
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!READ_ONLY_CODES.has(code)) throw error;
    return openReadOnly(path, error as NodeJS.ErrnoException, logger);
  }
  try {
    if (fsync) await syncNewEntries(absoluteDir, firstCreated);
    const scan = await scanJournal(handle, path);
    const truncatedBytes = scan.fileBytes - scan.goodBytes;
    if (scan.torn !== undefined) {
      logger.warn(
        { path, truncatedBytes, line: scan.torn.line, problem: scan.torn.problem },
        `rating journal: cut ${truncatedBytes} bytes of a torn last line (line ${scan.torn.line}: ${scan.torn.problem}); it was never acknowledged`,
      );
      await handle.truncate(scan.goodBytes);
      if (fsync) await handle.datasync();
    }
    logger.info(
      { path, events: scan.events.length, truncatedBytes },
      'rating journal: replayed events',
    );
    return {
      journal: new FileJournal(path, handle, scan.goodBytes, fsync, logger, options.onFlush, lock),
      replay: { events: scan.events, truncatedBytes, path },
    };
  } catch (error) {
    await handle.close().finally(() => lock.release());
    throw error;
  }
}

/**
 * A journal on a data directory that cannot be written (a read-only mount, no
 * permission): its events are replayed so reads are served, and every append is refused,
 * so no rating is ever acknowledged without being durable.
 */
async function openReadOnly(
  path: string,
  cause: NodeJS.ErrnoException,
  logger: Logger,
): Promise<OpenedJournal> {
  const replay = await readJournalFile(path);
  const journal = new ReadOnlyJournal(path, cause, replay.events);
  logger.error(
    { path, events: replay.events.length, code: cause.code },
    `rating journal is read-only (${cause.code}): ratings are served, changes are refused until DATA_DIR is writable and the service restarts`,
  );
  return { journal, replay };
}

/**
 * Reads the journal in `dir` without writing anything, not even the cut of a torn last
 * line (which is left out): for tools that run beside a live service, whose append in
 * flight must not be cut. A missing journal has no events.
 *
 * @throws JournalCorruptError if a line other than the last cannot be read
 */
export function readJournal(dir: string): Promise<JournalReplay> {
  return readJournalFile(join(resolve(dir), JOURNAL_FILE_NAME));
}

async function readJournalFile(path: string): Promise<JournalReplay> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (!handle) return { events: [], truncatedBytes: 0, path };
  try {
    const scan = await scanJournal(handle, path);
    return { events: scan.events, truncatedBytes: scan.fileBytes - scan.goodBytes, path };
  } finally {
    await handle.close();
  }
}

/** The `RatingLog` of a journal that cannot be written: every append is refused. */
export class ReadOnlyJournal implements RatingLog {
  constructor(
    readonly path: string,
    private readonly cause: NodeJS.ErrnoException,
    private readonly events: ReadonlyArray<RatingEvent>,
  ) {}

  async acknowledgedEvents(): Promise<RatingEvent[]> {
    return [...this.events];
  }

  /** Why nothing can be written, for readiness reports. */
  get problem(): string {
    return `the rating journal cannot be written (${this.cause.code})`;
  }

  append(events: ReadonlyArray<RatingEvent>): Promise<void> {
    return Promise.reject(new JournalWriteError(this.path, Math.max(1, events.length), this.cause));
  }

  async close(): Promise<void> {}
}

interface PendingAppend {
  readonly text: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A `RatingLog` on an open journal file. Obtain one from `openJournal`, which reads the
 * existing events first.
 */
export class FileJournal implements RatingLog {
  readonly #handle: FileHandle;
  readonly #fsync: boolean;
  readonly #logger: Logger;
  // Bytes of the file that hold acknowledged batches; the file is cut back to this size
  // after a failed batch.
  #size: number;
  // A failed batch could not be cut off yet: it must be before anything else is written,
  // or its torn bytes would end up in the middle of the file.
  #needsRollback = false;
  #problem: string | null = null;
  #queue: PendingAppend[] = [];
  #draining: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  /** @internal use `openJournal` */
  constructor(
    readonly path: string,
    handle: FileHandle,
    sizeBytes: number,
    fsync: boolean,
    logger: Logger,
    private readonly onFlush?: (seconds: number) => void,
    private readonly lock?: DataDirLock,
  ) {
    this.#handle = handle;
    this.#size = sizeBytes;
    this.#fsync = fsync;
    this.#logger = logger;
  }

  /** Bytes of the journal that hold acknowledged events. */
  get sizeBytes(): number {
    return this.#size;
  }

  async acknowledgedEvents(): Promise<RatingEvent[]> {
    // bytes below the acknowledged size are never rewritten, so no lock is needed
    const size = this.#size;
    const bytes = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const { bytesRead } = await this.#handle.read(bytes, read, size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const events: RatingEvent[] = [];
    let offset = 0;
    for (const [k, line] of bytes.toString('latin1', 0, read).split('\n').entries()) {
      if (line.length > 0) {
        const decoded = decodeRatingEvent(line);
        if (!decoded.ok) throw new JournalCorruptError(this.path, k + 1, offset, decoded.problem);
        events.push(decoded.event);
      }
      offset += line.length + 1;
    }
    return events;
  }

  /** Why the last batch failed, until one succeeds again; null while writes succeed. */
  get problem(): string | null {
    return this.#problem;
  }

  append(events: ReadonlyArray<RatingEvent>): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(new JournalClosedError(this.path));
    let text = '';
    try {
      // Encoding up front confines an invalid event to its own call instead of its batch.
      for (const event of events) text += `${encodeRatingEvent(event)}\n`;
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ text, resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      while (this.#draining !== undefined) await this.#draining;
      // The lock goes only after the last write: the next holder may truncate the file.
      await this.#handle.close().finally(() => this.lock?.release());
    })();
    return this.#closing;
  }

  /** Commits the queue batch by batch until it is empty. Never rejects. */
  async #drain(): Promise<void> {
    // Yield once, so that every append made in the same synchronous run as the one that
    // started the drain joins the first batch instead of waiting for the second.
    await Promise.resolve();
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      let text = '';
      for (const pending of batch) text += pending.text;
      try {
        await this.#commit(text);
      } catch (error) {
        const failure = new JournalWriteError(this.path, batch.length, error);
        this.#problem = `the rating journal could not be written (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
        for (const pending of batch) pending.reject(failure);
        continue;
      }
      this.#problem = null;
      for (const pending of batch) pending.resolve();
    }
    this.#draining = undefined;
  }

  async #commit(text: string): Promise<void> {
    if (text.length === 0) return;
    if (this.#needsRollback) await this.#rollback();
    // Lines are ASCII, so latin1 maps each character to one byte without a UTF-8 pass.
    const bytes = Buffer.from(text, 'latin1');
    const started = performance.now();
    try {
      let written = 0;
      while (written < bytes.length) {
        // No position: with O_APPEND the kernel writes at the end of the file.
        const { bytesWritten } = await this.#handle.write(bytes, written, bytes.length - written);
        if (bytesWritten <= 0) throw new Error(`write() stored no bytes of ${bytes.length}`);
        written += bytesWritten;
      }
      // datasync (fdatasync), not sync (fsync): it flushes the data and the metadata
      // needed to read it back (the file size), and skips timestamps the journal never
      // uses, saving a metadata write per batch on most file systems. Note that on macOS
      // neither reaches the platters through the drive cache (that takes F_FULLFSYNC).
      if (this.#fsync) await this.#handle.datasync();
      this.onFlush?.((performance.now() - started) / 1000);
    } catch (error) {
      this.#needsRollback = true;
      try {
        await this.#rollback();
      } catch (rollbackError) {
        this.#logger.error(
          { path: this.path, err: rollbackError },
          'rating journal: could not cut off a failed batch; will retry before the next write',
        );
      }
      throw error;
    }
    this.#size += bytes.length;
  }

  /**
   * Cuts the file back to its acknowledged size. No flush follows: the next batch's
   * fdatasync persists the size together with its own data, and if the process dies
   * first, leftovers of the failed batch sit at the end, where the next open treats them
   * like any unacknowledged tail.
   */
  async #rollback(): Promise<void> {
    await this.#handle.truncate(this.#size);
    this.#needsRollback = false;
  }
}

interface ScanResult {
  readonly events: RatingEvent[];
  /** Offset just past the last intact line. */
  readonly goodBytes: number;
  readonly fileBytes: number;
  /** The unreadable last line, if there is one. */
  readonly torn?: { readonly line: number; readonly problem: string };
}

/**
 * Reads the journal chunk by chunk, splitting lines on raw bytes so that offsets are
 * exact for truncation. The first bad line is remembered rather than thrown at once: it
 * is only corruption if any byte follows it.
 */
async function scanJournal(handle: FileHandle, path: string): Promise<ScanResult> {
  const events: RatingEvent[] = [];
  const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  let chunkStart = 0; // file offset of chunk[0]
  let lineStart = 0; // file offset of the current line's first byte
  let lineNumber = 1;
  // The current line's bytes from earlier chunks, when it spans chunks.
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let bad: { line: number; start: number; problem: string } | undefined;

  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, READ_CHUNK_BYTES, chunkStart);
    if (bytesRead === 0) break;
    let from = 0;
    while (from < bytesRead) {
      if (bad !== undefined) throw new JournalCorruptError(path, bad.line, bad.start, bad.problem);
      const newline = chunk.indexOf(NEWLINE, from);
      const end = newline === -1 || newline >= bytesRead ? bytesRead : newline;
      if (end === bytesRead) {
        // The line continues in the next chunk (or is torn at the end of the file).
        if (carryBytes + (end - from) <= MAX_LINE_BYTES) {
          carry.push(Buffer.from(chunk.subarray(from, end)));
        }
        carryBytes += end - from;
        break;
      }
      let decoded: ReturnType<typeof decodeRatingEvent>;
      const lineBytes = carryBytes + (end - from);
      if (lineBytes > MAX_LINE_BYTES) {
        decoded = { ok: false, problem: `line of ${lineBytes} bytes, over ${MAX_LINE_BYTES}` };
      } else if (carryBytes === 0) {
        decoded = decodeRatingEvent(chunk.toString('latin1', from, end));
      } else {
        carry.push(chunk.subarray(from, end));
        decoded = decodeRatingEvent(Buffer.concat(carry).toString('latin1'));
      }
      if (decoded.ok) events.push(decoded.event);
      else bad = { line: lineNumber, start: lineStart, problem: decoded.problem };
      lineNumber += 1;
      lineStart = chunkStart + end + 1;
      carry = [];
      carryBytes = 0;
      from = end + 1;
    }
    chunkStart += bytesRead;
  }

  const fileBytes = chunkStart;
  if (carryBytes > 0) {
    // A last line without its newline: the write of its batch never completed.
    if (bad !== undefined) throw new JournalCorruptError(path, bad.line, bad.start, bad.problem);
    return {
      events,
      goodBytes: lineStart,
      fileBytes,
      torn: { line: lineNumber, problem: 'no newline at the end of the file' },
    };
  }
  if (bad !== undefined) {
    return {
      events,
      goodBytes: bad.start,
      fileBytes,
      torn: { line: bad.line, problem: bad.problem },
    };
  }
  return { events, goodBytes: fileBytes, fileBytes };
}

/**
 * fsyncs the directory entries that opening may have created: the journal's entry in
 * `dir`, and, when mkdir created directories (the first of them is `firstCreated`), each
 * of their entries in its parent. Without this, a power loss soon after the first start
 * could lose the whole file although appends to it were acknowledged.
 */
async function syncNewEntries(dir: string, firstCreated: string | undefined): Promise<void> {
  let current = dir;
  for (;;) {
    await syncDirectory(current);
    if (firstCreated === undefined || current === firstCreated) break;
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  if (firstCreated !== undefined) await syncDirectory(dirname(firstCreated));
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Windows cannot open a directory, and some file systems refuse to fsync one; there
    // is nothing better to do there, so only other failures are errors.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') {
      throw error;
    }
  } finally {
    await handle?.close();
  }
}
