#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix } from '../src/store/redis-keys.ts';
import { pick, ratedIds, start, stop } from './server-process.ts';

/**
 * bench:soak: a bounded mixed load on the real server over loopback for DURATION seconds
 * (default 60): READ_RATE reads per second (recommendations, similar movies, a movie
 * page, a user page, in turn) and WRITE_RATE ratings per second (default 100 and 20),
 * each an open loop. Every answer is checked (HTTP 200 and no GraphQL error). The
 * server's resident memory is read from its /metrics every 2 s. MODE=redis runs it on
 * Redis (REDIS_URL, default redis://127.0.0.1:6379, under a prefix of its own, deleted
 * afterwards). Exits 1 on any error.
 */
const dataset = process.env.DATASET ?? 'ml-latest-small';
const duration = Number(process.env.DURATION ?? 60);
const readRate = Number(process.env.READ_RATE ?? 100);
const writeRate = Number(process.env.WRITE_RATE ?? 20);
const mode = process.env.MODE === 'redis' ? 'redis' : 'embedded';
const WARMUP_SECONDS = 10;

interface Operation {
  readonly query: string;
  readonly variables: Record<string, unknown>;
}

interface Sample {
  readonly seconds: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
}

async function sample(metricsUrl: string, t0: number): Promise<Sample> {
  const text = await (await fetch(metricsUrl)).text();
  const value = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    if (!line) throw new Error(`no ${name} on /metrics`);
    return Number(line.split(' ')[1]) / 2 ** 20;
  };
  return {
    seconds: (performance.now() - t0) / 1000,
    rssMiB: value('movie_recs_process_resident_memory_bytes'),
    heapUsedMiB: value('movie_recs_nodejs_heap_size_used_bytes'),
  };
}

/** Least-squares slope of y over x. */
function slope(points: ReadonlyArray<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<void> {
  const { userIds, movieIds } = await ratedIds(dataset);
  // fixed documents with variables, as a frontend sends them (Apollo caches parsed
  // documents by their text, so ids inlined in the text would fill that cache instead)
  const reads: Array<() => Operation> = [
    () => ({
      query:
        'query($u: ID!) { recommendations(userId: $u, first: 10) { score movie { title } reasons { kind } } }',
      variables: { u: pick(userIds) },
    }),
    () => ({
      query:
        'query($m: ID!) { similarMovies(movieId: $m, first: 10) { similarity movie { title } } }',
      variables: { m: pick(movieIds) },
    }),
    () => ({
      query:
        'query($m: ID!) { movie(id: $m) { title genres averageRating similar(first: 5) { movie { title } } } }',
      variables: { m: pick(movieIds) },
    }),
    () => ({
      query:
        'query($u: ID!) { user(id: $u) { ratingCount ratings(first: 10) { edges { node { value } } } similarUsers(first: 5) { similarity } } }',
      variables: { u: pick(userIds) },
    }),
  ];
  const write = (): Operation => ({
    query:
      'mutation($u: ID!, $m: ID!, $r: Float!) { rateMovie(input: { userId: $u, movieId: $m, rating: $r }) { rating { value } } }',
    variables: { u: pick(userIds), m: pick(movieIds), r: 0.5 + Math.floor(Math.random() * 10) / 2 },
  });

  const dir = mkdtempSync(join(tmpdir(), 'movie-recs-soak-'));
  const prefix = `soak:${randomUUID()}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const env: Record<string, string> = { DATASET: dataset, DATA_DIR: dir };
  if (mode === 'redis') Object.assign(env, { REDIS_URL: redisUrl, REDIS_PREFIX: prefix });
  const server = await start(env);
  const metricsUrl = server.url.replace(/\/graphql$/, '/metrics');

  let sent = 0;
  let failed = 0;
  const failures: string[] = [];
  const latencies: number[] = [];
  const send = async (operation: Operation) => {
    const t = performance.now();
    try {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(operation),
      });
      const body = (await res.json()) as { errors?: unknown[] };
      if (res.status !== 200 || body.errors) {
        failed++;
        if (failures.length < 5) failures.push(JSON.stringify(body).slice(0, 300));
      }
    } catch (error) {
      failed++;
      if (failures.length < 5) failures.push(String(error));
    }
    latencies.push(performance.now() - t);
  };
  /** Requests at a constant rate until the end, whatever the answers take. */
  const loop = async (rate: number, next: () => Operation, t0: number) => {
    const inFlight: Array<Promise<void>> = [];
    for (let i = 0; i < rate * duration; i++) {
      const wait = t0 + (i * 1000) / rate - performance.now();
      if (wait > 0) await delay(wait);
      sent++;
      inFlight.push(send(next()));
    }
    await Promise.all(inFlight);
  };

  const t0 = performance.now();
  const samples: Sample[] = [await sample(metricsUrl, t0)];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await delay(2000);
      if (sampling) samples.push(await sample(metricsUrl, t0));
    }
  })();
  let r = 0;
  await Promise.all([
    loop(readRate, () => reads[r++ % reads.length](), t0),
    loop(writeRate, write, t0),
  ]);
  sampling = false;
  await sampler;
  samples.push(await sample(metricsUrl, t0));
  await stop(server);
  rmSync(dir, { recursive: true, force: true });
  if (mode === 'redis') {
    const redis = new Redis(redisUrl);
    await deleteKeysWithPrefix(redis, `${prefix}:`);
    redis.disconnect();
  }

  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  // a short run (under twice the warm-up) measures its second half
  const warmup = Math.min(WARMUP_SECONDS, duration / 2);
  const steady = samples.filter((s) => s.seconds >= warmup);
  const afterWarmup = steady[0];
  const end = samples[samples.length - 1];
  const result = {
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    dataset,
    mode,
    durationSeconds: duration,
    readRate,
    writeRate,
    requests: sent,
    errors: failed,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    rssMiB: { ready: samples[0].rssMiB, afterWarmup: afterWarmup.rssMiB, end: end.rssMiB },
    heapUsedMiB: { ready: samples[0].heapUsedMiB, end: end.heapUsedMiB },
    rssSlopeMiBPerMinute: slope(steady.map((s) => [s.seconds, s.rssMiB])) * 60,
    samples,
  };
  const out = join('bench', 'results', `soak-${mode}.json`);
  mkdirSync(join('bench', 'results'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  const f = (x: number) => x.toFixed(1);
  console.log(
    `soak ${mode} on ${dataset}, ${duration} s at ${readRate} reads/s + ${writeRate} ratings/s (${result.machine}):\n` +
      `  requests ${sent}, errors ${failed}, p50 ${f(result.p50Ms)} ms, p99 ${f(result.p99Ms)} ms\n` +
      `  RSS MiB: ready ${f(result.rssMiB.ready)}, after ${f(warmup)} s ${f(result.rssMiB.afterWarmup)}, end ${f(result.rssMiB.end)}; ` +
      `slope after warm-up ${result.rssSlopeMiBPerMinute.toFixed(2)} MiB/min\n` +
      `  heap used MiB: ready ${f(result.heapUsedMiB.ready)}, end ${f(result.heapUsedMiB.end)}\n` +
      `  written to ${out}`,
  );
  if (failed > 0) {
    console.error(`errors (first ${failures.length}):\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
