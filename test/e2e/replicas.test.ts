import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl, type TestRedis, testRedis } from '../support/redis.ts';
import { FIXTURE_DIR, gqlData, killStartedChildren, startChild } from './helpers.ts';

interface UserRatings {
  user: {
    ratingCount: number;
    ratings: { edges: Array<{ node: { value: number; movie: { id: string } } }> };
  } | null;
}

const USER_RATINGS =
  'query($id: ID!) { user(id: $id) { ratingCount ratings(first: 5) { edges { node { value movie { id } } } } } }';

describe('two replicas on one Redis', () => {
  let r: TestRedis;
  const dirs: string[] = [];
  beforeAll(async () => {
    r = await testRedis();
  });
  afterEach(async () => {
    await killStartedChildren();
  });
  afterAll(async () => {
    await r?.cleanup();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  async function replica() {
    const dir = await mkdtemp(join(tmpdir(), 'movie-recs-replica-'));
    dirs.push(dir);
    return startChild({
      DATASET: FIXTURE_DIR,
      DATA_DIR: dir,
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: r.prefix,
    });
  }

  it("given a rating accepted by one replica, when the other is asked within one second, then it has the rating and the second replica reused the first one's lists", async () => {
    const a = await replica();
    const b = await replica();
    expect(b.logs.some((l) => String(l.msg).startsWith('warm start'))).toBe(true);
    const userId = `9${Math.floor(Math.random() * 1000)}`;
    await gqlData(
      a.url,
      'mutation($u: ID!) { rateMovie(input: {userId: $u, movieId: 1, rating: 4.5}) { rating { value } } }',
      {
        u: userId,
      },
    );
    const acknowledged = Date.now();
    let seen: UserRatings['user'] = null;
    while (Date.now() - acknowledged < 1000) {
      seen = (await gqlData<UserRatings>(b.url, USER_RATINGS, { id: userId })).user;
      if (seen?.ratingCount === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(seen?.ratings.edges[0].node).toEqual({ value: 4.5, movie: { id: '1' } });
  });

  it('given ratings of one pair accepted by both replicas, when both have applied the stream, then they agree on the later one', async () => {
    const a = await replica();
    const b = await replica();
    const userId = `8${Math.floor(Math.random() * 1000)}`;
    const rate = (url: string, rating: number) =>
      gqlData(
        url,
        'mutation($u: ID!, $r: Float!) { rateMovie(input: {userId: $u, movieId: 2, rating: $r}) { rating { value } } }',
        {
          u: userId,
          r: rating,
        },
      );
    await rate(a.url, 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await rate(b.url, 5);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const onA = (await gqlData<UserRatings>(a.url, USER_RATINGS, { id: userId })).user;
    const onB = (await gqlData<UserRatings>(b.url, USER_RATINGS, { id: userId })).user;
    expect(onA?.ratings.edges[0].node.value).toBe(5);
    expect(onB?.ratings.edges[0].node.value).toBe(5);
  });

  it('given three replicas, when each accepts ratings, then every rating is on all three within a second, and a replica started late catches up from the stream', async () => {
    const replicas = [await replica(), await replica(), await replica()];
    const base = 7000 + Math.floor(Math.random() * 1000) * 3;
    // each replica accepts a rating of its own user
    await Promise.all(
      replicas.map((r, k) =>
        gqlData(
          r.url,
          'mutation($u: ID!, $m: ID!) { rateMovie(input: {userId: $u, movieId: $m, rating: 3.5}) { rating { value } } }',
          { u: String(base + k), m: String(k + 1) },
        ),
      ),
    );
    const acknowledged = Date.now();
    const everywhere = async (servers: typeof replicas) => {
      for (const server of servers) {
        for (let k = 0; k < 3; k++) {
          const user = (
            await gqlData<UserRatings>(server.url, USER_RATINGS, { id: String(base + k) })
          ).user;
          if (user?.ratings.edges[0]?.node.movie.id !== String(k + 1)) return false;
        }
      }
      return true;
    };
    let converged = false;
    while (!converged && Date.now() - acknowledged < 1000) {
      converged = await everywhere(replicas);
      if (!converged) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(converged).toBe(true);
    // a fourth replica, started after the ratings, reads them from the stream before it
    // reports ready
    const late = await replica();
    expect(await everywhere([late])).toBe(true);
  });
});
