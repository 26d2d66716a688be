import type { RedisClient } from './redis-client.ts';
import { scanTargets } from './redis-client.ts';

/**
 * Deletes every key under `prefix:` with SCAN (never KEYS, which blocks a shared server),
 * on every master of a cluster; one DEL per key, since a cluster refuses a DEL whose keys
 * lie in different slots.
 */
export async function deleteKeysWithPrefix(redis: RedisClient, prefix: string): Promise<void> {
  for (const node of scanTargets(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      await Promise.all(keys.map((key) => redis.del(key)));
      cursor = next;
    } while (cursor !== '0');
  }
}
