import type { Redis } from 'ioredis';
import type { Side } from '../engine/matrix.ts';
import { type NeighbourStore, packList, type StoredList, unpackList } from './neighbour-store.ts';

/**
 * Neighbour lists in Redis. Key layout (format version v1 in every key):
 * - `<prefix>:nbr:v1:current`: the published model version (a string);
 * - `<prefix>:nbr:v1:<version>:<side>`: a hash from MovieLens id to the packed list
 *   (see packList), so a batch of lists is one HMGET and a batch of writes one HSET;
 * - `<prefix>:nbr:v1:<version>:meta`: a hash of facts about the version (hybrid weights).
 * Publishing a rebuild sets `current` and gives the previous version's hashes a TTL, so
 * replicas still reading it finish, and nothing is left behind.
 */
export class RedisNeighbourStore implements NeighbourStore {
  readonly kind = 'redis';

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(version: string, side: Side): string {
    return `${this.prefix}:nbr:v1:${version}:${side}`;
  }

  private currentKey(): string {
    return `${this.prefix}:nbr:v1:current`;
  }

  async getLists(
    version: string,
    side: Side,
    ids: ReadonlyArray<number>,
  ): Promise<Array<StoredList | null>> {
    if (ids.length === 0) return [];
    const values = await this.redis.hmgetBuffer(this.key(version, side), ...ids.map(String));
    return values.map((v) => (v === null ? null : unpackList(v)));
  }

  async putLists(
    version: string,
    side: Side,
    entries: ReadonlyArray<{ id: number; list: StoredList }>,
  ): Promise<void> {
    if (entries.length === 0) return;
    const args: Array<string | Buffer> = [];
    for (const { id, list } of entries) args.push(String(id), packList(list));
    await this.redis.hset(this.key(version, side), ...args);
  }

  async deleteLists(version: string, side: Side, ids: ReadonlyArray<number>): Promise<void> {
    if (ids.length === 0) return;
    await this.redis.hdel(this.key(version, side), ...ids.map(String));
  }

  private metaKey(version: string): string {
    return `${this.prefix}:nbr:v1:${version}:meta`;
  }

  async putMeta(version: string, meta: Readonly<Record<string, string>>): Promise<void> {
    // HSET with no fields is an error in Redis; writing nothing is what was asked
    if (Object.keys(meta).length === 0) return;
    await this.redis.hset(this.metaKey(version), meta);
  }

  async getMeta(version: string): Promise<Record<string, string> | null> {
    const m = await this.redis.hgetall(this.metaKey(version));
    return Object.keys(m).length > 0 ? m : null;
  }

  async currentVersion(): Promise<string | null> {
    return this.redis.get(this.currentKey());
  }

  async publish(version: string, previousTtlSeconds: number): Promise<void> {
    const previous = await this.redis.getset(this.currentKey(), version);
    if (previous === null || previous === version) return;
    await this.redis
      .multi()
      .expire(this.key(previous, 'item'), previousTtlSeconds)
      .expire(this.key(previous, 'user'), previousTtlSeconds)
      .expire(this.metaKey(previous), previousTtlSeconds)
      .exec();
  }

  async close(): Promise<void> {}
}
