import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import { listEnd, listStart } from '../../src/engine/neighbours.ts';
import { RecommenderService } from '../../src/service/recommender-service.ts';
import { RedisNeighbourStore } from '../../src/store/redis-neighbour-store.ts';
import { FIXED_WEIGHTS, FIXTURE_DIR } from '../e2e/helpers.ts';
import { ownRedisForBlock, ready } from '../support/own-redis.ts';

describe('a Redis outage', () => {
  const redis = ownRedisForBlock();

  it('given Redis stops mid-test, when ratings and queries arrive, then they are answered from the process, and once Redis is back the store catches up without a manual step', async () => {
    const dataset = await loadDataset(FIXTURE_DIR);
    const store = new RedisNeighbourStore(redis.client, 'outage');
    const { service } = await RecommenderService.createWithStore({
      dataset,
      hybrid: FIXED_WEIGHTS,
      store,
    });
    const version = (await store.currentVersion()) as string;
    await redis.own.stop();

    const [userId, movieId] = [dataset.ratings.userIds[0], dataset.ratings.movieIds[5]];
    await service.rate(userId, movieId, 5);
    await service.rate(dataset.ratings.userIds[9], dataset.ratings.movieIds[2], 0.5);
    await service.remove(dataset.ratings.userIds[4], dataset.ratings.movieIds[4]);
    expect(service.redisBehind).toBe(true);
    const similar = await service.similarMovies([{ movieId, first: 5 }]);
    expect(similar[0].length).toBeGreaterThan(0);
    const recs = await service.recommendations([
      { userId, first: 5, strategy: 'hybrid', genres: [], excludeRated: true },
    ]);
    expect(recs[0]).toHaveLength(5);

    await redis.own.start();
    await ready(redis.client);
    await service.resyncRedis();
    expect(service.redisBehind).toBe(false);
    // every list the store holds stamped with the ratings now is exact for them; the
    // others carry the stamp of older ratings, which no reader installs
    // (test/service/exact-lists.test.ts compares what is served with a rebuild)
    for (const side of ['item', 'user'] as const) {
      const lists = service.live.model[side]?.lists;
      if (!lists) throw new Error(`no ${side} lists`);
      const n = side === 'item' ? service.live.movieIds.length : service.live.userCount;
      const idOf = (a: number) =>
        side === 'item' ? service.live.movieIds[a] : service.live.userId(a);
      const entities = Array.from({ length: n }, (_, a) => a);
      service.live.ensureLists(side, entities);
      const stored = await store.getLists(version, side, entities.map(idOf));
      stored.forEach((l, a) => {
        if (!l || l.stamp.digest !== service.live.digest) return;
        const start = listStart(lists, a);
        const end = listEnd(lists, a);
        expect(Array.from(l.ids), `${side} ${idOf(a)}`).toEqual(
          Array.from(lists.idx.subarray(start, end), idOf),
        );
        expect(Array.from(l.sims), `${side} ${idOf(a)}`).toEqual(
          Array.from(lists.sim.subarray(start, end)),
        );
      });
    }
  });
});
