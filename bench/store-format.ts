#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { Redis } from 'ioredis';
import { packList, type StoredList, unpackList } from '../src/store/neighbour-store.ts';
import { deleteKeysWithPrefix } from '../src/store/redis-keys.ts';
import { RedisNeighbourStore, SHARDS } from '../src/store/redis-neighbour-store.ts';

/**
 * Which Redis encoding for neighbour lists: one sorted set per list (member = id,
 * score = similarity; support needs a second structure, here a hash) or the packed
 * binary value in one hash per side. Measures the memory Redis reports and the time to
 * read a batch of lists (what one recommendations request needs), each as the median of
 * several rounds. Needs REDIS_URL; writes only under its own prefix and deletes it.
 */
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const lists = Number(process.env.LISTS ?? 2000);
const k = Number(process.env.K ?? 50);
const batch = Number(process.env.BATCH ?? 200);
const rounds = Number(process.env.ROUNDS ?? 25);
const prefix = `bench:store-format:${process.pid}`;

function randomList(seed: number): StoredList {
  let x = seed;
  const next = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x;
  };
  const ids = Int32Array.from({ length: k }, () => 1 + (next() % 60000));
  const sims = Float32Array.from({ length: k }, (_, t) => 1 - t / k);
  const supports = Int32Array.from({ length: k }, () => 1 + (next() % 500));
  return { ids, sims, supports, stamp: { digest: '0123456789abcdef', position: 0 } };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function memoryOf(redis: Redis, keys: string[]): Promise<number> {
  let total = 0;
  for (let i = 0; i < keys.length; i += 500) {
    const p = redis.pipeline();
    for (const key of keys.slice(i, i + 500)) p.memory('USAGE', key, 'SAMPLES', '0');
    for (const [, v] of (await p.exec()) ?? []) total += Number(v ?? 0);
  }
  return total;
}

async function main(): Promise<void> {
  const redis = new Redis(url);
  const data = Array.from({ length: lists }, (_, i) => randomList(i + 1));
  const ids = Array.from({ length: batch }, (_, t) => 1 + ((t * 7919) % lists));

  // packed: one hash, field = id
  const packedKey = `${prefix}:packed`;
  for (let i = 0; i < lists; i += 500) {
    const args: Array<string | Buffer> = [];
    for (let j = i; j < Math.min(lists, i + 500); j++) args.push(String(j + 1), packList(data[j]));
    await redis.hset(packedKey, ...args);
  }
  // sorted sets: one per list, plus a hash of supports per list
  const zKeys: string[] = [];
  for (let i = 0; i < lists; i += 200) {
    const p = redis.pipeline();
    for (let j = i; j < Math.min(lists, i + 200); j++) {
      const zs: Array<string | number> = [];
      const hs: string[] = [];
      data[j].ids.forEach((id, t) => {
        zs.push(data[j].sims[t], String(id));
        hs.push(String(id), String(data[j].supports[t]));
      });
      p.zadd(`${prefix}:z:${j + 1}`, ...zs);
      p.hset(`${prefix}:s:${j + 1}`, ...hs);
      zKeys.push(`${prefix}:z:${j + 1}`, `${prefix}:s:${j + 1}`);
    }
    await p.exec();
  }

  // the store as the service uses it: packed lists in SHARDS hashes per side
  const store = new RedisNeighbourStore(redis, `${prefix}:sharded`);
  for (let i = 0; i < lists; i += 500) {
    const entries = [];
    for (let j = i; j < Math.min(lists, i + 500); j++) entries.push({ id: j + 1, list: data[j] });
    await store.putLists('v', 'item', entries);
  }
  const shardKeys = Array.from(
    { length: SHARDS },
    (_, s) => `${prefix}:sharded:nbr:v2:v:item:${s}`,
  );

  const packedTimes: number[] = [];
  const shardedTimes: number[] = [];
  const zsetTimes: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    const values = await redis.hmgetBuffer(packedKey, ...ids.map(String));
    for (const v of values) if (v) unpackList(v);
    packedTimes.push(performance.now() - t);

    t = performance.now();
    await store.getLists('v', 'item', ids);
    shardedTimes.push(performance.now() - t);

    t = performance.now();
    const p = redis.pipeline();
    for (const id of ids) {
      p.zrevrange(`${prefix}:z:${id}`, 0, -1, 'WITHSCORES');
      p.hgetall(`${prefix}:s:${id}`);
    }
    const replies = (await p.exec()) ?? [];
    for (let q = 0; q < replies.length; q += 2) {
      const flat = replies[q][1] as string[];
      const supports = replies[q + 1][1] as Record<string, string>;
      const n = flat.length / 2;
      const out = {
        ids: new Int32Array(n),
        sims: new Float32Array(n),
        supports: new Int32Array(n),
      };
      for (let e = 0; e < n; e++) {
        out.ids[e] = Number(flat[2 * e]);
        out.sims[e] = Number(flat[2 * e + 1]);
        out.supports[e] = Number(supports[flat[2 * e]]);
      }
    }
    zsetTimes.push(performance.now() - t);
  }
  const packedBytes = await memoryOf(redis, [packedKey]);
  const zsetBytes = await memoryOf(redis, zKeys);
  const shardedBytes = await memoryOf(redis, shardKeys);
  const rows = [
    {
      format: 'packed binary in one hash (chosen first)',
      bytesPerList: packedBytes / lists,
      readMs: median(packedTimes),
    },
    {
      format: `packed binary in ${SHARDS} hashes (the store now)`,
      bytesPerList: shardedBytes / lists,
      readMs: median(shardedTimes),
    },
    {
      format: 'sorted set + support hash per list',
      bytesPerList: zsetBytes / lists,
      readMs: median(zsetTimes),
    },
  ];
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}`;
  process.stdout.write(
    `${lists} lists of ${k}, reading ${batch} per request, ${rounds} rounds; ${machine}\n\n`,
  );
  process.stdout.write(
    '| format | Redis bytes per list | read of a batch, median ms |\n|---|---|---|\n',
  );
  for (const r of rows)
    process.stdout.write(
      `| ${r.format} | ${Math.round(r.bytesPerList)} | ${r.readMs.toFixed(2)} |\n`,
    );
  const out = 'bench/results/store-format.json';
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ lists, k, batch, rounds, machine, rows }, null, 2)}\n`);

  await deleteKeysWithPrefix(redis, `${prefix}:`);
  redis.disconnect();
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
