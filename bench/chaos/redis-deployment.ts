import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import type { RedisClient } from '../../src/store/redis-client.ts';
import {
  freePort,
  isPortFree,
  isRunning,
  killHard,
  signal,
  spawnLogged,
  stopGently,
  until,
  waitExit,
} from './processes.ts';

const run = promisify(execFile);

/**
 * The Redis a schedule runs on: one redis-server with an append-only file, or a cluster of
 * three masters with a replica each. Every server is a child process on a loopback port,
 * keeps its files in a directory of the schedule's, and is stopped by its pid.
 *
 * The cluster is a copy of the parts of test/support/redis-cluster.ts it needs, not an
 * import: that class keeps its nodes private and cannot restart a killed node on its own
 * port and directory, which the master-kill fault needs.
 */
export interface RedisDeployment {
  readonly topology: 'single' | 'cluster';
  /** REDIS_URL or REDIS_CLUSTER_NODES, for a replica's environment. */
  env(): Record<string, string>;
  /** A new client for the final checks; disconnect it when done. */
  client(): RedisClient;
  /** Starts whatever is down and waits until every server answers (cluster: is healthy). */
  ensureUp(): Promise<void>;
  /** SIGKILLs every server. */
  stop(): Promise<void>;
  /** One line on where its logs are. */
  describe(): string;
}

const PING_TIMEOUT_MS = 15_000;

/** Whether a redis-server on this port answers PING (not LOADING, not refusing). */
async function pings(port: number): Promise<boolean> {
  const c = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 500,
    commandTimeout: 500,
  });
  c.on('error', () => {});
  try {
    await c.connect();
    return (await c.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}

// ---------------------------------------------------------------------------------------

/** One redis-server with `--appendonly yes --appendfsync everysec --save ""`. */
export class SingleRedis implements RedisDeployment {
  readonly topology = 'single';
  private child: ChildProcess | null = null;
  private copies = 0;

  private constructor(
    private port: number,
    private readonly dir: string,
    private readonly logPath: string,
  ) {}

  /** Starts it on a free port (another port if that one is taken by the time it binds). */
  static async start(scheduleDir: string): Promise<SingleRedis> {
    const dir = join(scheduleDir, 'redis');
    mkdirSync(dir, { recursive: true });
    const redis = new SingleRedis(await freePort(), dir, join(scheduleDir, 'redis.log'));
    for (let attempt = 0; ; attempt++) {
      try {
        await redis.startServer();
        return redis;
      } catch (err) {
        await redis.kill();
        if (attempt >= 3) throw err;
        redis.port = await freePort();
      }
    }
  }

  private async startServer(): Promise<void> {
    const child = spawnLogged(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
      ],
      { logPath: this.logPath },
    );
    this.child = child;
    await until(
      async () => {
        if (!isRunning(child)) throw new Error(`redis-server on ${this.port} exited at start`);
        return pings(this.port);
      },
      PING_TIMEOUT_MS,
      `redis-server on ${this.port} did not answer PING`,
    );
  }

  env(): Record<string, string> {
    return { REDIS_URL: `redis://127.0.0.1:${this.port}` };
  }

  client(): RedisClient {
    return new Redis(this.port, '127.0.0.1', { maxRetriesPerRequest: 2, commandTimeout: 5000 });
  }

  get up(): boolean {
    return this.child !== null && isRunning(this.child);
  }

  /** SIGTERM: Redis flushes its append-only file and exits. */
  async stopGracefully(): Promise<void> {
    if (this.child) await stopGently(this.child, 10_000);
  }

  async kill(): Promise<void> {
    if (this.child) await killHard(this.child);
  }

  /** Deletes everything in its directory (it must be down). */
  wipe(): void {
    for (const name of readdirSync(this.dir)) {
      rmSync(join(this.dir, name), { recursive: true, force: true });
    }
  }

  /**
   * Copies its directory as it is now, beside it, and returns the copy's path. A command
   * being appended may be cut; Redis drops a torn last command when it loads the file.
   */
  copyDir(): string {
    const copy = `${this.dir}-copy-${++this.copies}`;
    cpSync(this.dir, copy, { recursive: true });
    return copy;
  }

  /** Replaces its directory's content with a copy (it must be down). */
  restoreDir(copy: string): void {
    this.wipe();
    cpSync(copy, this.dir, { recursive: true });
    rmSync(copy, { recursive: true, force: true });
  }

  /** Starts it again on the same port and directory. */
  async restart(): Promise<void> {
    await until(() => isPortFree(this.port), 5000, `port ${this.port} is still taken`);
    await this.startServer();
  }

  async ensureUp(): Promise<void> {
    // a SIGCONT costs nothing and undoes a pause
    if (this.child) signal(this.child, 'SIGCONT');
    if (!this.up) await this.restart();
    await until(() => pings(this.port), PING_TIMEOUT_MS, `redis-server on ${this.port} is down`);
  }

  async stop(): Promise<void> {
    await this.kill();
  }

  describe(): string {
    return `redis-server on 127.0.0.1:${this.port}, log ${this.logPath}`;
  }
}

// ---------------------------------------------------------------------------------------

interface ClusterNode {
  readonly port: number;
  readonly dir: string;
  child: ChildProcess;
}

/** A port whose cluster bus port (port + 10000) is free too. */
async function freeNodePort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 15000);
    if (taken.has(port)) continue;
    if ((await isPortFree(port)) && (await isPortFree(port + 10000))) return port;
  }
  throw new Error('no free port pair for a cluster node');
}

/** Three masters with one replica each, every node with its own append-only file. */
export class RedisClusterDeployment implements RedisDeployment {
  readonly topology = 'cluster';

  private constructor(
    private readonly nodes: ClusterNode[],
    private readonly logDir: string,
  ) {}

  static async start(scheduleDir: string, masters = 3): Promise<RedisClusterDeployment> {
    const taken = new Set<number>();
    const nodes: ClusterNode[] = [];
    const cluster = new RedisClusterDeployment(nodes, scheduleDir);
    for (let k = 0; k < masters * 2; k++) {
      const port = await freeNodePort(taken);
      taken.add(port);
      const dir = join(scheduleDir, `redis-${port}`);
      mkdirSync(dir, { recursive: true });
      nodes.push({ port, dir, child: cluster.spawnNode(port, dir) });
    }
    for (const node of nodes) {
      await until(() => pings(node.port), PING_TIMEOUT_MS, `cluster node ${node.port} is down`);
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    await cluster.waitHealthy();
    return cluster;
  }

  private spawnNode(port: number, dir: string): ChildProcess {
    return spawnLogged(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        '1000',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
      ],
      { logPath: join(this.logDir, `redis-${port}.log`) },
    );
  }

  private get live(): ClusterNode[] {
    return this.nodes.filter((n) => isRunning(n.child));
  }

  env(): Record<string, string> {
    // every node, live or not: the client tries the seeds in turn
    return { REDIS_CLUSTER_NODES: this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',') };
  }

  client(): RedisClient {
    return new Cluster(
      this.live.map((n) => ({ host: '127.0.0.1', port: n.port })),
      { redisOptions: { maxRetriesPerRequest: 2, commandTimeout: 5000 } },
    );
  }

  /** Until every live node says cluster_state:ok and every live replica has synced. */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    await until(() => this.healthy(), timeoutMs, 'the Redis cluster did not become healthy', 200);
  }

  private async healthy(): Promise<boolean> {
    for (const { port } of this.live) {
      const c = new Redis(port, '127.0.0.1', {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: 500,
      });
      c.on('error', () => {});
      try {
        await c.connect();
        const info = String(await c.call('CLUSTER', 'INFO'));
        if (!info.includes('cluster_state:ok')) return false;
        // a replica that never synced cannot be elected: its master's slots would stay down
        const replication = await c.info('replication');
        if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) {
          return false;
        }
      } catch {
        return false;
      } finally {
        c.disconnect();
      }
    }
    return true;
  }

  /** [slot from, slot to, master port] of every range, as a live node sees them. */
  private async slots(): Promise<Array<[number, number, number]>> {
    for (const { port } of this.live) {
      const c = new Redis(port, '127.0.0.1', {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: 500,
      });
      c.on('error', () => {});
      try {
        await c.connect();
        const ranges = (await c.call('CLUSTER', 'SLOTS')) as Array<
          [number, number, [string, number]]
        >;
        return ranges.map(([from, to, master]) => [from, to, Number(master[1])]);
      } catch {
        // ask the next node
      } finally {
        c.disconnect();
      }
    }
    throw new Error('no cluster node answered CLUSTER SLOTS');
  }

  /** Ports of the nodes that are masters of some slots now. */
  async masters(): Promise<number[]> {
    return [...new Set((await this.slots()).map(([, , port]) => port))];
  }

  /** The port of the master serving `key`'s slot now. */
  async masterOf(key: string): Promise<number> {
    const [seed] = this.live;
    const c = new Redis(seed.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    c.on('error', () => {});
    try {
      const slot = Number(await c.call('CLUSTER', 'KEYSLOT', key));
      const range = (await this.slots()).find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`no master serves slot ${slot}`);
      return range[2];
    } finally {
      c.disconnect();
    }
  }

  /** SIGKILLs the node on `port`, waits until a replica took its slots and all is healthy. */
  async killAndFailOver(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`no cluster node on ${port}`);
    await killHard(node.child);
    await until(
      async () => {
        try {
          const owners = (await this.slots()).map(([, , p]) => p);
          return !owners.includes(port) && (await this.healthy());
        } catch {
          return false;
        }
      },
      30_000,
      `no replica took over from master ${port}`,
      200,
    );
  }

  /** Starts a killed node again on its port and directory; it rejoins as a replica. */
  async restartNode(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`no cluster node on ${port}`);
    if (isRunning(node.child)) return;
    await until(() => isPortFree(port), 5000, `port ${port} is still taken`);
    node.child = this.spawnNode(port, node.dir);
    await until(() => pings(port), PING_TIMEOUT_MS, `cluster node ${port} did not come back`);
    await this.waitHealthy();
  }

  async ensureUp(): Promise<void> {
    for (const node of this.nodes) {
      signal(node.child, 'SIGCONT');
      if (!isRunning(node.child)) await this.restartNode(node.port);
    }
    await this.waitHealthy();
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => killHard(n.child)));
    await Promise.all(this.nodes.map((n) => waitExit(n.child, 5000)));
  }

  describe(): string {
    return `Redis cluster on ports ${this.nodes.map((n) => n.port).join(', ')}, logs ${join(this.logDir, 'redis-<port>.log')}`;
  }
}
