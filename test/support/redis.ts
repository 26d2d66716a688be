import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix } from '../../src/store/redis-keys.ts';

/**
 * A Redis connection for tests, under a key prefix of its own that is deleted afterwards,
 * so test files can share one server with each other and with anyone else. Redis comes
 * from REDIS_URL, or from a testcontainers container that global-setup.ts starts where
 * Docker exists; with neither, the test fails and says how to provide one.
 */
export interface TestRedis {
  readonly redis: Redis;
  readonly prefix: string;
  cleanup(): Promise<void>;
}

export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) {
    const why = process.env.MOVIE_RECS_NO_REDIS_REASON;
    throw new Error(
      'these tests need Redis: start one (redis-server --port 6379 --save "" --appendonly no) and set ' +
        'REDIS_URL=redis://127.0.0.1:6379, or run .ci/run, which does both' +
        (why ? `; no Docker engine for testcontainers either (${why})` : ''),
    );
  }
  return url;
}

export async function testRedis(): Promise<TestRedis> {
  const redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const prefix = `test:${randomUUID()}`;
  return {
    redis,
    prefix,
    async cleanup() {
      await deleteKeysWithPrefix(redis, `${prefix}:`);
      redis.disconnect();
    },
  };
}
