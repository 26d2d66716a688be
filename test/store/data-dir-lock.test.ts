import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, LOCK_FILE_NAME } from '../../src/store/data-dir-lock.ts';
import { DataDirLockedError } from '../../src/store/data-dir-locked-error.ts';
import { JOURNAL_FILE_NAME, openJournal } from '../../src/store/file-journal.ts';
import { captureLogger, useTempDirs } from './helpers.ts';

const tempDir = useTempDirs();
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A process that runs until the test ends. */
function liveProcess(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], {
    stdio: 'ignore',
  });
  children.push(child);
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child.pid;
}

/** The pid of a process that has exited and been reaped. */
async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid;
  await new Promise((resolve) => child.once('exit', resolve));
  if (pid === undefined) throw new Error('could not start a child process');
  return pid;
}

const holderText = (pid: number, host = hostname(), startedAt = '2026-12-01T10:00:00.000Z') =>
  `${JSON.stringify({ pid, hostname: host, startedAt })}\n`;

async function lockedDir(content: string): Promise<{ dir: string; path: string }> {
  const dir = await tempDir();
  const path = join(dir, LOCK_FILE_NAME);
  await writeFile(path, content);
  return { dir, path };
}

async function refusal(dir: string): Promise<DataDirLockedError> {
  const error = await acquireDataDirLock(dir).then(
    (lock) => lock.release().then(() => new Error('the lock was granted')),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataDirLockedError);
  return error as DataDirLockedError;
}

describe('acquireDataDirLock', () => {
  it('given a free directory, when acquiring, then ratings.lock holds this pid, host and start time', async () => {
    const dir = await tempDir();
    const before = Date.now();
    const lock = await acquireDataDirLock(dir);

    const written = JSON.parse(await readFile(join(dir, LOCK_FILE_NAME), 'utf8'));
    expect(written).toEqual({
      pid: process.pid,
      hostname: hostname(),
      startedAt: expect.any(String),
    });
    expect(written).toEqual(lock.holder);
    expect(new Date(written.startedAt).toISOString()).toBe(written.startedAt);
    expect(Date.parse(written.startedAt)).toBeGreaterThanOrEqual(before - 1);
    expect(lock.path).toBe(join(dir, LOCK_FILE_NAME));
    await lock.release();
  });

  it('given a held lock, when releasing, then the file is gone and the directory can be locked again', async () => {
    const dir = await tempDir();
    const lock = await acquireDataDirLock(dir);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);

    const again = await acquireDataDirLock(dir);
    await again.release();
  });

  it('given a released lock, when releasing again, then resolves and leaves the next holder its lock', async () => {
    const dir = await tempDir();
    const first = await acquireDataDirLock(dir);
    await first.release();
    const second = await acquireDataDirLock(dir);

    await expect(first.release()).resolves.toBeUndefined();

    expect(JSON.parse(await readFile(second.path, 'utf8'))).toEqual(second.holder);
    await second.release();
  });

  it('given a lock held by another live process on this host, when acquiring, then refuses naming the directory and the holder, and leaves the file alone', async () => {
    const pid = liveProcess();
    const content = holderText(pid);
    const { dir, path } = await lockedDir(content);

    const error = await refusal(dir);

    expect(error).toMatchObject({
      code: 'DATA_DIR_LOCKED',
      dir,
      lockFile: path,
      conflict: { kind: 'other-process', holder: { pid, hostname: hostname() } },
    });
    expect(error.message).toBe(
      `DATA_DIR ${dir} is in use by process ${pid} on host ${hostname()} (since 2026-12-01T10:00:00.000Z); stop it, or remove ${path} if that process is gone`,
    );
    expect(await readFile(path, 'utf8')).toBe(content);
  });

  it('given a lock this process holds, when acquiring again, then refuses naming this process', async () => {
    const dir = await tempDir();
    const lock = await acquireDataDirLock(dir);

    const error = await refusal(dir);

    expect(error.conflict).toEqual({ kind: 'this-process', holder: lock.holder });
    expect(error.message).toMatch(
      new RegExp(`^DATA_DIR ${dir} is already in use by this process \\(${process.pid}, since `),
    );
    await lock.release();
  });

  it('given a lock this process holds, when acquiring through a symlink to the directory, then refuses', async () => {
    const dir = await tempDir();
    const alias = join(await tempDir(), 'alias');
    await symlink(dir, alias);
    const lock = await acquireDataDirLock(dir);

    expect((await refusal(alias)).conflict.kind).toBe('this-process');
    await lock.release();
  });

  it('given two acquires at once in this process, when both settle, then exactly one holds the lock', async () => {
    const dir = await tempDir();

    const results = await Promise.allSettled([acquireDataDirLock(dir), acquireDataDirLock(dir)]);

    const granted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(granted).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.reason).toBeInstanceOf(DataDirLockedError);
    await granted[0]?.value.release();
  });

  it('given a lock left by a process of this host that has exited, when acquiring, then takes it over', async () => {
    const { dir, path } = await lockedDir(holderText(await exitedPid()));

    const lock = await acquireDataDirLock(dir);

    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(lock.holder);
    expect((await readdir(dir)).sort()).toEqual([LOCK_FILE_NAME]);
    await lock.release();
  });

  it('given a lock with our own pid that no lock of this process holds (a container restarted as the same pid), when acquiring, then takes it over', async () => {
    const { dir, path } = await lockedDir(holderText(process.pid));

    const lock = await acquireDataDirLock(dir);

    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(lock.holder);
    expect(lock.holder.startedAt).not.toBe('2026-12-01T10:00:00.000Z');
    await lock.release();
  });

  it('given a lock of an exited pid on another host, when acquiring, then refuses: that host is out of reach', async () => {
    const pid = await exitedPid();
    const { dir, path } = await lockedDir(holderText(pid, `not-${hostname()}`));

    const error = await refusal(dir);

    expect(error.conflict).toEqual({
      kind: 'other-process',
      holder: { pid, hostname: `not-${hostname()}`, startedAt: '2026-12-01T10:00:00.000Z' },
    });
    expect(await readFile(path, 'utf8')).toBe(holderText(pid, `not-${hostname()}`));
  });

  it.each([
    ['not JSON', 'garbage\n', /expected JSON with pid, hostname and startedAt, found "garbage\\n"/],
    ['empty', '', /it is empty: a process is writing it right now, or died while doing so/],
    ['pid 0', holderText(0), /expected a positive integer pid/],
    ['pid as a string', '{"pid":"12","hostname":"h","startedAt":"x"}', /positive integer pid/],
    ['no hostname', '{"pid":12,"startedAt":"x"}', /a hostname/],
    ['JSON null', 'null', /expected a positive integer pid/],
  ])(
    'given a lock file that is %s, when acquiring, then refuses saying it cannot be read and how to remove it, and leaves it alone',
    async (_name, content, problem) => {
      const { dir, path } = await lockedDir(content);

      const error = await refusal(dir);

      expect(error.conflict.kind).toBe('unreadable');
      expect(error.message).toMatch(problem);
      expect(error.message).toMatch(
        new RegExp(
          `^DATA_DIR ${dir} is locked by ${path}, which cannot be read \\(.+\\); if no process is using ${dir}, remove ${path}$`,
        ),
      );
      expect(await readFile(path, 'utf8')).toBe(content);
    },
  );

  it('given a lock file removed by hand and taken by another process, when the first holder releases, then the other keeps its lock', async () => {
    const dir = await tempDir();
    const lock = await acquireDataDirLock(dir);
    await rm(lock.path);
    const other = holderText(liveProcess());
    await writeFile(lock.path, other);

    await lock.release();

    expect(await readFile(lock.path, 'utf8')).toBe(other);
  });
});

describe('openJournal and the data directory lock', () => {
  it('given an open journal, when the directory is opened again, then refuses with DataDirLockedError', async () => {
    const dir = await tempDir();
    const { journal } = await openJournal(dir, { logger: captureLogger().logger });

    await expect(openJournal(dir, { logger: captureLogger().logger })).rejects.toMatchObject({
      code: 'DATA_DIR_LOCKED',
    });
    await journal.close();
  });

  it('given a journal that was closed, when reopened, then opens and the lock is gone after closing again', async () => {
    const dir = await tempDir();
    await (await openJournal(dir, { logger: captureLogger().logger })).journal.close();
    expect(await readdir(dir)).toEqual([JOURNAL_FILE_NAME]);

    const { journal } = await openJournal(dir, { logger: captureLogger().logger });
    expect((await readdir(dir)).sort()).toEqual([JOURNAL_FILE_NAME, LOCK_FILE_NAME].sort());
    await journal.close();
    expect(await readdir(dir)).toEqual([JOURNAL_FILE_NAME]);
  });

  it('given a corrupt journal, when opening fails, then the lock is released', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, JOURNAL_FILE_NAME), 'garbage\ngarbage\n');

    await expect(openJournal(dir, { logger: captureLogger().logger })).rejects.toMatchObject({
      code: 'JOURNAL_CORRUPT',
    });

    expect(await readdir(dir)).toEqual([JOURNAL_FILE_NAME]);
  });

  it('given a lock held by another live process, when opening, then refuses without creating the journal', async () => {
    const { dir } = await lockedDir(holderText(liveProcess()));

    await expect(openJournal(dir, { logger: captureLogger().logger })).rejects.toBeInstanceOf(
      DataDirLockedError,
    );

    expect(await readdir(dir)).toEqual([LOCK_FILE_NAME]);
  });
});
