import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import type { Dataset } from '../../src/data/types.ts';
import { listEnd, listStart } from '../../src/engine/neighbours.ts';
import type { RecommenderService } from '../../src/service/recommender-service.ts';
import { RecommenderService as Service } from '../../src/service/recommender-service.ts';
import { RedisNeighbourStore, SHARDS } from '../../src/store/redis-neighbour-store.ts';
import { FIXED_WEIGHTS, FIXTURE_DIR } from '../e2e/helpers.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';

/** Every list of a service as MovieLens ids, side by side. */
function listsOf(service: RecommenderService) {
  const out: Record<string, number[]> = {};
  for (const side of ['item', 'user'] as const) {
    const lists = service.live.model[side]?.lists;
    if (!lists) continue;
    const n = side === 'item' ? service.live.movieIds.length : service.live.userCount;
    service.live.ensureLists(
      side,
      Array.from({ length: n }, (_, a) => a),
    );
    for (let a = 0; a < n; a++) {
      const ids: number[] = [];
      for (let q = listStart(lists, a); q < listEnd(lists, a); q++) {
        ids.push(
          side === 'item' ? service.live.movieIds[lists.idx[q]] : service.live.userId(lists.idx[q]),
        );
      }
      out[`${side}:${a}`] = ids;
    }
  }
  return out;
}

describe('neighbour lists shared through Redis', () => {
  let r: TestRedis;
  let dataset: Dataset;
  beforeAll(async () => {
    r = await testRedis();
    dataset = await loadDataset(FIXTURE_DIR);
  });
  afterAll(async () => {
    await r?.cleanup();
  });

  const start = (store: RedisNeighbourStore) =>
    Service.createWithStore({ dataset, hybrid: FIXED_WEIGHTS, store });

  it('given an empty store, when the service starts, then it computes every list and publishes them; a second start reuses them all', async () => {
    const store = new RedisNeighbourStore(r.redis, `${r.prefix}:a`);
    const cold = await start(store);
    expect(cold.warm).toBe(false);
    expect(await store.currentVersion()).not.toBeNull();
    const warm = await start(store);
    expect(warm.warm).toBe(true);
    expect(warm.listsLoaded).toBe(cold.service.live.movieIds.length + cold.service.live.userCount);
    expect(listsOf(warm.service)).toEqual(listsOf(cold.service));
  });

  it('given a rating, when it is accepted, then the store holds the recomputed lists stamped with the new ratings, and every list stamped so equals what the live model computes now', async () => {
    const store = new RedisNeighbourStore(r.redis, `${r.prefix}:b`);
    const { service } = await start(store);
    const [userId, movieId] = [dataset.ratings.userIds[0], dataset.ratings.movieIds[3]];
    await service.rate(userId, movieId, 5);
    const version = (await store.currentVersion()) as string;
    const i = service.live.itemIdx(movieId);
    const stored = (await store.getLists(version, 'item', [movieId]))[0];
    const lists = service.live.model.item?.lists;
    if (!stored || !lists) throw new Error('the rated movie has no stored list');
    const local = Array.from(
      lists.idx.subarray(listStart(lists, i), listEnd(lists, i)),
      (a) => service.live.movieIds[a],
    );
    expect(Array.from(stored.ids)).toEqual(local);
    expect(stored.stamp.digest).toBe(service.live.digest);
    // every list stamped with the current ratings equals what the live model computes now
    for (const side of ['item', 'user'] as const) {
      const n = side === 'item' ? service.live.movieIds.length : service.live.userCount;
      const ids = Array.from({ length: n }, (_, a) =>
        side === 'item' ? service.live.movieIds[a] : service.live.userId(a),
      );
      const inStore = await store.getLists(version, side, ids);
      const now = listsOf(service);
      inStore.forEach((l, a) => {
        if (l?.stamp.digest === service.live.digest)
          expect(Array.from(l.ids), `${side} ${ids[a]}`).toEqual(now[`${side}:${a}`]);
      });
    }
  });

  it('given a warm replica that reads lists on demand, when 20 recommendations with 5 similar movies each are read, then Redis sees one HMGET per shard touched, each shard once per batch', async () => {
    const store = new RedisNeighbourStore(r.redis, `${r.prefix}:c`);
    await start(store);
    const { service, warm } = await Service.createWithStore({
      dataset,
      hybrid: FIXED_WEIGHTS,
      store,
      preload: false,
    });
    expect(warm).toBe(true);
    const hmget = vi.spyOn(r.redis, 'hmgetBuffer');
    const userId = dataset.ratings.userIds[0];
    const recs = await service.recommendations([
      { userId, first: 20, strategy: 'hybrid', genres: [], excludeRated: true },
    ]);
    // the rated movies' lists (one HMGET per shard they fall in) and the user's list
    const keys = hmget.mock.calls.map((call) => String(call[0]));
    expect(new Set(keys).size).toBe(keys.length);
    const rated = service.live.ratingsOfUser(service.live.userIdx(userId));
    const shards = new Set(rated.map((r) => service.live.movieIds[r.item] % SHARDS));
    expect(keys.filter((k) => k.includes(':item:'))).toHaveLength(shards.size);
    expect(keys.filter((k) => k.includes(':user:'))).toHaveLength(1);
    const before = keys.length;
    await service.similarMovies(recs[0].map((rec) => ({ movieId: rec.movieId, first: 5 })));
    // at most one more batch, for lists still missing, again a shard at most once
    const more = hmget.mock.calls.slice(before).map((call) => String(call[0]));
    expect(new Set(more).size).toBe(more.length);
    expect(service.live.listsRecomputed).toBe(0); // everything came from Redis
    hmget.mockRestore();
  });
});
