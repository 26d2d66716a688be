import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';

/** A free loopback port, from a server bound to port 0. */
export function freePort(): Promise<number> {
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
/** Until a redis-server on this loopback port answers PING (10 s at most). */
export async function waitForPing(port: number): Promise<void> {
  // the offline queue holds the PING until one of the reconnections gets through
  const probe = new Redis(port, '127.0.0.1', {
    retryStrategy: () => 50,
    maxRetriesPerRequest: null,
  });
  probe.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`redis-server on ${port} did not answer within 10 s`)),
          10_000,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    probe.disconnect();
  }
}

export class OwnRedis {
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
    await waitForPing(this.port);
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

/**
 * A client with the options serve.ts uses (fail fast while Redis is away, reconnect by
 * itself every 100 ms), connected to a test's own redis-server.
 */
export async function serviceClient(port: number): Promise<Redis> {
  const client = new Redis(port, '127.0.0.1', {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    retryStrategy: () => 100,
  });
  client.on('error', () => {});
  await new Promise<void>((resolve) => client.once('ready', () => resolve()));
  return client;
}

/** Resolves once the client is ready again (after its server came back). */
export function ready(client: Redis): Promise<void> {
  return new Promise<void>((resolve) => {
    if (client.status === 'ready') resolve();
    else client.once('ready', () => resolve());
  });
}

/**
 * A redis-server of the calling describe block's own, with a serve-like client on it:
 * started before its tests, killed (and its directory removed) after them. The fields
 * are set once the block's tests run.
 */
export function ownRedisForBlock(): { own: OwnRedis; client: Redis } {
  const handle = {} as { own: OwnRedis; client: Redis };
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'movie-recs-own-redis-'));
    handle.own = new OwnRedis(await freePort(), dir);
    await handle.own.start();
    handle.client = await serviceClient(handle.own.port);
  });
  afterAll(async () => {
    handle.client?.disconnect();
    handle.own?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return handle;
}
