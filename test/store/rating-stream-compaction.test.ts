/**
 * Compaction keeps the rating stream bounded while every rating stays shared: a replica
 * that starts later, or a reader that was paused while the stream was trimmed, ends with
 * every rating (the snapshot plus the stream's tail), two compactions that overlap leave
 * the snapshot one would, and a Redis that lost its data is not mistaken for the old one.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RatingEvent } from '../../src/store/rating-event.ts';
import { encodeRatingEvent } from '../../src/store/rating-event.ts';
import { RatingStream } from '../../src/store/rating-stream.ts';
import { deleteKeysWithPrefix } from '../../src/store/redis-keys.ts';
import { redisUrl, type TestRedis, testRedis } from '../support/redis.ts';
import { captureLogger, WARN } from './helpers.ts';
import {
  expectSameLatest,
  type Pausable,
  pausable,
  sameLatest,
  someEvents,
  until,
} from './rating-stream-helpers.ts';

const EAGER = { maxEntries: 100, minAgeMs: 0 } as const;
const SMALL = { maxEntries: 10, minAgeMs: 0 } as const;

describe('compacting the rating stream', () => {
  let r: TestRedis;
  let test = 0;
  let prefix = '';
  const opened: Array<{ stream: RatingStream; clients: Redis[] }> = [];

  beforeAll(async () => {
    r = await testRedis();
  });
  afterEach(async () => {
    for (const { stream, clients } of opened.splice(0)) {
      await stream.stop();
      for (const c of clients) c.disconnect();
    }
  });
  afterAll(async () => {
    await r?.cleanup();
  });

  /** Each test's keys live under a prefix of their own. */
  const nextPrefix = () => {
    prefix = `${r.prefix}:t${test++}`;
    return prefix;
  };
  const streamKey = () => `${prefix}:ratings:v1`;

  /** A replica's stream: its own two connections, optionally wrapped (pausable). */
  const replica = (
    origin: string,
    wrap: { redis?: (c: Redis) => Redis; reader?: (c: Redis) => Redis; logger?: Logger } = {},
  ) => {
    const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
    const reader = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
    const stream = new RatingStream(
      wrap.redis ? wrap.redis(redis) : redis,
      wrap.reader ? wrap.reader(reader) : reader,
      prefix,
      origin,
      wrap.logger ?? null,
    );
    opened.push({ stream, clients: [redis, reader] });
    return stream;
  };

  const publishInBatches = async (stream: RatingStream, events: ReadonlyArray<RatingEvent>) => {
    for (let k = 0; k < events.length; k += 100) await stream.publish(events.slice(k, k + 100));
  };

  it('given 500 entries and a limit of 100, when compacting twice, then the stream shrinks and a replica started later reads every rating', async () => {
    nextPrefix();
    const writer = replica('w');
    await writer.claimEpoch();
    const events = someEvents(500, 1);
    await publishInBatches(writer, events);
    expect(await r.redis.xlen(streamKey())).toBe(500);

    const first = await writer.compact(EAGER);
    // nothing is trimmed in the round that merges: only what an earlier round merged goes
    expect(first).toEqual({ outcome: 'compacted', merged: 500, trimmed: 0 });
    const second = await writer.compact(EAGER);
    expect(second).toEqual({ outcome: 'compacted', merged: 0, trimmed: 499 });
    expect(await r.redis.xlen(streamKey())).toBe(1);
    expect(await writer.compact(EAGER)).toEqual({ outcome: 'short', merged: 0, trimmed: 0 });
    expect(await r.redis.hlen(`${streamKey()}:snapshot`)).toBe(
      new Set(events.map((e) => `${e.userId}:${e.movieId}`)).size,
    );

    const late = replica('late');
    await late.claimEpoch();
    expectSameLatest(await late.readAll(), events);
    // a read-only tool (the build command) claims no epoch, and reads the same
    expectSameLatest(await replica('build').readAll(), events);
  });

  it('given entries younger than minAgeMs, when compacting, then they stay in the stream unmerged', async () => {
    nextPrefix();
    const writer = replica('w');
    await writer.claimEpoch();
    await publishInBatches(writer, someEvents(150, 2));
    const result = await writer.compact({ maxEntries: 100, minAgeMs: 60_000 });
    expect(result).toEqual({ outcome: 'compacted', merged: 0, trimmed: 0 });
    expect(await r.redis.exists(`${streamKey()}:snapshot`)).toBe(0);
    expect(await r.redis.xlen(streamKey())).toBe(150);
  });

  it('given another replica holds the compaction lock, when compacting, then it leaves the stream alone', async () => {
    nextPrefix();
    const writer = replica('w');
    await writer.claimEpoch();
    await publishInBatches(writer, someEvents(150, 3));
    await r.redis.set(`${streamKey()}:compacting`, 'someone-else', 'PX', 30_000);
    expect(await writer.compact(EAGER)).toEqual({ outcome: 'locked', merged: 0, trimmed: 0 });
    expect(await r.redis.xlen(streamKey())).toBe(150);
  });

  it('given a reader paused while others publish, compact and trim, when it resumes, then it applies the snapshot again and ends with every rating', async () => {
    nextPrefix();
    const writer = replica('w');
    await writer.claimEpoch();
    const early = someEvents(50, 4);
    await writer.publish(early);

    let paused: Pausable | null = null;
    const { logger, records } = captureLogger();
    const reader = replica('r', {
      reader: (c) => {
        paused = pausable(c, ['xread']);
        return paused.client;
      },
      logger,
    });
    const gate = paused as unknown as Pausable;
    await reader.claimEpoch();
    const seen = await reader.readAll();
    reader.start((events) => seen.push(...events));
    gate.pause();
    await until('the reading loop is stopped', () => gate.parked);

    const later = someEvents(300, 5);
    await publishInBatches(writer, later);
    await writer.compact(EAGER);
    const trim = await writer.compact(EAGER);
    // the entries the reader would read next are gone from the stream
    expect(trim.trimmed).toBeGreaterThan(300);
    expect(sameLatest(seen, [...early, ...later])).toBe(false);

    gate.resume();
    await until('the reader has every rating', () => sameLatest(seen, [...early, ...later]));
    expect(records.some((x) => x.level === WARN && /trimmed past this reader/.test(x.msg))).toBe(
      true,
    );
  });

  it('given a stream trimmed past a replica between loading it and catching up (a long model fit), when catching up, then it gets every rating', async () => {
    nextPrefix();
    const writer = replica('w');
    await writer.claimEpoch();
    const early = someEvents(80, 6);
    await writer.publish(early);
    const starting = replica('s');
    await starting.claimEpoch();
    const seen = await starting.readAll();

    const later = someEvents(300, 7);
    await publishInBatches(writer, later);
    await writer.compact(EAGER);
    await writer.compact(EAGER);
    await starting.catchUp((events) => seen.push(...events));
    expectSameLatest(seen, [...early, ...later]);
  });

  it('given a compaction paused past its lock while another compacts twice, when it resumes, then the snapshot and its mark are those one compaction leaves', async () => {
    nextPrefix();
    const events = someEvents(1200, 8);
    const more = someEvents(300, 9);
    let held: Pausable | null = null;
    const a = replica('a', {
      redis: (c) => {
        held = pausable(c, ['mergeRatingSnapshot']);
        return held.client;
      },
    });
    const gate = held as unknown as Pausable;
    const b = replica('b');
    await a.claimEpoch();
    await b.claimEpoch();
    await publishInBatches(b, events);

    // a merges its first page of 500, then stops before writing the second
    gate.pause(2);
    const aRound = a.compact(EAGER);
    await until('compaction a is stopped mid-merge', () => gate.parked);
    await r.redis.del(`${streamKey()}:compacting`); // its lock expired meanwhile
    expect(await b.compact(EAGER)).toMatchObject({ outcome: 'compacted', merged: 1200 });
    await publishInBatches(b, more);
    expect(await b.compact(EAGER)).toMatchObject({ outcome: 'compacted', merged: 300 });
    const mark = await r.redis.get(`${streamKey()}:snapshot:upto`);
    // a writes older entries over b's merges, and a lower mark
    gate.resume();
    expect((await aRound).outcome).toBe('compacted');

    expect(await r.redis.get(`${streamKey()}:snapshot:upto`)).toBe(mark);
    const raced = await r.redis.hgetall(`${streamKey()}:snapshot`);
    const reference = await referenceSnapshot([...events, ...more]);
    expect(raced).toEqual(reference);
    const late = replica('late');
    await late.claimEpoch();
    expectSameLatest(await late.readAll(), [...events, ...more]);
  });

  /** The snapshot one compaction, alone, makes of `events` (under a prefix of its own). */
  const referenceSnapshot = async (events: ReadonlyArray<RatingEvent>) => {
    const saved = prefix;
    nextPrefix();
    const alone = replica('alone');
    await alone.claimEpoch();
    await publishInBatches(alone, events);
    await alone.compact(EAGER);
    const snapshot = await r.redis.hgetall(`${streamKey()}:snapshot`);
    prefix = saved;
    return snapshot;
  };

  it('given Redis lost its data and a mark of the old stream came back, when the new stream is read and compacted, then nothing of it is taken for merged', async () => {
    nextPrefix();
    const old = someEvents(100, 10);
    const a = replica('a');
    await a.claimEpoch();
    const seen: RatingEvent[] = [];
    const reader = replica('r');
    await reader.claimEpoch();
    seen.push(...(await reader.readAll()));
    reader.start((events) => seen.push(...events));
    await publishInBatches(a, old);
    await a.compact(SMALL);
    await a.compact(SMALL);
    await until('the reader has the old ratings', () => sameLatest(seen, old));
    const oldMark = (await r.redis.get(`${streamKey()}:snapshot:upto`)) as string;
    expect(oldMark).not.toBeNull();

    // Redis comes back empty; a compaction of the old stream that was under way writes
    // its mark into it; the new Redis's clock is behind the old one's, so the new
    // stream's ids lie below the old mark and below the reader's position
    await deleteKeysWithPrefix(r.redis, `${prefix}:`);
    await r.redis.set(`${streamKey()}:snapshot:upto`, oldMark);
    const b = replica('b');
    await b.claimEpoch();
    const fresh = someEvents(60, 11);
    for (const [k, e] of fresh.entries()) {
      await r.redis.xadd(streamKey(), `1-${k + 1}`, 'o', 'b', 'e', encodeRatingEvent(e));
    }

    expect(await a.compact(SMALL)).toMatchObject({ outcome: 'stale' });
    expect(await reader.lostData()).toBe(true);
    await until('the reader has the new stream', () => sameLatest(seen, [...old, ...fresh]));

    expect(await b.compact(SMALL)).toMatchObject({ merged: 60 });
    expect(await b.compact(SMALL)).toMatchObject({ trimmed: 59 });
    const late = replica('late');
    await late.claimEpoch();
    expectSameLatest(await late.readAll(), fresh);
  });
});
