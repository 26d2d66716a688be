/**
 * The distributed build: `build --workers 2` splits the lists into BullMQ jobs that two
 * worker processes compute, and the result is the very lists a single process writes,
 * under the same version, so a service starts warm from it.
 */
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import { deleteKeysWithPrefix } from '../../src/store/redis-keys.ts';
import { RedisNeighbourStore } from '../../src/store/redis-neighbour-store.ts';
import {
  FIXED_WEIGHTS_ENV,
  FIXTURE_DIR,
  killStartedChildren,
  startChild,
  tempDir,
} from '../e2e/helpers.ts';
import { redisUrl, type TestRedis, testRedis } from '../support/redis.ts';
import { cli } from './helpers.ts';

const build = (...args: string[]) => cli('build', ...args);

let shared: TestRedis;
const dirs: string[] = [];

afterAll(async () => {
  await killStartedChildren();
  if (shared) await deleteKeysWithPrefix(shared.redis, `{${shared.prefix}`);
  await shared?.cleanup();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('build --workers', () => {
  it('given the same inputs, when built by one process and by two workers, then every list and the version are the same, and a service starts warm from the workers’ build', async () => {
    shared = await testRedis();
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const common = [
      '--data',
      FIXTURE_DIR,
      '--data-dir',
      dataDir,
      '--redis',
      redisUrl(),
      '--weights',
      FIXED_WEIGHTS_ENV,
    ];
    const single = `${shared.prefix}:single`;
    const spread = `${shared.prefix}:spread`;
    await build(...common, '--prefix', single);
    const { stderr } = await build(
      ...common,
      '--prefix',
      spread,
      '--workers',
      '2',
      '--chunks',
      '3',
    );
    expect(stderr).toMatch(/workers wrote \d+ neighbour lists in 12 jobs/);
    // both workers took part
    const workers = new Set([...stderr.matchAll(/worker (\d+): (pairs|merge) /g)].map((m) => m[1]));
    expect(workers.size).toBe(2);

    const a = new RedisNeighbourStore(shared.redis, single);
    const b = new RedisNeighbourStore(shared.redis, spread);
    const version = await a.currentVersion();
    expect(version).not.toBeNull();
    expect(await b.currentVersion()).toBe(version);
    expect(await b.getMeta(version ?? '')).toEqual(await a.getMeta(version ?? ''));
    const dataset = await loadDataset(FIXTURE_DIR);
    const plain = (l: { ids: Int32Array; sims: Float32Array; supports: Int32Array } | null) =>
      l && [Array.from(l.ids), Array.from(l.sims), Array.from(l.supports)];
    const sides = {
      item: [...dataset.movies.keys()],
      user: [...new Set(dataset.ratings.userIds)],
    };
    for (const [side, ids] of Object.entries(sides) as Array<['item' | 'user', number[]]>) {
      const fromOne = (await a.getLists(version ?? '', side, ids)).map(plain);
      const fromTwo = (await b.getLists(version ?? '', side, ids)).map(plain);
      expect(fromTwo).toEqual(fromOne);
      expect(fromOne.filter((l) => l === null)).toEqual([]);
    }

    const server = await startChild({
      DATASET: FIXTURE_DIR,
      DATA_DIR: dataDir,
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: spread,
    });
    // every list installed: stamped with the very digest the service computes
    const warm = server.logs.find((r) => r.msg.startsWith('warm start'));
    expect(warm?.listsLoaded).toBe(sides.item.length + sides.user.length);
  });
});
