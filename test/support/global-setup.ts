import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartedRedisContainer } from '@testcontainers/redis';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { freePort } from './own-redis.ts';

/**
 * Provides Redis to the tests that need it, first of:
 * 1. REDIS_URL, when it is set (a Redis of your own, shared safely: see support/redis.ts);
 * 2. a private `redis-server` on a free loopback port, when one is on the PATH;
 * 3. a throwaway `redis:7` container from testcontainers, when a Docker engine answers;
 * 4. nothing: the tests that need Redis then fail saying what to install.
 *
 * The URL reaches the test workers through vitest's `provide`/`inject` (the documented
 * channel out of a global setup), read by `redisUrl()` in support/redis.ts. The
 * failure is left to those tests rather than thrown here, so that the many tests that
 * need no Redis (`vitest run test/engine`) still run on a machine without it.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the tests find Redis; absent when there is none. */
    redisUrl?: string;
    /** Why there is no Redis, for the message of a test that needs one. */
    noRedisReason?: string;
  }
}

/** What the setup uses of vitest's TestProject, so a test can call it with a fake. */
export type SetupContext = Pick<TestProject, 'provide'>;

/** How long a fresh redis-server gets to answer; the machines can be slow and loaded. */
const START_TIMEOUT_MS = 20_000;
/** Attempts at a free port: one found free can be taken before redis-server binds it. */
const PORT_ATTEMPTS = 5;

interface PrivateRedis {
  readonly url: string;
  readonly child: ChildProcess;
  readonly dir: string;
  readonly onExit: () => void;
}

let server: PrivateRedis | null = null;
let container: StartedRedisContainer | null = null;

export async function setup({ provide }: SetupContext): Promise<void> {
  const given = process.env.REDIS_URL;
  if (given) {
    provide('redisUrl', given);
    return;
  }
  const started = await startRedisServer();
  if (started.ok) {
    server = started.server;
    provide('redisUrl', server.url);
    return;
  }
  try {
    const { RedisContainer } = await import('@testcontainers/redis');
    container = await new RedisContainer('redis:7').start();
    provide('redisUrl', container.getConnectionUrl());
  } catch (err) {
    const docker = err instanceof Error ? err.message.split('\n')[0] : String(err);
    provide(
      'noRedisReason',
      `${started.reason}; no Docker engine for testcontainers either (${docker})`,
    );
  }
}

export async function teardown(): Promise<void> {
  if (server) {
    await stopRedisServer(server);
    server = null;
  }
  await container?.stop();
  container = null;
}

type StartResult =
  | { readonly ok: true; readonly server: PrivateRedis }
  | { readonly ok: false; readonly reason: string };

/**
 * `redis-server` on a free loopback port, with no persistence, in a temp dir of its own.
 * Not ok when the command is not on the PATH, or when it never answered.
 */
async function startRedisServer(): Promise<StartResult> {
  let last = '';
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'movie-recs-test-redis-'));
    const port = await freePort();
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--logfile',
        join(dir, 'redis.log'),
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
    const outcome = await answersOrExits(child, port);
    if (outcome === 'ours') {
      // a vitest that exits without its teardown (an uncaught error, Ctrl-C) must not
      // leave the server behind; 'exit' handlers run synchronously, and kill() is
      const onExit = () => child.kill('SIGKILL');
      process.once('exit', onExit);
      return { ok: true, server: { url: `redis://127.0.0.1:${port}`, child, dir, onExit } };
    }
    if (outcome === 'not-found') {
      await rm(dir, { recursive: true, force: true });
      return { ok: false, reason: 'redis-server is not on the PATH' };
    }
    const log = await readFile(join(dir, 'redis.log'), 'utf8').catch(() => '');
    last = `${outcome}: ${log.trim().split('\n').slice(-3).join(' | ')}`;
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  }
  return { ok: false, reason: `redis-server did not start (${last})` };
}

/**
 * Until the server on `port` answers with the child's own pid (another process could
 * have taken the port after freePort() saw it free), the child exits, or time is up.
 */
function answersOrExits(
  child: ChildProcess,
  port: number,
): Promise<'ours' | 'not-found' | 'exited' | 'someone else' | 'timed out'> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome: Awaited<ReturnType<typeof answersOrExits>>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('timed out'), START_TIMEOUT_MS);
    // a command that is not on the PATH arrives as an 'error' event, not as a throw
    child.once('error', (err: NodeJS.ErrnoException) =>
      finish(err.code === 'ENOENT' ? 'not-found' : 'exited'),
    );
    child.once('exit', () => finish('exited'));
    const probe = async () => {
      while (!done) {
        const pid = await serverPid(port);
        if (pid !== null) {
          finish(pid === child.pid ? 'ours' : 'someone else');
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    void probe();
  });
}

/** The process_id a Redis on this loopback port reports, or null if none answers. */
async function serverPid(port: number): Promise<number | null> {
  const client = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const info = await client.info('server');
    const match = /^process_id:(\d+)/m.exec(info);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}

/** SIGTERM by pid (no persistence, so it exits at once), SIGKILL if it lingers. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function stopRedisServer(s: PrivateRedis): Promise<void> {
  process.removeListener('exit', s.onExit);
  await stopChild(s.child);
  await rm(s.dir, { recursive: true, force: true });
}
