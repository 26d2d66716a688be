import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import { defaultModelConfig } from '../../src/engine/model.ts';
import { listEnd, listStart } from '../../src/engine/neighbours.ts';
import { RecommenderService } from '../../src/service/recommender-service.ts';
import { RedisNeighbourStore } from '../../src/store/redis-neighbour-store.ts';
import { FIXED_WEIGHTS, FIXTURE_DIR } from '../e2e/helpers.ts';

/** A free loopback port, from a server bound to port 0. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * A redis-server of this test's own on a loopback port, started and stopped by the test
 * (by its pid); it saves its data to a dump on shutdown so a restart finds the lists.
 */
class OwnRedis {
  private child: ChildProcess | null = null;
  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
    const probe = new Redis(this.port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => 50 });
    probe.on('error', () => {});
    for (let t = 0; t < 100; t++) {
      try {
        await probe.connect();
        await probe.ping();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    probe.disconnect();
  }

  /** SHUTDOWN SAVE: the data is on disk when the server is gone. */
  async stop(): Promise<void> {
    const c = new Redis(this.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
    await c.connect();
    await c.call('SHUTDOWN', 'SAVE').catch(() => undefined);
    c.disconnect();
    await new Promise<void>((resolve) => {
      if (!this.child || this.child.exitCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
  }

  kill(): void {
    this.child?.kill('SIGKILL');
  }
}

describe('a Redis outage', () => {
  let own: OwnRedis;
  let dir: string;
  let client: Redis;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'movie-recs-redis-'));
    own = new OwnRedis(await freePort(), dir);
    await own.start();
    // the options serve.ts uses: fail fast while Redis is away, reconnect by itself
    client = new Redis(own.port, '127.0.0.1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 2000,
      retryStrategy: () => 100,
    });
    client.on('error', () => {});
    await new Promise<void>((resolve) => client.once('ready', () => resolve()));
  });
  afterAll(async () => {
    client?.disconnect();
    own?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('given Redis stops mid-test, when ratings and queries arrive, then they are answered from the process, and once Redis is back the store catches up without a manual step', async () => {
    const dataset = await loadDataset(FIXTURE_DIR);
    const store = new RedisNeighbourStore(client, 'outage');
    const { service } = await RecommenderService.createWithStore(
      dataset,
      [],
      defaultModelConfig,
      FIXED_WEIGHTS,
      null,
      null,
      store,
    );
    const version = (await store.currentVersion()) as string;
    await own.stop();

    const [userId, movieId] = [dataset.ratings.userIds[0], dataset.ratings.movieIds[5]];
    await service.rate(userId, movieId, 5);
    await service.rate(dataset.ratings.userIds[9], dataset.ratings.movieIds[2], 0.5);
    await service.remove(dataset.ratings.userIds[4], dataset.ratings.movieIds[4]);
    expect(service.redisBehind).toBe(true);
    const similar = await service.similarMovies([{ movieId, first: 5 }]);
    expect(similar[0].length).toBeGreaterThan(0);
    const recs = await service.recommendations([
      { userId, first: 5, strategy: 'hybrid', genres: [], excludeRated: true },
    ]);
    expect(recs[0]).toHaveLength(5);

    await own.start();
    await new Promise<void>((resolve) => {
      if (client.status === 'ready') resolve();
      else client.once('ready', () => resolve());
    });
    await service.resyncRedis();
    expect(service.redisBehind).toBe(false);
    // every list the store holds is exact for the ratings now (nothing stale survived)
    for (const side of ['item', 'user'] as const) {
      const lists = service.live.model[side]?.lists;
      if (!lists) throw new Error(`no ${side} lists`);
      const n = side === 'item' ? service.live.movieIds.length : service.live.userCount;
      const idOf = (a: number) =>
        side === 'item' ? service.live.movieIds[a] : service.live.userId(a);
      const entities = Array.from({ length: n }, (_, a) => a);
      service.live.ensureLists(side, entities);
      const stored = await store.getLists(version, side, entities.map(idOf));
      stored.forEach((l, a) => {
        if (!l) return;
        const start = listStart(lists, a);
        const end = listEnd(lists, a);
        expect(Array.from(l.ids), `${side} ${idOf(a)}`).toEqual(
          Array.from(lists.idx.subarray(start, end), idOf),
        );
        expect(Array.from(l.sims), `${side} ${idOf(a)}`).toEqual(
          Array.from(lists.sim.subarray(start, end)),
        );
      });
    }
  });
});
