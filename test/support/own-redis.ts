import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

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
