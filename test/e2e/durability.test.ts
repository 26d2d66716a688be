/**
 * Durability of the real process (serve.ts in a child): what was acknowledged survives a
 * SIGKILL, and a torn journal tail left by one does not stop the next start.
 */
import { appendFile, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import { JOURNAL_FILE_NAME } from '../../src/store/file-journal.ts';
import { encodeRatingEvent, type RatingEvent } from '../../src/store/rating-event.ts';
import {
  FIXTURE_DIR,
  gql,
  gqlData,
  killStartedChildren,
  START_TIMEOUT_MS,
  startChild,
  tempDir,
  WARN,
} from './helpers.ts';

const dirs: string[] = [];

afterEach(async () => {
  await killStartedChildren();
});

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return dir;
}

interface Acked {
  readonly userId: number;
  readonly movieId: number;
  readonly value: number;
}

interface UserRatings {
  ratingCount: number;
  ratings: { edges: Array<{ node: { value: number; movie: { id: string } } }> };
}

/** Every listed user's ratings, in one query (aliases u<id>). */
async function ratingsOf(url: string, userIds: ReadonlyArray<number>) {
  const fields = userIds.map(
    (id) =>
      `u${id}: user(id: ${id}) { ratingCount ratings(first: 100) { edges { node { value movie { id } } } } }`,
  );
  return gqlData<Record<string, UserRatings | null>>(url, `{ ${fields.join('\n')} }`);
}

const RATE = `mutation($userId: ID!, $movieId: ID!, $rating: Float!) {
  rateMovie(input: { userId: $userId, movieId: $movieId, rating: $rating }) { rating { value } }
}`;

describe('SIGKILL while mutations stream in', () => {
  it(
    'given four clients rating in a loop, when the process is SIGKILLed and restarted on the same DATA_DIR, then every acknowledged rating is there',
    async () => {
      const dir = await dataDir();
      const movieIds = [...(await loadDataset(FIXTURE_DIR)).movies.keys()];
      const first = await startChild({ DATASET: FIXTURE_DIR, DATA_DIR: dir });

      const acked: Acked[] = [];
      let killed = false;
      // Each client rates every movie once as one user, then moves to the next user, so no
      // (user, movie) pair is ever rated twice and each user has at most one request in flight.
      const client = async (c: number) => {
        for (let seq = 0; !killed; seq++) {
          const userId = 5000 + c * 1000 + Math.floor(seq / movieIds.length);
          const movieId = movieIds[seq % movieIds.length];
          const value = 0.5 + ((seq * 7 + c) % 10) * 0.5;
          try {
            const result = await gql(first.url, RATE, {
              userId: String(userId),
              movieId: String(movieId),
              rating: value,
            });
            if (result.errors === undefined) acked.push({ userId, movieId, value });
            else throw new Error(`rejected: ${result.text}`);
          } catch (error) {
            if (killed) return;
            throw error;
          }
        }
      };
      const clients = [0, 1, 2, 3].map(client);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      killed = true;
      first.process.kill('SIGKILL');
      expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
      await Promise.all(clients);
      expect(acked.length).toBeGreaterThan(20);

      const second = await startChild({ DATASET: FIXTURE_DIR, DATA_DIR: dir });
      const replayed = second.logs.find((r) => r.msg.startsWith('data loaded'));
      expect(Number(replayed?.journalEvents)).toBeGreaterThanOrEqual(acked.length);
      const byUser = new Map<number, Acked[]>();
      for (const a of acked) byUser.set(a.userId, [...(byUser.get(a.userId) ?? []), a]);
      const data = await ratingsOf(second.url, [...byUser.keys()]);
      for (const [userId, mine] of byUser) {
        const user = data[`u${userId}`];
        const seen = new Map(
          user?.ratings.edges.map((e) => [Number(e.node.movie.id), e.node.value]),
        );
        expect(mine.filter((a) => seen.get(a.movieId) !== a.value)).toEqual([]);
        // at most the one request in flight at the kill was durable without an answer
        expect(user?.ratingCount).toBeGreaterThanOrEqual(mine.length);
        expect(user?.ratingCount).toBeLessThanOrEqual(mine.length + 1);
      }
    },
    START_TIMEOUT_MS,
  );
});

describe('a torn last journal line', () => {
  it(
    'given a journal ending in half a line, when starting, then the server is ready, warns about the cut and serves every complete event',
    async () => {
      const dir = await dataDir();
      const path = join(dir, JOURNAL_FILE_NAME);
      const events: RatingEvent[] = [
        { kind: 'rate', userId: 7001, movieId: 1, rating: 4.5, timestamp: 1_700_000_000 },
        { kind: 'rate', userId: 7001, movieId: 2, rating: 2, timestamp: 1_700_000_001.5 },
        { kind: 'rate', userId: 7002, movieId: 901, rating: 5, timestamp: 1_700_000_002 },
        { kind: 'remove', userId: 7001, movieId: 2, timestamp: 1_700_000_003 },
      ];
      const complete = events.map((e) => `${encodeRatingEvent(e)}\n`).join('');
      await writeFile(path, complete);
      const torn = encodeRatingEvent({
        kind: 'rate',
        userId: 7002,
        movieId: 902,
        rating: 1,
        timestamp: 1_700_000_004,
      });
      await appendFile(path, torn.slice(0, Math.floor(torn.length / 2)));

      const child = await startChild({ DATASET: FIXTURE_DIR, DATA_DIR: dir });

      const warning = child.logs.find((r) => r.level === WARN);
      expect(warning?.msg).toMatch(/torn last line/);
      expect(warning?.truncatedBytes).toBe(Math.floor(torn.length / 2));
      expect((await fetch(`${child.origin}/readyz`)).status).toBe(200);
      const data = await ratingsOf(child.url, [7001, 7002]);
      const pairs = (id: number) =>
        data[`u${id}`]?.ratings.edges.map((e) => [Number(e.node.movie.id), e.node.value]);
      expect(pairs(7001)).toEqual([[1, 4.5]]);
      expect(pairs(7002)).toEqual([[901, 5]]);
      // the tail was cut off the file, so the next append starts on a fresh line
      expect((await stat(path)).size).toBe(Buffer.byteLength(complete));
      await gqlData(child.url, RATE, { userId: '7002', movieId: '902', rating: 3 });
      const lines = (await readFile(path, 'utf8')).split('\n');
      expect(lines).toHaveLength(events.length + 2);
      expect(lines[events.length]).toContain('"u":7002,"m":902,"r":3');
    },
    START_TIMEOUT_MS,
  );
});
