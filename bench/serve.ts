#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix } from '../src/store/redis-keys.ts';
import {
  median,
  openLoop,
  type Phase,
  pick,
  ratedIds,
  type Started,
  start,
  stop,
} from './server-process.ts';

/**
 * bench:serve: the real server under autocannon over loopback, embedded (memory store)
 * and with the Redis store. Per store, each phase DURATION seconds (default 10), RUNS
 * times (default 3), medians:
 * - `{ __typename }` at 32 connections: the baseline, what the HTTP and GraphQL layers cost;
 * - recommendations(userId, first: 10) { movie { title } score } for random users, at 32
 *   connections (throughput, as a ratio to the baseline), then in an open loop at a
 *   constant rate of half that throughput (p99: a closed loop at saturation measures
 *   queueing; see openLoop for why not autocannon's overallRate);
 * - similarMovies for random movies, at 32 connections;
 * - a mixed load at 32 connections: 9 reads (recommendations) to 1 rateMovie.
 * The load generator shares the 2 cores with the server, so these are lower bounds.
 */
const dataset = process.env.DATASET ?? 'ml-latest-small';
const duration = Number(process.env.DURATION ?? 10);
const runs = Number(process.env.RUNS ?? 3);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONNECTIONS = 32;

type Body = () => string;

async function load(url: string, body: Body): Promise<Phase> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: body() }),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

async function main(): Promise<void> {
  const { userIds, movieIds } = await ratedIds(dataset);
  const q = (query: string) => JSON.stringify({ query });
  const trivial: Body = () => q('{ __typename }');
  const recs: Body = () =>
    q(`{ recommendations(userId: ${pick(userIds)}, first: 10) { movie { title } score } }`);
  const similar: Body = () =>
    q(`{ similarMovies(movieId: ${pick(movieIds)}, first: 10) { movie { title } similarity } }`);
  let t = 0;
  const mixed: Body = () =>
    ++t % 10 === 0
      ? q(
          `mutation { rateMovie(input: { userId: ${pick(userIds)}, movieId: ${pick(movieIds)}, rating: ${1 + (t % 9) / 2} }) { rating { value } } }`,
        )
      : recs();

  const prefix = `bench-serve-${randomUUID()}`;
  const stores = [
    { name: 'memory', env: {} as Record<string, string> },
    { name: 'redis', env: { REDIS_URL: redisUrl, REDIS_PREFIX: prefix } },
  ];
  const rows: Array<Record<string, unknown>> = [];
  for (const store of stores) {
    const perRun: Array<Record<string, Phase>> = [];
    for (let r = 0; r < runs; r++) {
      const dir = mkdtempSync(join(tmpdir(), 'movie-recs-serve-'));
      let server: Started | null = null;
      try {
        server = await start({ DATASET: dataset, DATA_DIR: dir, LOG_LEVEL: 'info', ...store.env });
        const url = server.url;
        await load(url, recs); // warm-up: JIT, lists read into the process
        const base = await load(url, trivial);
        const recsMax = await load(url, recs);
        const recsHalf = await openLoop(
          url,
          recs,
          Math.max(1, Math.round(recsMax.rps / 2)),
          duration,
          CONNECTIONS,
        );
        const similarMax = await load(url, similar);
        const mixedMax = await load(url, mixed);
        perRun.push({ base, recsMax, recsHalf, similarMax, mixedMax });
      } finally {
        if (server) await stop(server);
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const m = (phase: string, f: (p: Phase) => number) => median(perRun.map((x) => f(x[phase])));
    rows.push({
      store: store.name,
      baseRps: m('base', (p) => p.rps),
      recsRps: m('recsMax', (p) => p.rps),
      recsRatio: median(perRun.map((x) => x.recsMax.rps / x.base.rps)),
      recsHalfRate: m('recsHalf', (p) => p.rps),
      recsHalfP99: m('recsHalf', (p) => p.p99),
      recsHalfP50: m('recsHalf', (p) => p.p50),
      similarRps: m('similarMax', (p) => p.rps),
      similarP99: m('similarMax', (p) => p.p99),
      mixedRps: m('mixedMax', (p) => p.rps),
      mixedP99: m('mixedMax', (p) => p.p99),
      errors: perRun.reduce((n, x) => n + Object.values(x).reduce((k, p) => k + p.errors, 0), 0),
      runs: perRun,
    });
  }
  const redis = new Redis(redisUrl);
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();

  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}`;
  process.stdout.write(
    `bench:serve on ${dataset}, ${CONNECTIONS} connections, ${duration} s per phase, median of ${runs} fresh servers; ${machine}; load generator on the same cores\n\n`,
  );
  process.stdout.write(
    '| store | {__typename} req/s | recommendations req/s | ratio | at half rate: req/s | p50 ms | p99 ms | similarMovies req/s | p99 ms | mixed 9:1 req/s | p99 ms | errors |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const r of rows) {
    const n = (k: string, d = 0) => (r[k] as number).toFixed(d);
    process.stdout.write(
      `| ${r.store} | ${n('baseRps')} | ${n('recsRps')} | ${n('recsRatio', 2)} | ${n('recsHalfRate')} | ${n('recsHalfP50')} | ${n('recsHalfP99')} | ${n('similarRps')} | ${n('similarP99')} | ${n('mixedRps')} | ${n('mixedP99')} | ${r.errors} |\n`,
    );
  }
  const out = 'bench/results/serve.json';
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ dataset, duration, runs, machine, rows }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
