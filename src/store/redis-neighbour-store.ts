import type { Side } from '../engine/matrix.ts';
import {
  type NeighbourStore,
  PACKED_HEADER_BYTES,
  PACKED_POSITION_OFFSET,
  packList,
  type StoredList,
  unpackList,
} from './neighbour-store.ts';
import { type RedisClient, scanTargets } from './redis-client.ts';

/** Hashes per side and version: lists spread over this many keys, so over a cluster's slots. */
export const SHARDS = 32;

/** The format version in every key: v3 lists carry the stamp of the ratings they reflect. */
const FORMAT = 'v3';
/** A field every shard hash of a live version holds, so an empty shard exists too. */
const LIVE_FIELD = '_';

/**
 * Writes each (field, position, packed list) of ARGV[2..] into the hash KEYS[1] unless
 * the list stored there has a later position, and only into a hash that exists unless
 * ARGV[1] is '1': comparing and writing in one script, no replica can slip a write in
 * between. Returns how many lists were written, or -1 when the hash is not there.
 */
const PUT_IF_NEWER = `
if ARGV[1] ~= '1' and redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local written = 0
for k = 2, #ARGV, 3 do
  local old = redis.call('HGET', KEYS[1], ARGV[k])
  local newer = true
  if old and string.len(old) >= ${PACKED_HEADER_BYTES} then
    newer = struct.unpack('<d', old, ${PACKED_POSITION_OFFSET + 1}) <= tonumber(ARGV[k + 1])
  end
  if newer then
    redis.call('HSET', KEYS[1], ARGV[k], ARGV[k + 2])
    written = written + 1
  end
end
return written
`;

type ScriptedClient = RedisClient & {
  putListsIfNewer(key: string, ...args: Array<string | Buffer>): Promise<number>;
};

/**
 * Neighbour lists in Redis. Key layout (format version v3 in every key):
 * - `<prefix>:nbr:v3:current`: the published model version (a string);
 * - `<prefix>:nbr:v3:<version>:<side>:<shard>`: a hash from MovieLens id to the packed
 *   list (see packList: the list and the stamp of the ratings it reflects), the id's shard
 *   being `id % SHARDS`, plus the field `_` that marks the version live; a batch of lists
 *   is one HMGET per shard it touches, sent together (one round trip to one server; on a
 *   cluster, one per node holding those slots), and a batch of writes one script call per
 *   shard (PUT_IF_NEWER: compare the stamps, then write);
 * - `<prefix>:nbr:v3:<version>:meta`: a hash of facts about the version (hybrid weights).
 * Every command names one key, so none crosses slots on a cluster. Publishing a rebuild
 * sets `current` and gives the previous version's hashes a TTL, so replicas still reading
 * it finish; once they expire no write-back creates them again, so nothing is left behind.
 */
export class RedisNeighbourStore implements NeighbourStore {
  readonly kind = 'redis';

  private readonly scripted: ScriptedClient;
  /** Versions this store marked live (the mark is written once, not per batch). */
  private readonly live = new Set<string>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    if (!('putListsIfNewer' in redis)) {
      redis.defineCommand('putListsIfNewer', { numberOfKeys: 1, lua: PUT_IF_NEWER });
    }
    this.scripted = redis as ScriptedClient;
  }

  private key(version: string, side: Side, shard: number): string {
    return `${this.prefix}:nbr:${FORMAT}:${version}:${side}:${shard}`;
  }

  private currentKey(): string {
    return `${this.prefix}:nbr:${FORMAT}:current`;
  }

  private metaKey(version: string): string {
    return `${this.prefix}:nbr:${FORMAT}:${version}:meta`;
  }

  private shardKeys(version: string): string[] {
    const keys: string[] = [];
    for (const side of ['item', 'user'] as const) {
      for (let shard = 0; shard < SHARDS; shard++) keys.push(this.key(version, side, shard));
    }
    return keys;
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
        // the field of the live mark is never an id, so it never comes back here
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
    mode: 'create' | 'existing' = 'existing',
  ): Promise<void> {
    if (mode === 'create') await this.markLive(version);
    const ids = entries.map((e) => e.id);
    await Promise.all(
      [...byShard(ids)].map(([shard, positions]) => {
        const args: Array<string | Buffer> = [mode === 'create' ? '1' : '0'];
        for (const t of positions) {
          const { id, list } = entries[t];
          args.push(String(id), String(list.stamp.position), packList(list));
        }
        return this.scripted.putListsIfNewer(this.key(version, side, shard), ...args);
      }),
    );
  }

  /** Marks every shard hash of a version live, once per version and store. */
  private async markLive(version: string): Promise<void> {
    if (this.live.has(version)) return;
    await Promise.all(this.shardKeys(version).map((key) => this.redis.hset(key, LIVE_FIELD, '1')));
    this.live.add(version);
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
    // every shard hash gets the live mark, so write-backs into an empty shard are taken
    this.live.delete(version);
    await this.markLive(version);
    if (Object.keys(meta).length === 0) return;
    await this.redis.hset(this.metaKey(version), meta);
  }

  async versions(): Promise<string[]> {
    const found = new Set<string>();
    // every version's first item shard holds the live mark, whatever its meta
    const pattern = `${this.prefix}:nbr:${FORMAT}:*:item:0`;
    for (const node of scanTargets(this.redis)) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) found.add(key.slice(pattern.length - 8, -7));
      } while (cursor !== '0');
    }
    return [...found].sort();
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
    const keys = [this.metaKey(previous), ...this.shardKeys(previous)];
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
