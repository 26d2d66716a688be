import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { expect } from 'vitest';
import { editRanksAfter, latestByPair } from '../../src/engine/rating-order.ts';
import type { RatingEvent } from '../../src/store/rating-event.ts';

/**
 * Where two sets of changes leave different ratings: a pair only one of them changes, or
 * whose winners do not tie in the rating order (neither ranks after the other: the same
 * timestamp and kind, and ratings equal as float32), as `latestByPair` defines them.
 */
export function latestDifferences(
  actual: ReadonlyArray<RatingEvent>,
  expected: ReadonlyArray<RatingEvent>,
): string[] {
  const a = latestByPair(actual);
  const e = latestByPair(expected);
  const out: string[] = [];
  for (const [pair, want] of e) {
    const got = a.get(pair);
    if (!got) out.push(`${pair}: missing, want ${JSON.stringify(want)}`);
    else if (editRanksAfter(got, want) || editRanksAfter(want, got)) {
      out.push(`${pair}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
  }
  for (const pair of a.keys()) if (!e.has(pair)) out.push(`${pair}: unexpected`);
  return out;
}

/** Expects two sets of changes to leave the same ratings (see latestDifferences). */
export function expectSameLatest(
  actual: ReadonlyArray<RatingEvent>,
  expected: ReadonlyArray<RatingEvent>,
): void {
  expect(latestDifferences(actual, expected)).toEqual([]);
}

/** Whether two sets of changes leave the same ratings. */
export function sameLatest(
  actual: ReadonlyArray<RatingEvent>,
  expected: ReadonlyArray<RatingEvent>,
): boolean {
  return latestDifferences(actual, expected).length === 0;
}

/** Pairs that collide, timestamps and ratings that tie, removals: the order is exercised. */
export const collidingEventArb: fc.Arbitrary<RatingEvent> = (() => {
  const id = fc.integer({ min: 1, max: 2 });
  const timestamp = fc.oneof(
    { arbitrary: fc.constantFrom(0, 1_700_000_000, 1_700_000_000.001), weight: 6 },
    { arbitrary: fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => ms / 1000), weight: 1 },
    {
      arbitrary: fc
        .double({ min: 0, noNaN: true, noDefaultInfinity: true })
        .filter((t) => !Object.is(t, -0)),
      weight: 1,
    },
  );
  // 4 + 2^-30 and 4.1 differ from 4 and Math.fround(4.1) as doubles, not as float32
  const rating = fc.oneof(
    { arbitrary: fc.constantFrom(0.5, 4, 4 + 2 ** -30, 4.1, Math.fround(4.1), 5), weight: 6 },
    {
      arbitrary: fc
        .double({ noNaN: true, noDefaultInfinity: true })
        .filter((r) => !Object.is(r, -0)),
      weight: 1,
    },
  );
  return fc.oneof(
    {
      arbitrary: fc.record({
        kind: fc.constant('rate' as const),
        userId: id,
        movieId: id,
        rating,
        timestamp,
      }),
      weight: 3,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('remove' as const),
        userId: id,
        movieId: id,
        timestamp,
      }),
      weight: 1,
    },
  );
})();

/**
 * `count` changes to `pairs` (user, movie) pairs, from a seeded generator: timestamps in
 * a narrow range (so ties occur, and the stream's order is not the rating order),
 * ratings in half stars, one in six a removal.
 */
export function someEvents(count: number, seed: number, pairs = 60): RatingEvent[] {
  let state = seed >>> 0;
  const next = (n: number) => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state % n;
  };
  const events: RatingEvent[] = [];
  for (let k = 0; k < count; k++) {
    const pair = next(pairs);
    const userId = 1 + (pair % 10);
    const movieId = 1 + Math.floor(pair / 10);
    const timestamp = 1_700_000_000 + next(400) / 4;
    events.push(
      next(6) === 0
        ? { kind: 'remove', userId, movieId, timestamp }
        : { kind: 'rate', userId, movieId, rating: (1 + next(10)) / 2, timestamp },
    );
  }
  return events;
}

/**
 * A Redis client whose named commands can be held, as if the process were paused
 * (SIGSTOP): a call made while paused waits, unsent, until resume(). `parked` tells that
 * a call is waiting.
 */
export interface Pausable {
  readonly client: Redis;
  /** Holds the calls from the `fromCall`-th on (counting every call so far, from 1). */
  pause(fromCall?: number): void;
  resume(): void;
  readonly parked: boolean;
  /** How many held-command calls were made. */
  readonly calls: number;
}

export function pausable(target: Redis, commands: ReadonlyArray<string>): Pausable {
  let gate: Promise<void> | null = null;
  let open = () => {};
  let parked = 0;
  let calls = 0;
  let heldFrom = 1;
  const held = new Set(commands);
  const client = new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      if (typeof prop === 'string' && held.has(prop)) {
        return async (...args: unknown[]) => {
          const call = ++calls;
          while (gate && call >= heldFrom) {
            parked++;
            await gate;
            parked--;
          }
          return (Reflect.get(t, prop, t) as (...a: unknown[]) => unknown).apply(t, args);
        };
      }
      return value.bind(t);
    },
  });
  return {
    client,
    pause(fromCall = 1) {
      heldFrom = fromCall;
      gate ??= new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    resume() {
      gate = null;
      open();
    },
    get parked() {
      return parked > 0;
    },
    get calls() {
      return calls;
    },
  };
}

/** Waits until `check` holds (polling), failing after `timeoutMs`. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
