/**
 * One order for ratings, the same live, at replay and on every replica: an acknowledged
 * rating is served at once whatever the wall clock does, and a restart serves what was
 * served before it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import type { Dataset } from '../../src/data/types.ts';
import { LiveModel } from '../../src/engine/live-model.ts';
import { ranksAfter } from '../../src/engine/rating-order.ts';
import { HybridClock } from '../../src/service/hybrid-clock.ts';
import { RecommenderService } from '../../src/service/recommender-service.ts';
import { replayRatings } from '../../src/service/replay.ts';
import { openJournal } from '../../src/store/file-journal.ts';
import type { RatingEvent } from '../../src/store/rating-event.ts';
import { RatingStream } from '../../src/store/rating-stream.ts';
import { FIXED_WEIGHTS, FIXTURE_DIR } from '../e2e/helpers.ts';
import { columns, movieIds, config as smallConfig, weights } from '../engine/live-fixtures.ts';
import { redisUrl, type TestRedis, testRedis } from '../support/redis.ts';

const quiet = pino({ level: 'silent' });

/** The winner of each pair by brute force: sort every change by the documented key. */
function bruteForce(
  base: ReadonlyArray<readonly [number, number, number]>,
  events: ReadonlyArray<RatingEvent>,
): Map<string, number> {
  type Change = { key: string; t: number; removed: boolean; value: number };
  const changes: Change[] = [
    ...base.map(([u, m, v], t) => ({ key: `${u}:${m}`, t, removed: false, value: v })),
    ...events.map((e) => ({
      key: `${e.userId}:${e.movieId}`,
      t: e.timestamp,
      removed: e.kind === 'remove',
      value: e.kind === 'rate' ? e.rating : 0,
    })),
  ];
  changes.sort((a, b) => a.t - b.t || Number(a.removed) - Number(b.removed) || a.value - b.value);
  const out = new Map<string, number>();
  for (const c of changes) {
    if (c.removed) out.delete(c.key);
    else out.set(c.key, c.value);
  }
  return out;
}

function liveRatings(live: LiveModel): Map<string, number> {
  const out = new Map<string, number>();
  for (let u = 0; u < live.userCount; u++) {
    for (const r of live.ratingsOfUser(u))
      out.set(`${live.userId(u)}:${live.movieIds[r.item]}`, r.value);
  }
  return out;
}

const smallEvent = fc.oneof(
  fc.record({
    kind: fc.constant('rate' as const),
    userId: fc.integer({ min: 1, max: 4 }),
    movieId: fc.constantFrom(...movieIds),
    rating: fc.integer({ min: 1, max: 10 }).map((h) => h / 2),
    timestamp: fc.integer({ min: 0, max: 12 }),
  }),
  fc.record({
    kind: fc.constant('remove' as const),
    userId: fc.integer({ min: 1, max: 4 }),
    movieId: fc.constantFrom(...movieIds),
    timestamp: fc.integer({ min: 0, max: 12 }),
  }),
);
const smallBase = fc.uniqueArray(
  fc.tuple(
    fc.integer({ min: 1, max: 4 }),
    fc.constantFrom(...movieIds),
    fc.integer({ min: 1, max: 10 }).map((h) => h / 2),
  ),
  { selector: (r) => `${r[0]}:${r[1]}`, minLength: 3, maxLength: 12 },
);

describe('the rating order', () => {
  it('given two changes of a pair, when ranked, then the later timestamp wins, then a removal over a rating, then the higher rating', () => {
    expect(ranksAfter(2, false, 1, 1, true, 0)).toBe(true);
    expect(ranksAfter(1, false, 5, 2, false, 1)).toBe(false);
    expect(ranksAfter(1, true, 0, 1, false, 5)).toBe(true);
    expect(ranksAfter(1, false, 5, 1, true, 0)).toBe(false);
    expect(ranksAfter(1, false, 4.5, 1, false, 4)).toBe(true);
    expect(ranksAfter(1, false, 4, 1, false, 4)).toBe(false); // the same change
    expect(ranksAfter(1, true, 0, 1, true, 0)).toBe(false);
  });

  it('given changes in any order, when replayed at start or applied live in another order, then both give the brute-force winners, and a rating older than a removal stays out after a restart', () => {
    fc.assert(
      fc.property(
        smallBase,
        fc.array(smallEvent, { maxLength: 25 }),
        fc.array(smallEvent, { maxLength: 8 }),
        fc.integer(),
        (rows, events, later, seed) => {
          const want = bruteForce(rows, [...events, ...later]);
          // a restart: replay `events` (in journal order), then `later` arrive live
          const { ratings, removals } = replayRatings(columns(rows), events);
          const restarted = LiveModel.create(
            movieIds,
            ratings,
            smallConfig,
            weights,
            'compute',
            {},
            removals,
          );
          restarted.apply(later);
          expect(liveRatings(restarted)).toEqual(want);
          // a replica that saw everything live, shuffled
          const shuffled = [...events, ...later]
            .map((e, k) => ({ e, k: (Math.imul(k + 1, seed | 1) >>> 0) % 1009 }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.e);
          const live = LiveModel.create(movieIds, columns(rows), smallConfig, weights);
          live.apply(shuffled);
          expect(liveRatings(live)).toEqual(want);
          expect(live.digest).toBe(restarted.digest);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the hybrid clock', () => {
  it('given the wall clock steps back, when timestamps are issued, then each is after every one issued or observed before', () => {
    let wall = 1_000_000;
    const clock = new HybridClock(0, () => wall);
    const a = clock.next();
    wall -= 60_000;
    const b = clock.next();
    clock.observe(2000.5);
    const c = clock.next();
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(2000.5);
    clock.offsetMs = -3_600_000;
    expect(clock.next()).toBeGreaterThan(c);
  });

  it('given a timestamp it issued, when observed again (as its own stream entry), then the next still ranks after it', () => {
    const clock = new HybridClock(0, () => 1_700_000_000_123);
    const t = clock.next();
    clock.observe(t);
    expect(clock.next()).toBeGreaterThan(t);
  });
});

describe('acknowledged ratings across clocks and restarts', () => {
  let dataset: Dataset;
  let dir: string;
  beforeAll(async () => {
    dataset = await loadDataset(FIXTURE_DIR);
    dir = await mkdtemp(join(tmpdir(), 'movie-recs-order-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const open = async (name: string) => {
    const { journal, replay } = await openJournal(join(dir, name), { fsync: false, logger: quiet });
    const service = RecommenderService.create({
      dataset,
      events: replay.events,
      hybrid: FIXED_WEIGHTS,
      log: journal,
      logger: quiet,
    });
    return service;
  };
  const served = (s: RecommenderService, u: number, m: number) =>
    s.live.ratingOf(s.live.userIdx(u), s.live.itemIdx(m))?.value ?? null;

  it('given a rating timed before one already served (a clock stepped back), when the service restarts, then it serves what it served before', async () => {
    const before = await open('restart');
    await before.rate(3, 5, 4, 2_000_000_000);
    await before.rate(3, 5, 1.5, 1_999_999_000); // the clock stepped back an hour
    await before.rate(3, 7, 2, 1_900_000_000);
    await before.remove(3, 7, 1_900_000_100);
    const state = [served(before, 3, 5), served(before, 3, 7)];
    expect(state).toEqual([4, null]);
    await before.close();
    const after = await open('restart');
    expect([served(after, 3, 5), served(after, 3, 7)]).toEqual(state);
    // the removal survived the restart: an older rating of the pair stays out
    after.live.apply([
      { kind: 'rate', userId: 3, movieId: 7, rating: 5, timestamp: 1_900_000_050 },
    ]);
    expect(served(after, 3, 7)).toBeNull();
    await after.close();
  });

  describe('two replicas sharing a stream', () => {
    let r: TestRedis;
    const clients: Redis[] = [];
    beforeAll(async () => {
      r = await testRedis();
    });
    afterAll(async () => {
      for (const c of clients) c.disconnect();
      await r?.cleanup();
    });
    const replica = async (origin: string) => {
      const reader = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
      clients.push(reader);
      const service = RecommenderService.create({ dataset, hybrid: FIXED_WEIGHTS, logger: quiet });
      await service.joinStream(new RatingStream(r.redis, reader, r.prefix, origin, quiet), []);
      return service;
    };
    const until = async (check: () => boolean) => {
      for (let k = 0; k < 100 && !check(); k++) await new Promise((res) => setTimeout(res, 50));
      expect(check()).toBe(true);
    };

    it('given a replica whose clock runs an hour ahead rated a movie, when another replica rates it after, then the later rating is served at once and wins on both', async () => {
      const ahead = await replica('ahead');
      const behind = await replica('behind');
      await ahead.rate(6, 2, 4, Date.now() / 1000 + 3600);
      await until(() => served(behind, 6, 2) === 4);
      await behind.rate(6, 2, 1); // the behind replica's own clock
      expect(served(behind, 6, 2)).toBe(1);
      await until(() => served(ahead, 6, 2) === 1);
      await ahead.close();
      await behind.close();
    });
  });
});
