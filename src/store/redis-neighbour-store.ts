import type { Side } from '../engine/matrix.ts';
import { type NeighbourStore, packList, type StoredList, unpackList } from './neighbour-store.ts';
import type { RedisClient } from './redis-client.ts';

/** Hashes per side and version: lists spread over this many keys, so over a cluster's slots. */
export const SHARDS = 32;

/**
 * Neighbour lists in Redis. Key layout (format version v2 in every key):
 * - `<prefix>:nbr:v2:current`: the published model version (a string);
 * - `<prefix>:nbr:v2:<version>:<side>:<shard>`: a hash from MovieLens id to the packed
 *   list (see packList), the id's shard being `id % SHARDS`; a batch of lists is one HMGET
 *   per shard it touches, sent together (one round trip to one server; on a cluster, one
 *   per node holding those slots), and a batch of writes one HSET per shard;
 * - `<prefix>:nbr:v2:<version>:meta`: a hash of facts about the version (hybrid weights).
 * Every command names one key, so none crosses slots on a cluster. Publishing a rebuild
 * sets `current` and gives the previous version's hashes a TTL, so replicas still reading
 * it finish, and nothing is left behind.
 */
export class RedisNeighbourStore implements NeighbourStore {
  readonly kind = 'redis';

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(version: string, side: Side, shard: number): string {
    return `${this.prefix}:nbr:v2:${version}:${side}:${shard}`;
  }

  private currentKey(): string {
    return `${this.prefix}:nbr:v2:current`;
  }

  private metaKey(version: string): string {
    return `${this.prefix}:nbr:v2:${version}:meta`;
  }

  async getLists(
    version: string,
    side: Side,
    ids: ReadonlyArray<number>,
  ): Promise<Array<StoredList | null>> {
    const out = new Array<StoredList | null>(ids.length).fill(null);
    await Promise.all(
      [...byShard(ids)].map(async ([shard, positions]) => {
        const fields = positions.map((t) => String(ids[t]));
        const values = await this.redis.hmgetBuffer(this.key(version, side, shard), ...fields);
        values.forEach((v, k) => {
          if (v !== null) out[positions[k]] = unpackList(v);
        });
      }),
    );
    return out;
  }

  async putLists(
    version: string,
    side: Side,
    entries: ReadonlyArray<{ id: number; list: StoredList }>,
  ): Promise<void> {
    const ids = entries.map((e) => e.id);
    await Promise.all(
      [...byShard(ids)].map(([shard, positions]) => {
        const args: Array<string | Buffer> = [];
        for (const t of positions) args.push(String(entries[t].id), packList(entries[t].list));
        return this.redis.hset(this.key(version, side, shard), ...args);
      }),
    );
  }

  async deleteLists(version: string, side: Side, ids: ReadonlyArray<number>): Promise<void> {
    await Promise.all(
      [...byShard(ids)].map(([shard, positions]) =>
        this.redis.hdel(this.key(version, side, shard), ...positions.map((t) => String(ids[t]))),
      ),
    );
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
    // one key per command: on a cluster the previous version's hashes lie in many slots
    const keys = [this.metaKey(previous)];
    for (const side of ['item', 'user'] as const) {
      for (let shard = 0; shard < SHARDS; shard++) keys.push(this.key(previous, side, shard));
    }
    await Promise.all(keys.map((key) => this.redis.expire(key, previousTtlSeconds)));
  }

  async close(): Promise<void> {}
}

/** Positions of `ids` grouped by shard. */
function byShard(ids: ReadonlyArray<number>): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  ids.forEach((id, t) => {
    const shard = id % SHARDS;
    const group = groups.get(shard);
    if (group) group.push(t);
    else groups.set(shard, [t]);
  });
  return groups;
}
