/**
 * Durability of the real process (serve.ts in a child): what was acknowledged survives a
 * SIGKILL, and a torn journal tail left by one does not stop the next start.
 */
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import { JOURNAL_FILE_NAME } from '../../src/store/file-journal.ts';
import { encodeRatingEvent, type RatingEvent } from '../../src/store/rating-event.ts';
import { redisUrl, type TestRedis, testRedis } from '../support/redis.ts';
import {
  childrenForFile,
  FIXTURE_DIR,
  gql,
  gqlData,
  START_TIMEOUT_MS,
  startChild,
  tempDir,
  WARN,
} from './helpers.ts';

const dirs = childrenForFile();

async function dataDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return dir;
}

interface Sent {
  readonly userId: number;
  readonly movieId: number;
  readonly value: number;
}

interface UserRatings {
  ratingCount: number;
  ratings: { edges: Array<{ node: { value: number; movie: { id: string } } }> };
}

/** A user's ratings as movie id -> value (one request per user: a query has limits). */
async function ratingsOf(url: string, userId: number): Promise<Map<number, number>> {
  const data = await gqlData<{ user: UserRatings | null }>(
    url,
    `{ user(id: ${userId}) { ratingCount ratings(first: 100) { edges { node { value movie { id } } } } } }`,
  );
  return new Map(data.user?.ratings.edges.map((e) => [Number(e.node.movie.id), e.node.value]));
}

const RATE = `mutation($userId: ID!, $movieId: ID!, $rating: Float!) {
  rateMovie(input: { userId: $userId, movieId: $movieId, rating: $rating }) { rating { value } }
}`;

const MUTATIONS = 2000;
const CLIENTS = 4;

describe.each([
  { mode: 'embedded', redis: false },
  { mode: 'Redis', redis: true },
])('SIGKILL during a stream of $0 mutations ($mode mode)', ({ redis }) => {
  let shared: TestRedis | null = null;
  afterAll(async () => {
    await shared?.cleanup();
  });

  it(
    `given ${CLIENTS} clients sending ${MUTATIONS} ratings, when the process is SIGKILLed half-way and restarted on the same DATA_DIR, then every acknowledged rating is there and every other one is absent or whole`,
    async () => {
      const dir = await dataDir();
      const env: Record<string, string> = { DATASET: FIXTURE_DIR, DATA_DIR: dir };
      if (redis) {
        shared = await testRedis();
        Object.assign(env, { REDIS_URL: redisUrl(), REDIS_PREFIX: shared.prefix });
      }
      const movieIds = [...(await loadDataset(FIXTURE_DIR)).movies.keys()];
      const first = await startChild(env);

      // Each client rates every movie once as one user, then moves to the next user, so no
      // (user, movie) pair is rated twice and each user has at most one request in flight.
      const acked: Sent[] = [];
      const unanswered: Sent[] = [];
      let killed = false;
      const client = async (c: number) => {
        for (let seq = 0; seq < MUTATIONS / CLIENTS && !killed; seq++) {
          const sent: Sent = {
            userId: 5000 + c * 1000 + Math.floor(seq / movieIds.length),
            movieId: movieIds[seq % movieIds.length],
            value: 0.5 + ((seq * 7 + c) % 10) * 0.5,
          };
          try {
            const result = await gql(first.url, RATE, {
              userId: String(sent.userId),
              movieId: String(sent.movieId),
              rating: sent.value,
            });
            if (result.errors !== undefined) throw new Error(`rejected: ${result.text}`);
            acked.push(sent);
          } catch (error) {
            if (!killed) throw error;
            unanswered.push(sent);
          }
          if (acked.length >= MUTATIONS / 2 && !killed) {
            killed = true;
            first.process.kill('SIGKILL');
          }
        }
      };
      await Promise.all([...Array(CLIENTS).keys()].map(client));
      expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(acked.length).toBeGreaterThanOrEqual(MUTATIONS / 2);

      const second = await startChild(env);
      const replayed = second.logs.find((r) => r.msg.startsWith('data loaded'));
      expect(Number(replayed?.journalEvents)).toBeGreaterThanOrEqual(acked.length);
      const users = new Set([...acked, ...unanswered].map((s) => s.userId));
      const stored = new Map<number, Map<number, number>>();
      for (const userId of users) stored.set(userId, await ratingsOf(second.url, userId));

      const lost = acked.filter((a) => stored.get(a.userId)?.get(a.movieId) !== a.value);
      expect(lost).toEqual([]);
      // a request in flight at the kill may have become durable without an answer, but
      // only whole: with the value sent, and nothing else appears
      const sentValue = new Map(
        [...acked, ...unanswered].map((s) => [`${s.userId}:${s.movieId}`, s.value]),
      );
      let extra = 0;
      for (const [userId, ratings] of stored) {
        for (const [movieId, value] of ratings) {
          expect(sentValue.get(`${userId}:${movieId}`)).toBe(value);
          if (!acked.some((a) => a.userId === userId && a.movieId === movieId)) extra++;
        }
      }
      expect(extra).toBeLessThanOrEqual(CLIENTS);
    },
    2 * START_TIMEOUT_MS,
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

      const warning = child.logs.find((r) => r.level === WARN && /torn/.test(r.msg));
      expect(warning?.msg).toMatch(/torn last line/);
      expect(warning?.truncatedBytes).toBe(Math.floor(torn.length / 2));
      expect((await fetch(`${child.origin}/readyz`)).status).toBe(200);
      expect([...(await ratingsOf(child.url, 7001))]).toEqual([[1, 4.5]]);
      expect([...(await ratingsOf(child.url, 7002))]).toEqual([[901, 5]]);
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
