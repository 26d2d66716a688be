/**
 * SERVE_PROCESSES=2: a primary that owns the journal, and two workers that answer on one
 * port. Every acknowledged rating reaches every worker, lands in the journal once, and
 * survives a worker's crash and a restart.
 */

import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  childrenForFile,
  FIXTURE_DIR,
  gqlData,
  type ReadyChild,
  startChild,
  tempDir,
} from './helpers.ts';

const dirs = childrenForFile();

const RATE =
  'mutation Rate($input: RateMovieInput!) { rateMovie(input: $input) { rating { value } } }';
const RATINGS =
  'query Ratings($id: ID!) { user(id: $id) { ratings(first: 100) { edges { node { movie { id } value } } } } }';

/** One request on a connection of its own: the cluster deals each to either worker. */
function freshConnection(url: string, query: string, variables: object): Promise<unknown> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new Error(`HTTP ${res.statusCode}: ${text}`));
          }
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.end(body);
  });
}

type RatingsAnswer = {
  data: { user: { ratings: { edges: Array<{ node: { movie: { id: string }; value: number } }> } } };
};

/** user -> movie -> value, as one answer shows it. */
async function served(url: string, users: string[]): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  for (const id of users) {
    const answer = (await freshConnection(url, RATINGS, { id })) as RatingsAnswer;
    out.set(
      id,
      new Map(answer.data.user.ratings.edges.map((e) => [e.node.movie.id, e.node.value])),
    );
  }
  return out;
}

/** Polls, over fresh connections, until `want` is served by every answer of 8 in a row. */
async function expectEveryWorkerServes(
  server: ReadyChild,
  want: ReadonlyMap<string, number>,
): Promise<void> {
  const users = [...new Set([...want.keys()].map((k) => k.split(':')[0]))];
  const missing = async () => {
    for (let k = 0; k < 8; k++) {
      const got = await served(server.url, users);
      for (const [key, value] of want) {
        const [user, movie] = key.split(':');
        if (got.get(user)?.get(movie) !== value) return `${key}: ${got.get(user)?.get(movie)}`;
      }
    }
    return null;
  };
  let problem = await missing();
  for (let k = 0; k < 40 && problem !== null; k++) {
    await new Promise((r) => setTimeout(r, 50));
    problem = await missing();
  }
  expect(problem).toBeNull();
}

/**
 * The workers' "worker ready" lines: the primary says "ready" after both sent theirs, but
 * each process writes its own log, so a line may come after the primary's.
 */
async function workersReady(server: ReadyChild) {
  const ready = (r: { msg: string }) => r.msg.startsWith('worker ready');
  await server.waitForLog(() => server.logs.filter(ready).length >= 2);
  return server.logs.filter(ready);
}

describe('several processes on one port', () => {
  it('given two workers, when ratings arrive over many connections, then every worker serves every acknowledged one, the journal holds each once, and a restart serves them', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const env = { DATASET: FIXTURE_DIR, DATA_DIR: dir, SERVE_PROCESSES: '2' };
    const server = await startChild(env);
    expect(await workersReady(server)).toHaveLength(2);
    const want = new Map<string, number>();
    await Promise.all(
      Array.from({ length: 24 }, async (_, k) => {
        const input = {
          userId: String(1 + (k % 4)),
          movieId: String(1 + k),
          rating: 0.5 + (k % 10) / 2,
        };
        const answer = (await freshConnection(server.url, RATE, { input })) as {
          data?: { rateMovie: unknown };
        };
        // movies the small data set lacks are refused (NOT_FOUND): only what was
        // acknowledged counts
        if (answer.data?.rateMovie) want.set(`${input.userId}:${input.movieId}`, input.rating);
      }),
    );
    // the workers pids that answered: both took part
    const pids = new Set(server.logs.filter((r) => r.msg === 'graphql request').map((r) => r.pid));
    expect(pids.size).toBe(2);
    await expectEveryWorkerServes(server, want);
    const lines = (await readFile(join(dir, 'ratings.journal'), 'utf8')).trim().split('\n');
    expect(want.size).toBeGreaterThan(12);
    expect(lines).toHaveLength(want.size);

    server.process.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    const again = await startChild({ ...env, SERVE_PROCESSES: '1' });
    await expectEveryWorkerServes(again, want);
  });

  it('given a worker killed, then the primary starts another that serves every acknowledged rating, including those accepted while it was down', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const server = await startChild({ DATASET: FIXTURE_DIR, DATA_DIR: dir, SERVE_PROCESSES: '2' });
    const want = new Map<string, number>();
    const rate = async (userId: string, movieId: string, rating: number) => {
      await gqlData(server.url, RATE, { input: { userId, movieId, rating } });
      want.set(`${userId}:${movieId}`, rating);
    };
    await rate('1', '1', 4.5);
    const workers = await workersReady(server);
    process.kill(Number(workers[0].pid), 'SIGKILL');
    // a connection dealt to the worker in the instant it dies is lost with it: the client
    // retries; from the primary's notice on, connections go to the living
    await server.waitForLog((r) => r.msg.startsWith('a worker exited'));
    await rate('2', '2', 1.5);
    await server.waitForLog(
      (r) =>
        r.msg.startsWith('worker ready') && r.pid !== workers[0].pid && r.pid !== workers[1].pid,
    );
    await rate('3', '3', 3);
    await expectEveryWorkerServes(server, want);
  });
});
