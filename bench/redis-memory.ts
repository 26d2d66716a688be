#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import type { RatingEvent } from '../src/store/rating-event.ts';
import { RatingStream } from '../src/store/rating-stream.ts';
import { deleteKeysWithPrefix } from '../src/store/redis-keys.ts';
import { start, stop } from './server-process.ts';

/**
 * What Redis holds per million ratings: the stream entry (as RatingStream.publish writes
 * it: the replica's id and the journal line), the snapshot field a compaction leaves per
 * (user, movie), and a neighbour list (`<prefix>:nbr:v3:<version>:<side>:<shard>` hashes,
 * a list of k entries packing into 20 + 12k bytes) after a real start of serve.ts.
 *
 * Method: write EVENTS events (default 100,000: ids of a 32M-rating MovieLens's range,
 * half-star ratings, one in twenty a removal, millisecond timestamps as the hybrid clock
 * gives) through RatingStream, then `MEMORY USAGE <key> SAMPLES 0` (every element
 * counted), scaled to a million; compact with no age limit to fill the snapshot and
 * measure it the same way. On a Redis of its own the growth of `used_memory` is printed
 * too (allocator view; on a shared server it also counts other clients' writes). Lists:
 * start serve.ts on DATASET (default ml-latest-small) under a prefix of its own, stop
 * it, and measure every shard hash. Writes only under its own prefixes and deletes them.
 *
 * REDIS_URL (default redis://127.0.0.1:6379), EVENTS, DATASET (LISTS=0 skips the lists).
 */
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const count = Number(process.env.EVENTS ?? 100_000);
const dataset = process.env.DATASET ?? 'ml-latest-small';
const measureLists = process.env.LISTS !== '0';
const prefix = `bench:redis-memory:${process.pid}`;
const MILLION = 1_000_000;

function events(n: number): RatingEvent[] {
  let x = 12_345;
  const next = (m: number) => {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    return x % m;
  };
  const t0 = Date.now();
  const out: RatingEvent[] = [];
  for (let k = 0; k < n; k++) {
    const userId = 1 + next(200_000);
    const movieId = 1 + next(90_000);
    const timestamp = (t0 + k * 7) / 1000;
    out.push(
      next(20) === 0
        ? { kind: 'remove', userId, movieId, timestamp }
        : { kind: 'rate', userId, movieId, rating: (1 + next(10)) / 2, timestamp },
    );
  }
  return out;
}

async function memoryUsage(redis: Redis, key: string): Promise<number> {
  return Number((await redis.memory('USAGE', key, 'SAMPLES', '0')) ?? 0);
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

async function keysMatching(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, page] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...page);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

async function ratingsCost(redis: Redis) {
  const reader = new Redis(url);
  const stream = new RatingStream(redis, reader, prefix, randomUUID(), null);
  await stream.claimEpoch();
  const all = events(count);
  const before = await usedMemory(redis);
  for (let k = 0; k < all.length; k += 1000) await stream.publish(all.slice(k, k + 1000));
  const streamBytes = await memoryUsage(redis, stream.key);
  const streamUsed = (await usedMemory(redis)) - before;

  const beforeSnapshot = await usedMemory(redis);
  await stream.compact({ maxEntries: 0, minAgeMs: 0 });
  const snapshotKey = `${stream.key}:snapshot`;
  const snapshotBytes = await memoryUsage(redis, snapshotKey);
  const snapshotUsed = (await usedMemory(redis)) - beforeSnapshot;
  const pairs = await redis.hlen(snapshotKey);
  // the next round trims what this one merged
  await stream.compact({ maxEntries: 0, minAgeMs: 0 });
  const trimmedLength = await redis.xlen(stream.key);
  const sample = (await redis.hrandfield(snapshotKey, 1, 'WITHVALUES')) as string[];
  await stream.stop();
  reader.disconnect();
  return {
    events: count,
    streamBytes,
    streamBytesPerMillion: (streamBytes / count) * MILLION,
    streamUsedPerMillion: (streamUsed / count) * MILLION,
    pairs,
    snapshotBytes,
    snapshotBytesPerMillion: (snapshotBytes / pairs) * MILLION,
    snapshotUsedPerMillion: (snapshotUsed / pairs) * MILLION,
    streamLengthAfterTrim: trimmedLength,
    sampleField: `${sample[0]} -> ${sample[1]} (${sample[1].length} bytes)`,
  };
}

async function listsCost(redis: Redis) {
  const servePrefix = `${prefix}:serve`;
  const dataDir = mkdtempSync(join(tmpdir(), 'redis-memory-'));
  try {
    const server = await start({
      DATASET: dataset,
      DATA_DIR: dataDir,
      REDIS_URL: url,
      REDIS_PREFIX: servePrefix,
      HYBRID_WEIGHTS: '0.9,1.05,-0.7,-1.06,0.2',
      LOG_FORMAT: 'json',
    });
    await stop(server);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const shardKeys = (await keysMatching(redis, `${servePrefix}:nbr:v3:*`)).filter((k) =>
    /:(item|user):\d+$/.test(k),
  );
  const bySide = new Map<string, { lists: number; packed: number; bytes: number }>();
  for (const key of shardKeys) {
    const side = /:(item|user):\d+$/.exec(key)?.[1] ?? '?';
    const acc = bySide.get(side) ?? { lists: 0, packed: 0, bytes: 0 };
    const values = await redis.hgetallBuffer(key);
    for (const [field, value] of Object.entries(values)) {
      if (field === '_') continue; // the mark that the version is live
      acc.lists++;
      acc.packed += value.length;
    }
    acc.bytes += await memoryUsage(redis, key);
    bySide.set(side, acc);
  }
  return [...bySide].map(([side, { lists, packed, bytes }]) => ({
    side,
    lists,
    meanK: (packed / lists - 20) / 12,
    packedBytesPerList: packed / lists,
    redisBytesPerList: bytes / lists,
    overheadPerList: (bytes - packed) / lists,
  }));
}

async function main(): Promise<void> {
  const redis = new Redis(url);
  const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
  const ratings = await ratingsCost(redis);
  await deleteKeysWithPrefix(redis, `${prefix}:`);
  const lists = measureLists ? await listsCost(redis) : [];
  await deleteKeysWithPrefix(redis, `${prefix}:`);
  redis.disconnect();

  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}, Redis ${version}`;
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  const out = process.stdout;
  out.write(`${machine}\n${count} events written through RatingStream\n\n`);
  out.write(
    '| what | MEMORY USAGE per million | used_memory growth per million |\n|---|---|---|\n',
  );
  out.write(
    `| stream entries | ${mb(ratings.streamBytesPerMillion)} | ${mb(ratings.streamUsedPerMillion)} |\n`,
  );
  out.write(
    `| snapshot fields (one per user, movie; ${ratings.pairs} pairs) | ${mb(ratings.snapshotBytesPerMillion)} | ${mb(ratings.snapshotUsedPerMillion)} |\n`,
  );
  out.write(`\nstream length after the trimming round: ${ratings.streamLengthAfterTrim}\n`);
  out.write(`a snapshot field: ${ratings.sampleField}\n`);
  if (lists.length > 0) {
    out.write(`\nneighbour lists after serve.ts started on ${dataset}\n\n`);
    out.write(
      '| side | lists | mean k | packed bytes per list (20 + 12k) | Redis bytes per list | overhead per list |\n|---|---|---|---|---|---|\n',
    );
    for (const l of lists) {
      out.write(
        `| ${l.side} | ${l.lists} | ${l.meanK.toFixed(1)} | ${l.packedBytesPerList.toFixed(0)} | ${l.redisBytesPerList.toFixed(0)} | ${l.overheadPerList.toFixed(0)} |\n`,
      );
    }
  }
  const file = 'bench/results/redis-memory.json';
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ machine, ratings, dataset, lists }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});
