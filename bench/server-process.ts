import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { loadDataset } from '../src/data/movielens.ts';

/** The real server in a child process, for the benchmarks: started, awaited until ready, stopped. */
export interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly readySeconds: number;
}

/**
 * Starts `script` (the service by default, from SERVICE_ROOT when set) and resolves at
 * its "ready in" line. Lines
 * after it (the request log, when on) are drained unread, so the bench spends no CPU on
 * them.
 */
export function start(env: Record<string, string>, script = 'src/cli/serve.ts'): Promise<Started> {
  const { REDIS_URL: _r, NODE_ENV: _n, ...inherited } = process.env;
  // SERVICE_ROOT: another checkout's service under the same load (old against new in one run)
  const root = script === 'src/cli/serve.ts' ? (process.env.SERVICE_ROOT ?? '.') : '.';
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    // the benches measure the engine and the server, not the per-client write allowance
    // nor a log line per request
    env: {
      ...inherited,
      PORT: '0',
      LOG_LEVEL: 'info',
      RATE_LIMIT: 'off',
      LOG_REQUESTS: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let pending = '';
    let ready = false;
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      if (ready) return;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const rec = JSON.parse(line) as { msg: string; url?: string; seconds?: string };
        if (rec.msg.startsWith('ready in ')) {
          ready = true;
          resolve({ child, url: String(rec.url), readySeconds: Number(rec.seconds) });
          return;
        }
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`serve.ts exited with ${code} before it was ready`)),
    );
  });
}

export async function stop(s: Started): Promise<void> {
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGTERM');
  await exited;
}

export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Throughput and latency of one load phase, in requests per second and milliseconds. */
export interface Phase {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

/**
 * An open loop at a constant rate: request i is due at t0 + i / rate whatever happened
 * to the others, and its latency counts from when it was due, so waiting for a free
 * connection (at most `connections`) counts too. autocannon's overallRate lets each connection send
 * its whole per-second quota back to back at the start of every second, so at a constant
 * rate it measures bursts of a second's requests queueing, not the service.
 */
export async function openLoop(
  url: string,
  body: () => string,
  rate: number,
  duration: number,
  connections: number,
): Promise<Phase> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  const total = Math.round(rate * duration);
  const t0 = performance.now() + 20;
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await delay(wait);
    const payload = body();
    inFlight.push(
      new Promise<void>((resolve) => {
        const req = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => {
              if (res.statusCode !== 200) errors++;
              latencies.push(performance.now() - due);
              resolve();
            });
          },
        );
        req.on('error', () => {
          errors++;
          resolve();
        });
        req.end(payload);
      }),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { rps: latencies.length / duration, p50: at(0.5), p99: at(0.99), errors };
}

/** A uniformly random element. */
export function pick<T>(xs: ArrayLike<T>): T {
  return xs[Math.floor(Math.random() * xs.length)];
}

/** The distinct user and movie ids a data set's ratings name: what a load picks from. */
export async function ratedIds(dataset: string): Promise<{
  userIds: Int32Array;
  movieIds: Int32Array;
  /** The movie of every rating: a uniform pick from it draws movies by popularity. */
  ratedMovies: Int32Array;
}> {
  const data = await loadDataset(dataset, { includeTags: false });
  return {
    userIds: Int32Array.from(new Set(data.ratings.userIds)),
    movieIds: Int32Array.from(new Set(data.ratings.movieIds)),
    ratedMovies: Int32Array.from(data.ratings.movieIds),
  };
}
