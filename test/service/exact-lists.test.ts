import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import type { Dataset } from '../../src/data/types.ts';
import { RecommenderService } from '../../src/service/recommender-service.ts';
import { RedisNeighbourStore } from '../../src/store/redis-neighbour-store.ts';
import { FIXED_WEIGHTS, FIXTURE_DIR } from '../e2e/helpers.ts';
import { ownRedisForBlock, ready } from '../support/own-redis.ts';
import { ratingsOf, servedDifferences } from '../support/rebuild.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';

/** The entities of both sides whose served lists differ from the rebuild's. */
async function differences(
  service: RecommenderService,
  dataset: Dataset,
  accepted: ReadonlyMap<string, number>,
): Promise<string[]> {
  expect(dataset.ratings.length).toBeGreaterThan(0);
  return servedDifferences(service, accepted);
}

const start = (dataset: Dataset, store: RedisNeighbourStore, preload = true) =>
  RecommenderService.createWithStore({ dataset, hybrid: FIXED_WEIGHTS, store, preload });

describe('exact lists through Redis', () => {
  let dataset: Dataset;
  beforeAll(async () => {
    dataset = await loadDataset(FIXTURE_DIR);
  });

  describe('with a Redis of the test own, stopped and started with its data', () => {
    const redis = ownRedisForBlock();

    it('given ratings accepted while Redis was down, when Redis comes back with its old lists and they are read before any resynchronisation, then every served list equals a rebuild from the accepted ratings', async () => {
      const store = new RedisNeighbourStore(redis.client, 'restart');
      const { service } = await start(dataset, store);
      const accepted = ratingsOf(dataset);
      await redis.own.stop(); // SHUTDOWN SAVE: the pre-outage lists stay on disk
      const changes: Array<[number, number, number]> = [
        [1, 901, 5],
        [2, 902, 0.5],
        [3, 5, 4.5],
        [7, 13, 1],
        [12, 901, 3],
        [30, 240, 5],
      ];
      for (const [u, m, v] of changes) {
        await service.rate(u, m, v);
        accepted.set(`${u}:${m}`, v);
      }
      await redis.own.start();
      await ready(redis.client);
      // the window: Redis is back with old data and nothing was sent to it yet
      expect(service.redisBehind).toBe(true);
      expect(await differences(service, dataset, accepted)).toEqual([]);
      await service.resyncRedis();
      expect(await differences(service, dataset, accepted)).toEqual([]);
    });
  });

  describe('with the shared Redis', () => {
    let r: TestRedis;
    beforeAll(async () => {
      r = await testRedis();
    });
    afterAll(async () => {
      await r?.cleanup();
    });

    it('given a replica that has not applied another replica rating, when it computes lists and writes them back, then the other replica still serves a rebuild of its own ratings', async () => {
      const store = new RedisNeighbourStore(r.redis, `${r.prefix}:lag`);
      const ahead = (await start(dataset, store)).service;
      // the lagging replica starts warm on the same version and loads lists on demand
      const { service: lagging, warm } = await start(dataset, store, false);
      expect(warm).toBe(true);
      const accepted = ratingsOf(dataset);
      await ahead.rate(1, 5, 5);
      await ahead.rate(4, 5, 0.5);
      await ahead.rate(4, 901, 4);
      accepted.set('1:5', 5);
      accepted.set('4:5', 0.5);
      accepted.set('4:901', 4);
      // the lagging replica reads (computes) every list from its older ratings; its
      // write-backs reach Redis before the replica ahead reads its invalidated lists
      const lagged = await differences(lagging, dataset, ratingsOf(dataset));
      expect(lagged).toEqual([]);
      expect(await differences(ahead, dataset, accepted)).toEqual([]);
    });

    it('given two data sets with the same name and counts but other ratings, when each starts on one Redis, then the second does not start warm on the first one lists', async () => {
      const store = new RedisNeighbourStore(r.redis, `${r.prefix}:twins`);
      const first = await start(dataset, store);
      expect(first.warm).toBe(false);
      const values = dataset.ratings.values.slice();
      values[0] = values[0] === 5 ? 4 : 5; // one rating differs; name and counts do not
      const twin: Dataset = { ...dataset, ratings: { ...dataset.ratings, values } };
      const second = await start(twin, store);
      expect(second.warm).toBe(false);
      const accepted = ratingsOf(twin);
      expect(await differences(second.service, twin, accepted)).toEqual([]);
    });

    it('given a replaced version whose keys expired, when a replica still on it writes lists back, then the keys are not created again', async () => {
      const prefix = `${r.prefix}:expired`;
      const store = new RedisNeighbourStore(r.redis, prefix);
      const { service } = await start(dataset, store);
      const old = (await store.currentVersion()) as string;
      await store.putMeta('newer', {});
      await store.publish('newer', 1);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const left = await r.redis.keys(`${prefix}:nbr:*${old}*`);
      expect(left).toEqual([]);
      await service.rate(3, 901, 4); // recomputes lists and writes them back
      await service.resyncRedis();
      expect(await r.redis.keys(`${prefix}:nbr:*${old}*`)).toEqual([]);
    });
  });
});
