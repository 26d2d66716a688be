/**
 * serve.ts on a real Redis Cluster (three masters with a replica each, started by the
 * test): replicas share lists and the rating stream through it, and a master failing over
 * to its replica under load loses no acknowledged rating.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnCluster } from '../support/redis-cluster.ts';
import {
  FIXTURE_DIR,
  gql,
  gqlData,
  killStartedChildren,
  type ReadyChild,
  START_TIMEOUT_MS,
  startChild,
  tempDir,
} from './helpers.ts';

let cluster: OwnCluster;
const dirs: string[] = [];
const PREFIX = `cl-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  cluster = await OwnCluster.start();
}, 60_000);

afterAll(async () => {
  await killStartedChildren();
  await cluster?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function replica(): Promise<ReadyChild> {
  const dir = await tempDir();
  dirs.push(dir);
  return startChild({
    DATASET: FIXTURE_DIR,
    DATA_DIR: dir,
    REDIS_CLUSTER_NODES: cluster.env,
    REDIS_PREFIX: PREFIX,
  });
}

const RATE =
  'mutation($u: ID!, $m: ID!, $r: Float!) { rateMovie(input: { userId: $u, movieId: $m, rating: $r }) { rating { value } } }';

async function ratingsOf(url: string, userId: number): Promise<Map<string, number>> {
  const data = await gqlData<{
    user: { ratings: { edges: Array<{ node: { value: number; movie: { id: string } } }> } } | null;
  }>(
    url,
    `{ user(id: ${userId}) { ratings(first: 100) { edges { node { value movie { id } } } } } }`,
  );
  return new Map(data.user?.ratings.edges.map((e) => [e.node.movie.id, e.node.value]));
}

describe('two replicas on a Redis Cluster', () => {
  let a: ReadyChild;
  let b: ReadyChild;

  it('given a cold start on the cluster, when a second replica starts, then it starts warm from the lists spread over every master', async () => {
    a = await replica();
    expect(a.logs.some((r) => String(r.msg).startsWith('cold start'))).toBe(true);
    b = await replica();
    expect(b.logs.some((r) => String(r.msg).startsWith('warm start'))).toBe(true);
    expect((await cluster.mastersHolding(`${PREFIX}:`)).length).toBe(3);
    const ready = (await (await fetch(`${b.origin}/readyz`)).json()) as { status: string };
    expect(ready.status).toBe('ready');
  });

  it('given a rating accepted by one replica, when the other is asked within a second, then it has it', async () => {
    await gqlData(a.url, RATE, { u: '9100', m: '1', r: 4.5 });
    const deadline = Date.now() + 1000;
    let seen = new Map<string, number>();
    while (Date.now() < deadline) {
      seen = await ratingsOf(b.url, 9100);
      if (seen.get('1') === 4.5) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen.get('1')).toBe(4.5);
  });

  it(
    'given a writer on one replica and readers on the other, when the master holding the rating stream is killed and its replica takes over, then no query fails, every acknowledged rating reaches the other replica and the stream',
    async () => {
      const movieIds = Array.from({ length: 40 }, (_, k) => String(k + 1));
      let stop = false;
      const failedReads: string[] = [];
      const acked: Array<[number, string, number]> = [];
      const writer = async () => {
        for (let n = 0; !stop; n++) {
          const u = 9200 + Math.floor(n / movieIds.length);
          const m = movieIds[n % movieIds.length];
          const r = 0.5 + (n % 10) * 0.5;
          const result = await gql(a.url, RATE, { u: String(u), m, r });
          if (result.errors === undefined) acked.push([u, m, r]);
          await new Promise((res) => setTimeout(res, 10));
        }
      };
      const reader = async () => {
        for (let n = 0; !stop; n++) {
          const result = await gql(
            b.url,
            `{ recommendations(userId: ${1 + (n % 20)}, first: 5) { score } similarMovies(movieId: ${1 + (n % 30)}, first: 5) { support } }`,
          );
          if (result.errors !== undefined || result.status !== 200) failedReads.push(result.text);
        }
      };
      const load = Promise.all([writer(), reader(), reader()]);
      await new Promise((r) => setTimeout(r, 500));
      const victim = await cluster.masterOf(`${PREFIX}:ratings:v1`);
      const beforeKill = acked.length;
      await cluster.kill(victim);
      await cluster.waitFailover(victim, `${PREFIX}:ratings:v1`);
      await new Promise((r) => setTimeout(r, 1500));
      stop = true;
      await load;
      expect(acked.length).toBeGreaterThan(beforeKill);
      expect(failedReads).toEqual([]);

      // every acknowledged rating reaches the other replica (through the stream), even
      // those the old master took but had not yet passed to its replica
      const latest = new Map<string, number>();
      for (const [u, m, r] of acked) latest.set(`${u}:${m}`, r);
      const users = [...new Set(acked.map(([u]) => u))];
      const deadline = Date.now() + 15_000;
      let missing: string[] = [];
      do {
        missing = [];
        for (const u of users) {
          const seen = await ratingsOf(b.url, u);
          for (const [key, r] of latest) {
            const [ku, m] = key.split(':');
            if (Number(ku) === u && seen.get(m) !== r) missing.push(key);
          }
        }
        if (missing.length > 0) await new Promise((r) => setTimeout(r, 250));
      } while (missing.length > 0 && Date.now() < deadline);
      // on failure, the replicas' warnings say what Redis did to them
      const warnings = [...a.logs, ...b.logs].filter((r) => r.level >= 40).map((r) => r.msg);
      expect(missing, warnings.join('\n')).toEqual([]);

      const client = new Cluster(cluster.seeds);
      try {
        const entries = await client.xlen(`${PREFIX}:ratings:v1`);
        expect(entries).toBeGreaterThanOrEqual(acked.length);
      } finally {
        client.disconnect();
      }
    },
    2 * START_TIMEOUT_MS,
  );
});

describe('the write allowance on a cluster', () => {
  it('given RATE_LIMIT=2/60 on two replicas, when one client writes three times across them, then the third is RATE_LIMITED: the count lives in the cluster', async () => {
    const env = (dir: string) => ({
      DATASET: FIXTURE_DIR,
      DATA_DIR: dir,
      REDIS_CLUSTER_NODES: cluster.env,
      REDIS_PREFIX: `${PREFIX}-rl`,
      RATE_LIMIT: '2/60',
    });
    const [d1, d2] = [await tempDir(), await tempDir()];
    dirs.push(d1, d2);
    const one = await startChild(env(d1));
    const two = await startChild(env(d2));
    expect((await gql(one.url, RATE, { u: '9300', m: '1', r: 3 })).errors).toBeUndefined();
    expect((await gql(two.url, RATE, { u: '9300', m: '2', r: 3 })).errors).toBeUndefined();
    const third = await gql(one.url, RATE, { u: '9300', m: '3', r: 3 });
    expect(third.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
  });
});
