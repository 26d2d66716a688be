import type { FileHandle } from 'node:fs/promises';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JOURNAL_FILE_NAME, openJournal, readJournal } from '../../src/store/file-journal.ts';
import { InvalidRatingEventError } from '../../src/store/invalid-rating-event-error.ts';
import { JournalClosedError } from '../../src/store/journal-closed-error.ts';
import { JournalCorruptError } from '../../src/store/journal-corrupt-error.ts';
import { JournalWriteError } from '../../src/store/journal-write-error.ts';
import { encodeRatingEvent, type RatingEvent } from '../../src/store/rating-event.ts';
import {
  captureLogger,
  fileHandlePrototype,
  rate,
  ratingEventArb,
  remove,
  useTempDirs,
  WARN,
} from './helpers.ts';

const tempDir = useTempDirs();

afterEach(() => {
  vi.restoreAllMocks();
});

const lines = (...events: ReadonlyArray<RatingEvent>): string =>
  events.map((event) => `${encodeRatingEvent(event)}\n`).join('');

/** A data directory whose journal holds exactly `content`. */
async function journalDir(content: string | Buffer): Promise<{ dir: string; path: string }> {
  const dir = await tempDir();
  const path = join(dir, JOURNAL_FILE_NAME);
  await writeFile(path, content);
  return { dir, path };
}

async function reopen(dir: string): Promise<RatingEvent[]> {
  const { journal, replay } = await openJournal(dir, { logger: captureLogger().logger });
  await journal.close();
  return replay.events;
}

function eioError(): NodeJS.ErrnoException {
  return Object.assign(new Error('EIO: i/o error (simulated)'), { code: 'EIO' });
}

type WriteFn = (buffer: Buffer, offset: number, length: number) => Promise<unknown>;

describe('openJournal', () => {
  it('given a missing directory, when opening, then creates it with an empty journal', async () => {
    const dir = join(await tempDir(), 'nested', 'data');
    const { journal, replay } = await openJournal(dir, { logger: captureLogger().logger });
    await journal.close();
    expect(replay).toEqual({ events: [], truncatedBytes: 0, path: join(dir, JOURNAL_FILE_NAME) });
    expect((await stat(replay.path)).size).toBe(0);
  });

  it('given an empty journal file, when opening, then replays nothing and logs no warning', async () => {
    const { dir } = await journalDir('');
    const { logger, records } = captureLogger();
    const { journal, replay } = await openJournal(dir, { logger });
    await journal.close();
    expect(replay.events).toEqual([]);
    expect(replay.truncatedBytes).toBe(0);
    expect(records.filter((r) => r.level >= WARN)).toEqual([]);
  });

  it('given appended events, when reopening, then replays them in order', async () => {
    const dir = await tempDir();
    const events = [rate(1, 10, 4.5, 1_700_000_000.5), remove(1, 10, 1_700_000_001), rate(2, 3)];
    const first = await openJournal(dir, { logger: captureLogger().logger });
    await first.journal.append(events.slice(0, 2));
    await first.journal.append(events.slice(2));
    await first.journal.close();

    const second = await openJournal(dir, { logger: captureLogger().logger });
    await second.journal.close();
    expect(second.replay.events).toEqual(events);
    expect(second.replay.truncatedBytes).toBe(0);
  });

  it('given a journal longer than a read chunk, when opening, then replays every line', async () => {
    const events = Array.from({ length: 3000 }, (_, k) => rate(1 + (k % 17), k + 1, 3, k));
    const { dir } = await journalDir(lines(...events));
    expect(await reopen(dir)).toEqual(events);
  });

  it('given a torn last line without newline, when opening, then cuts it, warns with the byte count and keeps the rest', async () => {
    const intact = lines(rate(1, 1), rate(1, 2));
    const torn = encodeRatingEvent(rate(1, 3)).slice(0, 25);
    const { dir, path } = await journalDir(intact + torn);
    const { logger, records } = captureLogger();

    const { journal, replay } = await openJournal(dir, { logger });
    await journal.close();

    expect(replay.events).toEqual([rate(1, 1), rate(1, 2)]);
    expect(replay.truncatedBytes).toBe(25);
    expect(await readFile(path, 'latin1')).toBe(intact);
    const warnings = records.filter((r) => r.level === WARN);
    expect(warnings).toEqual([expect.objectContaining({ path, truncatedBytes: 25, line: 3 })]);
    expect(warnings[0].msg).toMatch(/cut 25 bytes of a torn last line/);
  });

  it('given a torn last line, when opening and appending, then the new event follows the intact lines', async () => {
    const { dir } = await journalDir(`${lines(rate(1, 1))}{"v":1,"k":"ra`);
    const { journal } = await openJournal(dir, { logger: captureLogger().logger });
    await journal.append([rate(1, 2)]);
    await journal.close();
    expect(await reopen(dir)).toEqual([rate(1, 1), rate(1, 2)]);
  });

  it('given a complete last line whose checksum is wrong, when opening, then cuts it and warns', async () => {
    const intact = lines(rate(1, 1));
    const bad = `${encodeRatingEvent(rate(1, 2, 3)).replace('"r":3', '"r":5')}\n`;
    const { dir, path } = await journalDir(intact + bad);
    const { logger, records } = captureLogger();

    const { journal, replay } = await openJournal(dir, { logger });
    await journal.close();

    expect(replay.events).toEqual([rate(1, 1)]);
    expect(replay.truncatedBytes).toBe(bad.length);
    expect(await readFile(path, 'latin1')).toBe(intact);
    expect(records.filter((r) => r.level === WARN)).toEqual([
      expect.objectContaining({
        truncatedBytes: bad.length,
        problem: expect.stringMatching(/checksum/),
      }),
    ]);
  });

  it('given a valid last event missing only its newline, when opening, then cuts it as unacknowledged', async () => {
    const last = encodeRatingEvent(rate(1, 2));
    const { dir } = await journalDir(lines(rate(1, 1)) + last);
    const { journal, replay } = await openJournal(dir, { logger: captureLogger().logger });
    await journal.close();
    expect(replay.events).toEqual([rate(1, 1)]);
    expect(replay.truncatedBytes).toBe(last.length);
  });

  it('given a tail of zero bytes longer than any line, when opening, then cuts it', async () => {
    const intact = lines(rate(1, 1));
    const { dir, path } = await journalDir(
      Buffer.concat([Buffer.from(intact), Buffer.alloc(200_000)]),
    );
    const { journal, replay } = await openJournal(dir, { logger: captureLogger().logger });
    await journal.close();
    expect(replay.truncatedBytes).toBe(200_000);
    expect((await stat(path)).size).toBe(intact.length);
  });

  it('given a bad line in the middle, when opening, then fails with JournalCorruptError naming file and line, and leaves the file alone', async () => {
    const content = `${lines(rate(1, 1))}garbage\n${lines(rate(1, 3))}`;
    const { dir, path } = await journalDir(content);

    const error = await openJournal(dir, { logger: captureLogger().logger }).catch((e) => e);

    expect(error).toBeInstanceOf(JournalCorruptError);
    expect(error).toMatchObject({ code: 'JOURNAL_CORRUPT', file: path, line: 2 });
    expect(error.byteOffset).toBe(lines(rate(1, 1)).length);
    expect(error.message).toContain(`${path}:2:`);
    expect(await readFile(path, 'latin1')).toBe(content);
  });

  it('given a bad complete line followed by a torn line, when opening, then fails as corrupt', async () => {
    const { dir } = await journalDir(`${lines(rate(1, 1))}garbage\n{"v":1`);
    await expect(openJournal(dir, { logger: captureLogger().logger })).rejects.toMatchObject({
      code: 'JOURNAL_CORRUPT',
      line: 2,
    });
  });

  it('given a bad first line followed by good lines, when opening, then fails naming line 1', async () => {
    const { dir } = await journalDir(`\n${lines(rate(1, 1))}`);
    await expect(openJournal(dir, { logger: captureLogger().logger })).rejects.toMatchObject({
      line: 1,
      problem: 'empty line',
    });
  });
});

describe('FileJournal.append', () => {
  it('given many concurrent clients, when appending, then all resolve with fewer fsyncs than appends, in call order', async () => {
    const dir = await tempDir();
    const { journal, replay } = await openJournal(dir, { logger: captureLogger().logger });
    const datasync = vi.spyOn(await fileHandlePrototype(replay.path), 'datasync');
    const called: RatingEvent[] = [];
    const client = async (userId: number): Promise<void> => {
      for (let k = 1; k <= 10; k++) {
        const event = rate(userId, k);
        called.push(event);
        await journal.append([event]);
      }
    };

    await Promise.all(Array.from({ length: 20 }, (_, u) => client(u + 1)));
    await journal.close();

    expect(called).toHaveLength(200);
    expect(datasync.mock.calls.length).toBeGreaterThan(0);
    expect(datasync.mock.calls.length).toBeLessThan(called.length / 4);
    expect(await reopen(dir)).toEqual(called);
  });

  it('given a flush in flight, when more appends arrive, then they share the next single write and fsync', async () => {
    const dir = await tempDir();
    const { journal, replay } = await openJournal(dir, { logger: captureLogger().logger });
    const proto = await fileHandlePrototype(replay.path);
    const write = vi.spyOn(proto, 'write');
    const originalDatasync = proto.datasync;
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const datasync = vi.spyOn(proto, 'datasync').mockImplementationOnce(async function (
      this: FileHandle,
    ) {
      await gate;
      return originalDatasync.call(this);
    });

    const first = journal.append([rate(1, 1)]);
    await vi.waitFor(() => expect(datasync).toHaveBeenCalledTimes(1));
    const acked: number[] = [];
    const rest = Array.from({ length: 50 }, (_, k) =>
      journal.append([rate(2, k + 1)]).then(() => acked.push(k)),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(acked).toEqual([]);
    expect(write).toHaveBeenCalledTimes(1);

    release();
    await Promise.all([first, ...rest]);
    await journal.close();

    expect(write).toHaveBeenCalledTimes(2);
    expect(datasync).toHaveBeenCalledTimes(2);
    expect(await reopen(dir)).toEqual([
      rate(1, 1),
      ...Array.from({ length: 50 }, (_, k) => rate(2, k + 1)),
    ]);
  });

  it('given an append, when it resolves, then its fsync has already completed', async () => {
    const dir = await tempDir();
    const { journal, replay } = await openJournal(dir, { logger: captureLogger().logger });
    const proto = await fileHandlePrototype(replay.path);
    const originalDatasync = proto.datasync;
    const order: string[] = [];
    vi.spyOn(proto, 'datasync').mockImplementation(async function (this: FileHandle) {
      await originalDatasync.call(this);
      order.push('fsync done');
    });
    await journal.append([rate(1, 1)]).then(() => order.push('resolved'));
    await journal.close();
    expect(order).toEqual(['fsync done', 'resolved']);
  });

  it('given fsync disabled, when appending, then writes without calling datasync', async () => {
    const dir = await tempDir();
    const { journal, replay } = await openJournal(dir, {
      logger: captureLogger().logger,
      fsync: false,
    });
    const datasync = vi.spyOn(await fileHandlePrototype(replay.path), 'datasync');
    await journal.append([rate(1, 1)]);
    await journal.close();
    expect(datasync).not.toHaveBeenCalled();
    expect(await reopen(dir)).toEqual([rate(1, 1)]);
  });

  it('given a write that fails halfway, when appending, then the whole batch rejects, the file keeps no part of it, and later appends work', async () => {
    const dir = await tempDir();
    const { journal, replay } = await openJournal(dir, { logger: captureLogger().logger });
    await journal.append([rate(1, 1)]);
    const sizeBefore = (await stat(replay.path)).size;
    const proto = await fileHandlePrototype(replay.path);
    const originalWrite = proto.write as unknown as WriteFn;
    vi.spyOn(proto, 'write').mockImplementationOnce(async function (
      this: FileHandle,
      buffer: Buffer,
      offset: number,
      length: number,
    ) {
      await originalWrite.call(this, buffer, offset, Math.floor(length / 2));
      throw eioError();
    } as unknown as FileHandle['write']);

    const batch = [journal.append([rate(2, 1)]), journal.append([rate(2, 2), rate(2, 3)])];
    const results = await Promise.allSettled(batch);

    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(JournalWriteError);
      expect(reason).toMatchObject({ code: 'JOURNAL_WRITE_FAILED', appends: 2 });
      expect(reason.cause).toMatchObject({ code: 'EIO' });
    }
    expect((await stat(replay.path)).size).toBe(sizeBefore);

    await journal.append([rate(3, 1)]);
    await journal.close();
    expect(await reopen(dir)).toEqual([rate(1, 1), rate(3, 1)]);
  });

  it('given an fsync that fails, when appending, then the batch rejects and its bytes are cut off', async () => {
    const dir = await tempDir();
    const { journal, replay } = await openJournal(dir, { logger: captureLogger().logger });
    await journal.append([rate(1, 1)]);
    const sizeBefore = (await stat(replay.path)).size;
    vi.spyOn(await fileHandlePrototype(replay.path), 'datasync').mockRejectedValueOnce(eioError());

    await expect(journal.append([rate(2, 1)])).rejects.toBeInstanceOf(JournalWriteError);
    expect((await stat(replay.path)).size).toBe(sizeBefore);

    await journal.append([rate(3, 1)]);
    await journal.close();
    expect(await reopen(dir)).toEqual([rate(1, 1), rate(3, 1)]);
  });

  it('given a failed batch whose cut-off also fails, when appending again, then the cut-off is retried first', async () => {
    const dir = await tempDir();
    const { logger, records } = captureLogger();
    const { journal, replay } = await openJournal(dir, { logger });
    await journal.append([rate(1, 1)]);
    const proto = await fileHandlePrototype(replay.path);
    vi.spyOn(proto, 'datasync').mockRejectedValueOnce(eioError());
    vi.spyOn(proto, 'truncate').mockRejectedValueOnce(eioError());

    await expect(journal.append([rate(2, 1)])).rejects.toBeInstanceOf(JournalWriteError);
    expect(records.some((r) => r.level >= 50 && /could not cut off/.test(r.msg))).toBe(true);

    await journal.append([rate(3, 1)]);
    await journal.close();
    expect(await reopen(dir)).toEqual([rate(1, 1), rate(3, 1)]);
  });

  it('given an invalid event, when appending, then only that call rejects and nothing of it is written', async () => {
    const dir = await tempDir();
    const { journal } = await openJournal(dir, { logger: captureLogger().logger });
    const good = journal.append([rate(1, 1)]);
    const bad = journal.append([rate(1, 2), rate(0, 3)]);
    await expect(bad).rejects.toBeInstanceOf(InvalidRatingEventError);
    await good;
    await journal.close();
    expect(await reopen(dir)).toEqual([rate(1, 1)]);
  });

  it('given no events, when appending, then resolves and writes nothing', async () => {
    const dir = await tempDir();
    const { journal, replay } = await openJournal(dir, { logger: captureLogger().logger });
    await journal.append([]);
    await journal.close();
    expect((await stat(replay.path)).size).toBe(0);
  });

  it('given events from an earlier session, when appending after reopening, then the new events follow them', async () => {
    const dir = await tempDir();
    const first = await openJournal(dir, { logger: captureLogger().logger });
    await first.journal.append([rate(1, 1)]);
    await first.journal.close();
    await appendFile(join(dir, JOURNAL_FILE_NAME), lines(remove(1, 1)));
    const second = await openJournal(dir, { logger: captureLogger().logger });
    await second.journal.append([rate(1, 2)]);
    await second.journal.close();
    expect(await reopen(dir)).toEqual([rate(1, 1), remove(1, 1), rate(1, 2)]);
  });

  it('given random batches appended concurrently, when reopening, then replays exactly those events in call order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(ratingEventArb, { maxLength: 5 }), { maxLength: 12 }),
        async (batches) => {
          const dir = await tempDir();
          const { journal } = await openJournal(dir, { logger: captureLogger().logger });
          await Promise.all(batches.map((batch) => journal.append(batch)));
          await journal.close();
          expect(await reopen(dir)).toEqual(batches.flat());
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('FileJournal.close', () => {
  it('given appends in flight, when closing, then they resolve and are durable before close resolves', async () => {
    const dir = await tempDir();
    const { journal } = await openJournal(dir, { logger: captureLogger().logger });
    const appends = [journal.append([rate(1, 1)]), journal.append([rate(1, 2)])];
    await journal.close();
    await Promise.all(appends);
    expect(await reopen(dir)).toEqual([rate(1, 1), rate(1, 2)]);
  });

  it('given a closed journal, when appending, then rejects with JournalClosedError naming the file', async () => {
    const dir = await tempDir();
    const { journal, replay } = await openJournal(dir, { logger: captureLogger().logger });
    await journal.close();
    const error = await journal.append([rate(1, 1)]).catch((e) => e);
    expect(error).toBeInstanceOf(JournalClosedError);
    expect(error).toMatchObject({ code: 'JOURNAL_CLOSED', file: replay.path });
    expect(error.message).toMatch(/closed: append was called after close\(\)/);
  });

  it('given a closed journal, when closing again, then resolves', async () => {
    const dir = await tempDir();
    const { journal } = await openJournal(dir, { logger: captureLogger().logger });
    await journal.close();
    await expect(journal.close()).resolves.toBeUndefined();
  });
});

describe('FileJournal.acknowledgedEvents', () => {
  it('given replayed events and acknowledged appends, when read back, then they are every event in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(ratingEventArb, { maxLength: 5 }),
        fc.array(ratingEventArb, { maxLength: 20 }),
        async (earlier, later) => {
          const { dir } = await journalDir(lines(...earlier));
          const { journal } = await openJournal(dir, { logger: captureLogger().logger });
          await Promise.all(later.map((e) => journal.append([e])));
          expect(await journal.acknowledgedEvents()).toEqual([...earlier, ...later]);
          await journal.close();
        },
      ),
      { numRuns: 30 },
    );
  });

  it('given a batch whose write failed, when read back, then none of its events is there', async () => {
    const { dir, path } = await journalDir(lines(rate(1, 1)));
    const { journal } = await openJournal(dir, { logger: captureLogger().logger });
    vi.spyOn(await fileHandlePrototype(path), 'datasync').mockRejectedValueOnce(eioError());
    await expect(journal.append([rate(2, 2)])).rejects.toBeInstanceOf(JournalWriteError);
    await journal.append([rate(3, 3)]);
    expect(await journal.acknowledgedEvents()).toEqual([rate(1, 1), rate(3, 3)]);
    await journal.close();
  });
});

describe('readJournal', () => {
  it('given a torn last line, when read beside a live writer, then the intact events come back and not one byte is changed', async () => {
    const intact = lines(rate(1, 1), remove(1, 1, 1_700_000_001));
    const torn = encodeRatingEvent(rate(1, 3)).slice(0, 25);
    const { dir, path } = await journalDir(intact + torn);
    const replay = await readJournal(dir);
    expect(replay.events).toEqual([rate(1, 1), remove(1, 1, 1_700_000_001)]);
    expect(replay.truncatedBytes).toBe(25);
    expect(await readFile(path, 'latin1')).toBe(intact + torn);
  });

  it('given a directory without a journal, when read, then there are no events and nothing is created', async () => {
    const dir = await tempDir();
    expect((await readJournal(dir)).events).toEqual([]);
    await expect(stat(join(dir, JOURNAL_FILE_NAME))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
