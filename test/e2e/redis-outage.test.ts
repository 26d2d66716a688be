/**
 * Redis lost under mixed load, end to end: serve.ts on a redis-server of the test's own,
 * readers and a writer hammering it, Redis killed (it keeps nothing on disk, so it comes
 * back empty) and started again. Queries never fail, ratings keep being accepted into the
 * journal, /readyz says degraded meanwhile, and afterwards the service is ready again with
 * no manual step, every rating it accepted is served, and the rating stream other replicas
 * read holds every one of them again (the server publishes its journal anew when it finds
 * the stream lost).
 */
import { rm } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRatingEvent } from '../../src/store/rating-event.ts';
import { freePort, OwnRedis } from '../support/own-redis.ts';
import {
  FIXTURE_DIR,
  gql,
  gqlData,
  killStartedChildren,
  START_TIMEOUT_MS,
  startChild,
  tempDir,
} from './helpers.ts';

const PREFIX = 'outage';
const WRITER = 7700;

let own: OwnRedis;
let redisDir: string;
let dataDir: string;

beforeAll(async () => {
  redisDir = await tempDir('movie-recs-outage-redis-');
  dataDir = await tempDir();
  own = new OwnRedis(await freePort(), redisDir);
  await own.start();
});

afterAll(async () => {
  await killStartedChildren();
  own?.kill();
  await rm(redisDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

const READS = [
  '{ recommendations(userId: 3, first: 5) { score movie { title } } }',
  '{ similarMovies(movieId: 1, first: 5) { similarity movie { title } } }',
  '{ user(id: 4) { similarUsers(first: 5) { similarity } recommendations(first: 3) { score } } }',
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readiness(origin: string): Promise<{ status: string; reason?: string }> {
  return (await fetch(`${origin}/readyz`)).json() as Promise<{ status: string; reason?: string }>;
}

describe('Redis killed under mixed load', () => {
  it(
    'given readers and a writer, when Redis dies and comes back empty, then no query fails, every rating is accepted, /readyz goes degraded and back to ready by itself, and the new stream holds every rating ever accepted',
    async () => {
      const server = await startChild({
        DATASET: FIXTURE_DIR,
        DATA_DIR: dataDir,
        REDIS_URL: `redis://127.0.0.1:${own.port}`,
        REDIS_PREFIX: PREFIX,
      });
      const movieIds = (
        await gqlData<{ movies: { edges: Array<{ node: { id: string } }> } }>(
          server.url,
          '{ movies(first: 40) { edges { node { id } } } }',
        )
      ).movies.edges.map((e) => e.node.id);

      let stop = false;
      const failures: string[] = [];
      let reads = 0;
      const reader = async (k: number) => {
        for (let n = 0; !stop; n++) {
          const result = await gql(server.url, READS[(n + k) % READS.length]);
          if (result.errors !== undefined || result.status !== 200) failures.push(result.text);
          reads++;
        }
      };
      const accepted: string[] = [];
      const writer = async () => {
        for (let n = 0; !stop; n++) {
          const movieId = movieIds[n % movieIds.length];
          const rating = 0.5 + (n % 10) * 0.5;
          const result = await gql(
            server.url,
            'mutation($u: ID!, $m: ID!, $r: Float!) { rateMovie(input: { userId: $u, movieId: $m, rating: $r }) { rating { value } } }',
            { u: String(WRITER + Math.floor(n / movieIds.length)), m: movieId, r: rating },
          );
          if (result.errors !== undefined) failures.push(result.text);
          else accepted.push(`${WRITER + Math.floor(n / movieIds.length)}:${movieId}:${rating}`);
          await sleep(5);
        }
      };
      const load = Promise.all([reader(0), reader(1), reader(2), writer()]);

      await sleep(700);
      const beforeOutage = accepted.length;
      own.kill();
      let degraded: { status: string; reason?: string } | null = null;
      for (let t = 0; t < 40 && degraded === null; t++) {
        const r = await readiness(server.origin);
        if (r.status === 'degraded') degraded = r;
        else await sleep(50);
      }
      await sleep(1500);
      const duringOutage = accepted.length - beforeOutage;
      await own.start();
      let ready = false;
      for (let t = 0; t < 100 && !ready; t++) {
        ready = (await readiness(server.origin)).status === 'ready';
        if (!ready) await sleep(100);
      }
      await sleep(500);
      stop = true;
      await load;

      expect(failures).toEqual([]);
      expect(reads).toBeGreaterThan(50);
      expect(duringOutage).toBeGreaterThan(5);
      expect(degraded?.reason).toMatch(
        /^redis (is (reconnecting|connecting|close|end)|lags behind the local lists)/,
      );
      expect(ready).toBe(true);

      // every accepted rating is served...
      const latest = new Map<string, number>();
      for (const a of accepted) {
        const [u, m, r] = a.split(':');
        latest.set(`${u}:${m}`, Number(r));
      }
      for (const userId of new Set([...latest.keys()].map((k) => k.split(':')[0]))) {
        const user = (
          await gqlData<{
            user: { ratings: { edges: Array<{ node: { value: number; movie: { id: string } } }> } };
          }>(
            server.url,
            `{ user(id: ${userId}) { ratings(first: 100) { edges { node { value movie { id } } } } } }`,
          )
        ).user;
        const served = new Map(
          user.ratings.edges.map((e) => [`${userId}:${e.node.movie.id}`, e.node.value]),
        );
        for (const [key, value] of latest)
          if (key.startsWith(`${userId}:`)) expect(served.get(key)).toBe(value);
      }
      // ...and every one, before the outage too, is in the new Redis's stream, where other
      // replicas learn them: the server saw the stream was lost and published its journal
      expect(server.logs.some((r) => r.msg.startsWith('redis lost the rating stream'))).toBe(true);
      const redis = new Redis(own.port, '127.0.0.1');
      const entries = await redis.xrange(`${PREFIX}:ratings:v1`, '-', '+');
      redis.disconnect();
      const streamed = new Set(
        entries.map(([, fields]) => {
          const decoded = decodeRatingEvent(fields[fields.indexOf('e') + 1]);
          if (!decoded.ok) throw new Error(decoded.problem);
          const e = decoded.event;
          return `${e.userId}:${e.movieId}:${e.kind === 'rate' ? e.rating : 'x'}`;
        }),
      );
      const missing = accepted.filter((a) => !streamed.has(a));
      expect(missing).toEqual([]);
    },
    2 * START_TIMEOUT_MS,
  );
});
