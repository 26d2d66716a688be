import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../src/engine/model.ts';
import { similarityMetrics } from '../../src/engine/similarity.ts';
import { ListSync } from '../../src/service/list-sync.ts';
import { LiveModel } from '../../src/service/live-model.ts';
import { MemoryNeighbourStore } from '../../src/store/memory-neighbour-store.ts';
import type { NeighbourStore } from '../../src/store/neighbour-store.ts';
import type { RatingEvent } from '../../src/store/rating-event.ts';
import { RedisNeighbourStore } from '../../src/store/redis-neighbour-store.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';
import {
  base,
  columns,
  config,
  event,
  listOf,
  movieIds,
  rebuiltLists,
  weights,
} from './live-fixtures.ts';

/**
 * The property of issue 4 through each store: after incremental maintenance, every list
 * the store holds, and every list read through it (missing ones computed on read and
 * written back), equals a rebuild from the same ratings.
 */
async function checkStore(
  store: NeighbourStore,
  rows: ReadonlyArray<readonly [number, number, number]>,
  events: ReadonlyArray<RatingEvent>,
  cfg: ModelConfig,
): Promise<void> {
  const live = LiveModel.create(movieIds, columns(rows), cfg, weights);
  const sync = new ListSync(store, 'v', live, null);
  await sync.publishAll({});
  for (const e of events) {
    live.apply([e]);
    await sync.flush();
  }
  const fresh = rebuiltLists(live, cfg);
  for (const side of ['item', 'user'] as const) {
    const n = side === 'item' ? movieIds.length : live.userCount;
    const entities = Array.from({ length: n }, (_, a) => a);
    const ids = entities.map((a) => (side === 'item' ? movieIds[a] : live.userId(a)));
    const want = (a: number) => listOf(fresh[side], a);
    const expectSame = (got: ReadonlyArray<readonly [number, number]>, a: number) => {
      expect(
        got.map((x) => x[0]),
        `${side} ${a}`,
      ).toEqual(want(a).map((x) => x[0]));
      for (const [t, [, sim]] of got.entries()) {
        expect(Math.abs(sim - want(a)[t][1])).toBeLessThan(1e-6);
      }
    };
    const toIndex = (id: number) => (side === 'item' ? live.itemIdx(id) : live.userIdx(id));
    const held = await store.getLists('v', side, ids);
    held.forEach((list, a) => {
      if (!list) {
        // only a list the model also waits to recompute may be missing
        expect(live.isListCurrent(side, a), `${side} ${a} missing from the store`).toBe(false);
        return;
      }
      expectSame(
        Array.from(list.ids, (id, t) => [toIndex(id), list.sims[t]] as const),
        a,
      );
    });
    await sync.read(side, entities);
    const after = await store.getLists('v', side, ids);
    after.forEach((list, a) => {
      expect(list, `${side} ${a} after a read`).not.toBeNull();
      if (list)
        expectSame(
          Array.from(list.ids, (id, t) => [toIndex(id), list.sims[t]] as const),
          a,
        );
    });
  }
}

const metricConfig = (metric: (typeof similarityMetrics)[number]): ModelConfig => {
  const rank = { metric, shrinkage: 5, minSupport: 1 };
  return {
    ...config,
    item: { ...config.item, rankSimilarity: rank },
    user: { ...config.user, rankSimilarity: rank },
  };
};

describe('incremental maintenance through a NeighbourStore', () => {
  let r: TestRedis;
  beforeAll(async () => {
    r = await testRedis();
  });
  afterAll(async () => {
    await r?.cleanup();
  });

  const stores: Array<[string, () => NeighbourStore]> = [
    ['memory', () => new MemoryNeighbourStore()],
    [
      'redis',
      () => new RedisNeighbourStore(r.redis, `${r.prefix}:${Math.random().toString(36).slice(2)}`),
    ],
  ];

  for (const [name, makeStore] of stores) {
    it(`given the ${name} store and any metric, when random ratings are new, changed and removed, then every list it holds or serves equals a rebuild`, async () => {
      await fc.assert(
        fc.asyncProperty(
          base,
          fc.array(event, { minLength: 1, maxLength: 10 }),
          fc.constantFrom(...similarityMetrics),
          async (rows, events, metric) => {
            await checkStore(makeStore(), rows, events as RatingEvent[], metricConfig(metric));
          },
        ),
        { numRuns: name === 'redis' ? 60 : 150 },
      );
    });
  }
});
