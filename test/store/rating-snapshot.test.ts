/**
 * The snapshot's merge script keeps, for each (user, movie), the change that ranks last
 * in the order of src/engine/rating-order.ts, whatever order the changes arrive in and
 * however they are split into calls: two compactions may merge the same entries at once.
 */
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestByPair } from '../../src/engine/rating-order.ts';
import {
  decodeRatingEvent,
  encodeRatingEvent,
  type RatingEvent,
} from '../../src/store/rating-event.ts';
import { compareStreamIds, RatingSnapshot } from '../../src/store/rating-snapshot.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';
import { ratingEventArb } from './helpers.ts';
import { collidingEventArb, expectSameLatest } from './rating-stream-helpers.ts';

const pair = (e: RatingEvent) => `${e.userId}:${e.movieId}`;

async function storedEvents(r: TestRedis, snapshot: RatingSnapshot): Promise<RatingEvent[]> {
  const stored = await r.redis.hgetall(snapshot.key);
  return Object.entries(stored).map(([field, line]) => {
    const decoded = decodeRatingEvent(line);
    if (!decoded.ok) throw new Error(`field ${field} holds a bad line: ${decoded.problem}`);
    expect(field).toBe(pair(decoded.event));
    return decoded.event;
  });
}

describe('the rating snapshot', () => {
  let r: TestRedis;
  let run = 0;
  beforeAll(async () => {
    r = await testRedis();
  });
  afterAll(async () => {
    await r?.cleanup();
  });

  /** A snapshot of its own, so runs do not see each other's fields. */
  const freshSnapshot = () =>
    new RatingSnapshot(r.redis, `${r.prefix}:run${run++}:ratings:v1`, null);

  const mergeInCalls = async (
    snapshot: RatingSnapshot,
    events: ReadonlyArray<RatingEvent>,
    cuts: ReadonlyArray<number>,
  ) => {
    const bounds = [...new Set([0, ...cuts.map((c) => c % (events.length + 1)), events.length])];
    bounds.sort((a, b) => a - b);
    for (let k = 0; k + 1 < bounds.length; k++) {
      const slice = events.slice(bounds[k], bounds[k + 1]);
      await snapshot.merge(slice.map((e) => ({ pair: pair(e), line: encodeRatingEvent(e) })));
    }
  };

  // more runs than the default: ratings that differ only below float32 precision must meet
  test.prop(
    [
      fc.array(collidingEventArb, { minLength: 1, maxLength: 40 }),
      fc.array(fc.nat(), { maxLength: 5 }),
    ],
    { numRuns: 400 },
  )(
    'given changes merged in any order and any calls, then the snapshot holds latestByPair of them in that order',
    async (events, cuts) => {
      const snapshot = freshSnapshot();
      await mergeInCalls(snapshot, events, cuts);
      const stored = await storedEvents(r, snapshot);
      // exactly the same events: of changes that tie, both keep the first seen
      expect(new Map(stored.map((e) => [pair(e), e]))).toEqual(latestByPair(events));
    },
  );

  test.prop([fc.array(collidingEventArb, { minLength: 1, maxLength: 40 }), fc.nat()])(
    'given the same changes merged in two different orders, then both snapshots leave the same ratings',
    async (events, seed) => {
      const shuffled = fc.sample(fc.shuffledSubarray(events, { minLength: events.length }), {
        seed,
        numRuns: 1,
      })[0];
      const first = freshSnapshot();
      const second = freshSnapshot();
      await mergeInCalls(first, events, []);
      await mergeInCalls(second, shuffled, [3, 7]);
      expectSameLatest(await storedEvents(r, first), await storedEvents(r, second));
      expectSameLatest(await storedEvents(r, first), events);
    },
  );

  test.prop([fc.array(ratingEventArb, { minLength: 1, maxLength: 30 })])(
    'given changes with any ids, timestamps and ratings the journal takes, then Lua reads their numbers as JavaScript does',
    async (events) => {
      // few pairs, so changes compete: the whole range of doubles meets the comparison
      const competing = events.map((e) => ({ ...e, userId: 1 + (e.userId % 2), movieId: 7 }));
      const snapshot = freshSnapshot();
      await mergeInCalls(snapshot, competing, []);
      const stored = await storedEvents(r, snapshot);
      expect(new Map(stored.map((e) => [pair(e), e]))).toEqual(latestByPair(competing));
    },
  );

  it('given a line merged twice, when merging, then the second write is skipped', async () => {
    const snapshot = freshSnapshot();
    const line = {
      pair: '1:2',
      line: encodeRatingEvent({ kind: 'rate', userId: 1, movieId: 2, rating: 3, timestamp: 10 }),
    };
    expect(await snapshot.merge([line])).toBe(1);
    expect(await snapshot.merge([line])).toBe(0);
  });

  it('given marks of one epoch, when raising, then the mark only rises, comparing ids as numbers', async () => {
    const snapshot = freshSnapshot();
    expect(await snapshot.upto('e1')).toBeNull();
    expect(await snapshot.raiseUpto('999-5', 'e1')).toBe(true);
    // longer digit strings are larger numbers: 1000 > 999, and seq 10 > 9
    expect(await snapshot.raiseUpto('1000-0', 'e1')).toBe(true);
    expect(await snapshot.raiseUpto('999-99', 'e1')).toBe(false);
    expect(await snapshot.raiseUpto('1000-0', 'e1')).toBe(false);
    expect(await snapshot.raiseUpto('1000-10', 'e1')).toBe(true);
    expect(await snapshot.raiseUpto('1000-9', 'e1')).toBe(false);
    expect(await snapshot.upto('e1')).toBe('1000-10');
  });

  it('given a mark of another epoch, when reading it, then there is none, and raising replaces it', async () => {
    const snapshot = freshSnapshot();
    await snapshot.raiseUpto('5000-0', 'old');
    expect(await snapshot.upto('new')).toBeNull();
    expect(await snapshot.raiseUpto('10-0', 'new')).toBe(true);
    expect(await snapshot.upto('new')).toBe('10-0');
    expect(await snapshot.upto('old')).toBeNull();
  });

  it('given a snapshot larger than one page, when scanning, then every event comes back once or more', async () => {
    const snapshot = freshSnapshot();
    const events: RatingEvent[] = [];
    for (let u = 1; u <= 1300; u++) {
      events.push({ kind: 'rate', userId: u, movieId: 1, rating: 1 + (u % 5), timestamp: u });
    }
    await snapshot.merge(events.map((e) => ({ pair: pair(e), line: encodeRatingEvent(e) })));
    const seen: RatingEvent[] = [];
    let pages = 0;
    await snapshot.scan((page) => {
      pages++;
      seen.push(...page);
    });
    expect(pages).toBeGreaterThan(1);
    expect(latestByPair(seen)).toEqual(latestByPair(events));
  });
});

describe('compareStreamIds', () => {
  it('orders ids as pairs of whole numbers, beyond what a double holds', () => {
    expect(compareStreamIds('999-0', '1000-0')).toBe(-1);
    expect(compareStreamIds('5-10', '5-9')).toBe(1);
    expect(compareStreamIds('5-0', '5')).toBe(0);
    expect(compareStreamIds('5-18446744073709551615', '5-18446744073709551614')).toBe(1);
  });
});
