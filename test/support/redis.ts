import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { deleteKeysWithPrefix } from '../../src/store/redis-keys.ts';

/**
 * A Redis connection for tests, under a key prefix of its own that is deleted afterwards,
 * so test files can share one server with each other and with anyone else. Redis comes
 * from global-setup.ts: REDIS_URL, else a private redis-server it starts, else a
 * testcontainers container where Docker exists; with none, the test fails and says what
 * to install.
 */
export interface TestRedis {
  readonly redis: Redis;
  readonly prefix: string;
  cleanup(): Promise<void>;
}

export function redisUrl(): string {
  const url = inject('redisUrl');
  if (!url) {
    const why = inject('noRedisReason') ?? 'the global setup provided none';
    throw new Error(
      `these tests need Redis (${why}): install Redis 7 so that redis-server and redis-cli ` +
        'are on the PATH (Debian/Ubuntu: apt-get install redis-server), and the test setup ' +
        'starts a private one; or set REDIS_URL=redis://host:port to a Redis of yours',
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
