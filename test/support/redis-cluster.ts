import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { waitForPing } from './own-redis.ts';

const run = promisify(execFile);

/** Whether a loopback port can be bound now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A port whose cluster bus port (port + 10000) is free too. */
async function freeNodePort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 15000);
    if (taken.has(port)) continue;
    if ((await isFree(port)) && (await isFree(port + 10000))) return port;
  }
  throw new Error('no free port pair for a cluster node');
}

interface Node {
  readonly port: number;
  readonly process: ChildProcess;
}

/**
 * A Redis Cluster of the test's own on loopback: `masters` masters with one replica each,
 * started with `redis-server --cluster-enabled yes` and joined with
 * `redis-cli --cluster create`. Each node is a child process stopped by its pid.
 */
export class OwnCluster {
  private constructor(
    private readonly dir: string,
    private readonly nodes: Node[],
  ) {}

  static async start(masters = 3): Promise<OwnCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'movie-recs-cluster-'));
    const taken = new Set<number>();
    const nodes: Node[] = [];
    for (let k = 0; k < masters * 2; k++) {
      const port = await freeNodePort(taken);
      taken.add(port);
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          '1000',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        { stdio: 'ignore' },
      );
      nodes.push({ port, process: child });
    }
    const cluster = new OwnCluster(dir, nodes);
    for (const node of nodes) await waitForPing(node.port);
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

  /** Seed nodes for a client: every node that is still running. */
  get seeds(): Array<{ host: string; port: number }> {
    return this.nodes
      .filter((n) => n.process.exitCode === null && n.process.signalCode === null)
      .map((n) => ({ host: '127.0.0.1', port: n.port }));
  }

  /** `host:port,...` as REDIS_CLUSTER_NODES takes it. */
  get env(): string {
    return this.seeds.map((s) => `${s.host}:${s.port}`).join(',');
  }

  /** Until every live node says cluster_state:ok and every slot has a live master. */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.healthy()) return;
      if (Date.now() > deadline) throw new Error('the cluster did not become healthy');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async healthy(): Promise<boolean> {
    for (const { port } of this.seeds) {
      const c = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
      c.on('error', () => {});
      try {
        await c.connect();
        const info = String(await c.call('CLUSTER', 'INFO'));
        if (!info.includes('cluster_state:ok')) return false;
        // a replica can take over only once it has synced: one that never did is not
        // eligible for election, and its master's slots would stay down
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

  /** The port of the master that serves `key`'s slot now. */
  async masterOf(key: string): Promise<number> {
    const [seed] = this.seeds;
    const c = new Redis(seed.port, '127.0.0.1');
    try {
      const slot = Number(await c.call('CLUSTER', 'KEYSLOT', key));
      const ranges = (await c.call('CLUSTER', 'SLOTS')) as Array<
        [number, number, [string, number]]
      >;
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`no master serves slot ${slot}`);
      return Number(range[2][1]);
    } finally {
      c.disconnect();
    }
  }

  /** Ports of the masters that hold at least one key under `prefix`. */
  async mastersHolding(prefix: string): Promise<number[]> {
    const ports: number[] = [];
    for (const { port } of this.seeds) {
      const c = new Redis(port, '127.0.0.1');
      try {
        const role = String(await c.call('ROLE')).split(',')[0];
        const [, keys] = await c.scan('0', 'MATCH', `${prefix}*`, 'COUNT', 10000);
        if (role === 'master' && keys.length > 0) ports.push(port);
      } finally {
        c.disconnect();
      }
    }
    return ports;
  }

  /** Until a master other than `victim` serves `key` and the cluster is healthy again. */
  async waitFailover(victim: number, key: string, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const master = await this.masterOf(key);
        if (master !== victim && (await this.healthy())) return master;
      } catch {
        // a node may refuse while the cluster is down; ask again
      }
      if (Date.now() > deadline) throw new Error(`no replica took over from ${victim}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGKILLs the node on `port`, as a crashed machine. */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`no node on ${port}`);
    const exited = new Promise((resolve) => node.process.once('exit', resolve));
    node.process.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        if (n.process.exitCode !== null || n.process.signalCode !== null) return;
        const exited = new Promise((resolve) => n.process.once('exit', resolve));
        n.process.kill('SIGKILL');
        await exited;
      }),
    );
    await rm(this.dir, { recursive: true, force: true });
  }
}
