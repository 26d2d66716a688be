/**
 * When the journal cannot be written, a rating is refused with RATING_NOT_SAVED, never
 * acknowledged, and never applied; reads go on, /readyz says why, and what was accepted
 * before is intact. Two ways to lose the disk: it fills up under the running server
 * (a file-size cap, which fails writes the way a full disk does), or DATA_DIR is
 * read-only from the start.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { JOURNAL_FILE_NAME } from '../../src/store/file-journal.ts';
import { encodeRatingEvent, type RatingEvent } from '../../src/store/rating-event.ts';
import {
  childrenForFile,
  FIXTURE_DIR,
  gql,
  gqlData,
  START_TIMEOUT_MS,
  startChild,
  tempDir,
} from './helpers.ts';

const run = promisify(execFile);
const dirs = childrenForFile();

const RATE = `mutation($userId: ID!, $movieId: ID!, $rating: Float!) {
  rateMovie(input: { userId: $userId, movieId: $movieId, rating: $rating }) { rating { value } }
}`;

/** `count` journal lines of user 8000 + k rating movie 1, as a previous run left them. */
function journalOf(count: number): string {
  let text = '';
  for (let k = 0; k < count; k++) {
    const event: RatingEvent = {
      kind: 'rate',
      userId: 8000 + k,
      movieId: 1,
      rating: 4,
      timestamp: 1_700_000_000 + k,
    };
    text += `${encodeRatingEvent(event)}\n`;
  }
  return text;
}

const ratingCount = async (url: string, userId: number) =>
  (
    await gqlData<{ user: { ratingCount: number } | null }>(
      url,
      `{ user(id: ${userId}) { ratingCount } }`,
    )
  ).user?.ratingCount ?? 0;

describe('a disk that fills up while the server runs', () => {
  it(
    'given the journal a few lines short of the size cap, when ratings keep coming, then the first ones are acknowledged, the rest get RATING_NOT_SAVED and are not applied, and a restart has exactly the acknowledged ones',
    async () => {
      const dir = await tempDir();
      dirs.push(dir);
      const capKb = 64;
      // just under the cap: room for a handful of ~70-byte lines
      let lines = 0;
      while (journalOf(lines + 1).length < capKb * 1024 - 350) lines++;
      await writeFile(join(dir, JOURNAL_FILE_NAME), journalOf(lines));
      const env = { DATASET: FIXTURE_DIR, DATA_DIR: dir };
      const server = await startChild(env, { fileSizeKb: capKb });

      const acked: number[] = [];
      const refused: Array<{ movieId: number; message: string; code: unknown }> = [];
      for (let movieId = 1; movieId <= 20; movieId++) {
        const result = await gql(server.url, RATE, {
          userId: '7500',
          movieId: String(movieId),
          rating: 3,
        });
        if (result.errors === undefined) acked.push(movieId);
        else {
          refused.push({
            movieId,
            message: result.errors[0].message,
            code: result.errors[0].extensions?.code,
          });
        }
      }
      expect(acked.length).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);
      // once full, it stays full: nothing after the first refusal got through
      expect(Math.max(...acked)).toBeLessThan(Math.min(...refused.map((r) => r.movieId)));
      for (const r of refused) {
        expect(r.code).toBe('RATING_NOT_SAVED');
        expect(r.message).toBe(
          'the rating was not saved: the rating journal cannot be written (EFBIG: the file is at its size limit); nothing changed, retry later',
        );
      }
      // not applied: the model holds the acknowledged ratings only
      expect(await ratingCount(server.url, 7500)).toBe(acked.length);
      // reads go on; readiness names the problem
      expect(await ratingCount(server.url, 8000)).toBe(1);
      const ready = await fetch(`${server.origin}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({
        status: 'degraded',
        reason: 'the rating journal could not be written (EFBIG)',
      });
      // no torn bytes were left: the file is whole lines, one per acknowledged rating
      const text = await readFile(join(dir, JOURNAL_FILE_NAME), 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      expect(text.split('\n')).toHaveLength(lines + acked.length + 1);

      server.process.kill('SIGTERM');
      await server.exited;
      const again = await startChild(env);
      expect(await ratingCount(again.url, 7500)).toBe(acked.length);
      expect(again.logs.some((r) => /torn/.test(r.msg))).toBe(false);
    },
    2 * START_TIMEOUT_MS,
  );
});

/**
 * A directory no write can reach: a read-only tmpfs mount when running as root (root
 * ignores permission bits), else a directory without write permission.
 */
async function readOnlyDir(
  journal: string,
): Promise<{ dir: string; release: () => Promise<void> }> {
  const dir = await tempDir();
  dirs.push(dir);
  if (process.getuid?.() !== 0) {
    await writeFile(join(dir, JOURNAL_FILE_NAME), journal);
    await chmod(join(dir, JOURNAL_FILE_NAME), 0o444);
    await chmod(dir, 0o555);
    return { dir, release: () => chmod(dir, 0o755) };
  }
  const mnt = join(dir, 'ro');
  await mkdir(mnt);
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
  } catch (error) {
    throw new Error(
      `this test makes a read-only directory with a tmpfs mount, which needs root with mount rights (or run the tests as a non-root user): ${(error as Error).message}`,
    );
  }
  await writeFile(join(mnt, JOURNAL_FILE_NAME), journal);
  await run('mount', ['-o', 'remount,ro', mnt]);
  return { dir: mnt, release: async () => void (await run('umount', [mnt])) };
}

describe('a read-only data directory', () => {
  it(
    'given DATA_DIR read-only with a journal in it, when the server starts, then it replays the journal, serves reads, refuses ratings with RATING_NOT_SAVED and reports degraded',
    async () => {
      const { dir, release } = await readOnlyDir(journalOf(3));
      try {
        const server = await startChild({ DATASET: FIXTURE_DIR, DATA_DIR: dir });
        expect(server.logs.some((r) => r.msg.startsWith('rating journal is read-only'))).toBe(true);
        expect(await ratingCount(server.url, 8002)).toBe(1);
        const result = await gql(server.url, RATE, { userId: '7600', movieId: '1', rating: 3 });
        expect(result.errors?.[0].extensions?.code).toBe('RATING_NOT_SAVED');
        expect(result.errors?.[0].message).toMatch(
          /^the rating was not saved: the rating journal cannot be written \((EROFS: the file system is read-only|EACCES: permission denied)\); nothing changed, retry later$/,
        );
        expect(await ratingCount(server.url, 7600)).toBe(0);
        const ready = (await (await fetch(`${server.origin}/readyz`)).json()) as {
          status: string;
          reason: string;
        };
        expect(ready.status).toBe('degraded');
        expect(ready.reason).toMatch(/^the rating journal cannot be written \((EROFS|EACCES)\)$/);
        server.process.kill('SIGKILL');
        await server.exited;
      } finally {
        await release();
      }
    },
    START_TIMEOUT_MS,
  );
});
