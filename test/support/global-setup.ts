import type { StartedRedisContainer } from '@testcontainers/redis';

/**
 * Provides Redis to the tests that need it: REDIS_URL when it is set (CI sets it); else,
 * where a Docker engine answers, a throwaway `redis:7` container from testcontainers;
 * else nothing, and those tests fail saying how to provide one (see support/redis.ts).
 */
let container: StartedRedisContainer | null = null;

export async function setup(): Promise<void> {
  if (process.env.REDIS_URL) return;
  try {
    const { RedisContainer } = await import('@testcontainers/redis');
    container = await new RedisContainer('redis:7').start();
    process.env.REDIS_URL = container.getConnectionUrl();
  } catch (err) {
    process.env.MOVIE_RECS_NO_REDIS_REASON =
      err instanceof Error ? err.message.split('\n')[0] : String(err);
  }
}

export async function teardown(): Promise<void> {
  await container?.stop();
}
