import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { RateLimitedError } from '../service/errors.ts';
import type { RedisClient } from '../store/redis-client.ts';

/** Mutations a client may make per window. */
export interface RateLimit {
  readonly points: number;
  readonly seconds: number;
}

/** Takes one mutation from `client`'s allowance, or throws RATE_LIMITED with a retry hint. */
export type ConsumeMutation = (client: string) => Promise<void>;

/**
 * A fixed-window limiter per client (rate-limiter-flexible): in Redis when the service
 * has one, so replicas share each client's allowance, else in this process. While Redis
 * is away the count falls back to the process (its insurance limiter) rather than
 * refusing or waving through every write.
 */
export function createMutationLimiter(
  limit: RateLimit,
  redis: { client: RedisClient; prefix: string } | null,
): ConsumeMutation {
  const options = { points: limit.points, duration: limit.seconds };
  const memory = new RateLimiterMemory({ ...options, keyPrefix: 'mutations' });
  const limiter: RateLimiterAbstract = redis
    ? new RateLimiterRedis({
        ...options,
        storeClient: redis.client,
        keyPrefix: `${redis.prefix}:ratelimit:v1:mutations`,
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
      })
    : memory;
  return async (client) => {
    try {
      await limiter.consume(client);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new RateLimitedError(
        `too many ratings from this client: at most ${limit.points} per ${limit.seconds} s; retry in ${retryAfterSeconds} s`,
        retryAfterSeconds,
      );
    }
  };
}
