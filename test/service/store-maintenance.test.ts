import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveModel } from '../../src/engine/live-model.ts';
import type { ModelConfig } from '../../src/engine/model.ts';
import { similarityMetrics } from '../../src/engine/similarity.ts';
import { ListSync } from '../../src/service/list-sync.ts';
import { MemoryNeighbourStore } from '../../src/store/memory-neighbour-store.ts';
import type { NeighbourStore } from '../../src/store/neighbour-store.ts';
import type { RatingEvent } from '../../src/store/rating-event.ts';
import { RedisNeighbourStore } from '../../src/store/redis-neighbour-store.ts';
import {
  base,
  columns,
  config,
  event,
  listOf,
  movieIds,
  rebuiltLists,
  weights,
} from '../engine/live-fixtures.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';

/**
 * The property of incremental maintenance through each store: after it, every list the
 * store holds is either stamped with the digest of the current ratings and equal to a
 * rebuild from them, or stamped with another digest (never installed by a reader); every
 * list read through it (missing and stale ones computed on read and written back) equals
 * a rebuild, and so does every list a second replica on the same ratings reads from it.
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
      // a list stamped with other ratings may be stale: no reader installs it (below)
      if (!list || list.stamp.digest !== live.digest) return;
      expectSame(
        Array.from(list.ids, (id, t) => [toIndex(id), list.sims[t]] as const),
        a,
      );
    });
    const waiting = entities.filter((a) => !live.isListCurrent(side, a));
    await sync.read(side, entities);
    const after = await store.getLists('v', side, ids);
    for (const a of waiting) {
      // a list computed on the read is written back, stamped with the current ratings
      expect(after[a]?.stamp.digest, `${side} ${a} written back after a read`).toBe(live.digest);
    }
    after.forEach((list, a) => {
      expect(list, `${side} ${a} after a read`).not.toBeNull();
      if (list && list.stamp.digest === live.digest)
        expectSame(
          Array.from(list.ids, (id, t) => [toIndex(id), list.sims[t]] as const),
          a,
        );
    });
  }
  // a second replica on the same ratings installs the lists stamped with them, computes
  // the others, and serves a rebuild's lists either way
  const second = LiveModel.create(movieIds, columns(rows), cfg, weights, 'later');
  second.apply(events);
  expect(second.digest).toBe(live.digest);
  const secondSync = new ListSync(store, 'v', second, null);
  for (const side of ['item', 'user'] as const) {
    const n = side === 'item' ? movieIds.length : second.userCount;
    const entities = Array.from({ length: n }, (_, a) => a);
    const ids = entities.map((a) => (side === 'item' ? movieIds[a] : second.userId(a)));
    const stored = await store.getLists('v', side, ids);
    const installable = entities.filter(
      (a) => !second.isListCurrent(side, a) && stored[a]?.stamp.digest === second.digest,
    ).length;
    const taken = secondSync.installs.taken;
    await secondSync.read(side, entities);
    expect(secondSync.installs.taken - taken, `${side} lists installed`).toBe(installable);
  }
  const again = rebuiltLists(second, cfg);
  for (const side of ['item', 'user'] as const) {
    const n = side === 'item' ? movieIds.length : second.userCount;
    for (let a = 0; a < n; a++) {
      const got = listOf(second.model[side]?.lists ?? fresh[side], a);
      const want = listOf(again[side], a);
      expect(
        got.map((x) => x[0]),
        `second ${side} ${a}`,
      ).toEqual(want.map((x) => x[0]));
    }
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
