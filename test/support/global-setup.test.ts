/**
 * The vitest global setup, called directly (as vitest calls it, with a stand-in for the
 * project's `provide`), in this worker: it must give the tests a Redis of their own when
 * REDIS_URL is not set, and leave no server behind.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type SetupContext, setup, teardown } from './global-setup.ts';

const saved = { REDIS_URL: process.env.REDIS_URL, PATH: process.env.PATH };

afterEach(async () => {
  await teardown();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** Runs the setup and returns what it provided. */
async function provided(): Promise<Map<string, unknown>> {
  const values = new Map<string, unknown>();
  const context: SetupContext = { provide: (key, value) => void values.set(key, value) };
  await setup(context);
  return values;
}

/** The error code of a TCP connection to this loopback port, or null if one is made. */
function connectError(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the vitest global setup', () => {
  it('given no REDIS_URL and redis-server on the PATH, when set up, then it provides a private Redis on loopback that answers PING, and after teardown that server is gone', async () => {
    delete process.env.REDIS_URL;
    const url = (await provided()).get('redisUrl');
    expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);

    const client = new Redis(url as string, { lazyConnect: true, maxRetriesPerRequest: 0 });
    client.on('error', () => {});
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    const info = await client.info('server');
    const pid = Number(/^process_id:(\d+)/m.exec(info)?.[1]);
    // no persistence: a test run never writes dumps
    expect(await client.config('GET', 'save')).toEqual(['save', '']);
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    client.disconnect();
    expect(isRunning(pid)).toBe(true);

    await teardown();

    expect(isRunning(pid)).toBe(false);
    await expect(connectError(Number(new URL(url as string).port))).resolves.toBe('ECONNREFUSED');
  });

  it('given REDIS_URL, when set up, then it provides that URL and starts nothing', async () => {
    process.env.REDIS_URL = 'redis://redis.example:6390';
    const values = await provided();
    expect(Object.fromEntries(values)).toEqual({ redisUrl: 'redis://redis.example:6390' });
  });

  // where a Docker engine may answer, the setup would rightly start a container instead
  const mayHaveDocker = Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
  it.skipIf(mayHaveDocker)(
    'given no REDIS_URL, no redis-server on the PATH and no Docker engine, when set up, then it provides no URL and a reason that names what is missing',
    async () => {
      delete process.env.REDIS_URL;
      const empty = await mkdtemp(join(tmpdir(), 'movie-recs-empty-path-'));
      try {
        process.env.PATH = empty;
        const values = await provided();
        expect(values.get('redisUrl')).toBeUndefined();
        expect(values.get('noRedisReason')).toMatch(/^redis-server is not on the PATH; no Docker/);
      } finally {
        await rm(empty, { recursive: true, force: true });
      }
    },
  );
});
