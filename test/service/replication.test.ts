/**
 * Replication keeps going whatever Redis or the journal does: a resynchronisation (run
 * on every reconnection) never rejects, so it cannot stop the process.
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import { RecommenderService } from '../../src/service/recommender-service.ts';
import type { RatingEvent } from '../../src/store/rating-event.ts';
import type { RatingLog } from '../../src/store/rating-log.ts';
import { RatingStream } from '../../src/store/rating-stream.ts';
import { FIXED_WEIGHTS, FIXTURE_DIR } from '../e2e/helpers.ts';
import { redisUrl, type TestRedis, testRedis } from '../support/redis.ts';

describe('replication through the rating stream', () => {
  let r: TestRedis;
  let reader: Redis;
  beforeAll(async () => {
    r = await testRedis();
    reader = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    reader?.disconnect();
    await r?.cleanup();
  });

  it('given Redis lost the stream and the journal cannot be read back, when the service resynchronises after a reconnection, then it resolves and logs instead of rejecting', async () => {
    const dataset = await loadDataset(FIXTURE_DIR);
    const journal: RatingLog = {
      append: async () => {},
      acknowledgedEvents: async () => {
        throw new Error('EIO: the journal cannot be read');
      },
      close: async () => {},
    };
    const warnings: string[] = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => warnings.push(JSON.parse(line).msg) },
    );
    const service = RecommenderService.create({
      dataset,
      hybrid: FIXED_WEIGHTS,
      log: journal,
      logger,
    });
    await service.joinStream(new RatingStream(r.redis, reader, r.prefix, 'a', logger), []);
    await r.redis.del(`${r.prefix}:ratings:v1:epoch`); // as a Redis restarted empty
    await expect(service.resyncRedis()).resolves.toBeUndefined();
    expect(warnings.some((m) => /resynchronisation failed/.test(m))).toBe(true);
    await service.close();
  });

  it('given Redis lost its data between the load and the join, when a replica joins, then it publishes its whole journal again rather than trusting what it loaded', async () => {
    const dataset = await loadDataset(FIXTURE_DIR);
    const prefix = `${r.prefix}:lost-between`;
    const own: RatingEvent = { kind: 'rate', userId: 5, movieId: 3, rating: 4, timestamp: 1.7e9 };
    // stopping a stream disconnects its reader: this test gets one of its own
    const ownReader = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
    const stream = new RatingStream(r.redis, ownReader, prefix, 'a', null);
    await stream.claimEpoch();
    await stream.publish([own]); // published in an earlier life of this replica
    const shared = await stream.readAll();
    expect(shared).toEqual([own]);
    // Redis restarts empty before the replica joins
    await r.redis.del(`${prefix}:ratings:v1`, `${prefix}:ratings:v1:epoch`);
    const service = RecommenderService.create({ dataset, events: [own], hybrid: FIXED_WEIGHTS });
    await service.joinStream(stream, [own], shared);
    const fresh = new RatingStream(r.redis, r.redis, prefix, 'b', null);
    expect(await fresh.readAll()).toEqual([own]);
    await service.close();
  });
});
