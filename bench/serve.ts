#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix } from '../src/store/redis-keys.ts';
import { PRODUCTION_ENV, RECOMMENDATIONS, rateBodies, SIMILAR_MOVIES } from './documents.ts';
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
 * bench:serve: the real server under autocannon over loopback, as a new user runs it in
 * production (NODE_ENV=production, default settings: the request log and every limit
 * on), embedded (memory store) and with the Redis store. Writes are opened with
 * ALLOW_ANONYMOUS_WRITES and the per-client write allowance is off, since all the load
 * comes from one address. Each phase DURATION seconds (default 10), RUNS fresh servers
 * per store (default 3), medians:
 * - baseline: a bare Apollo Server 5 (bench/bare-apollo.ts, same schema, fresh process)
 *   answering `{ __typename }` at 32 connections;
 * - `{ __typename }` on the service at 32 connections: what its HTTP and GraphQL layers
 *   cost;
 * - recommendations(userId, first: 10) { movie { title } score } for random users at 32
 *   connections, then in an open loop at a constant half of that rate (see openLoop);
 * - similarMovies for random movies, at 32 connections;
 * - a mixed load at 32 connections: 9 recommendations to 1 rateMovie;
 * - after a burst of BURST ratings (default 6,000; random users, movies drawn by
 *   popularity, 32 connections): the open loop at half rate again, then, after a second
 *   burst, recommendations at 32 connections.
 * Reads and writes are one document each with variables, as a GraphQL client sends them
 * (bench/documents.ts). The load generator shares the 2 cores with the server, so these
 * are lower bounds.
 * Stores: memory (one process), memory-2 (SERVE_PROCESSES=2: two workers on one port)
 * and redis; STORES=memory,redis picks some.
 */
const dataset = process.env.DATASET ?? 'ml-latest-small';
const duration = Number(process.env.DURATION ?? 10);
const runs = Number(process.env.RUNS ?? 3);
const burst = Number(process.env.BURST ?? 6000);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const storeNames = (process.env.STORES ?? 'memory,memory-2,redis').split(',');
const CONNECTIONS = 32;

type Body = () => string;

async function load(url: string, body: Body, amount?: number): Promise<Phase> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    ...(amount === undefined ? { duration } : { amount }),
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

const trivial: Body = () => JSON.stringify({ query: '{ __typename }' });

async function bareApollo(): Promise<Phase> {
  const server = await start({}, 'bench/bare-apollo.ts');
  try {
    await load(server.url, trivial); // warm-up
    return await load(server.url, trivial);
  } finally {
    await stop(server);
  }
}

async function main(): Promise<void> {
  const { userIds, movieIds, ratedMovies } = await ratedIds(dataset);
  // one document per operation with variables, as a GraphQL client (the web page) sends
  const recs: Body = () =>
    JSON.stringify({
      query: RECOMMENDATIONS,
      variables: { userId: String(pick(userIds)) },
    });
  const similar: Body = () =>
    JSON.stringify({ query: SIMILAR_MOVIES, variables: { movieId: String(pick(movieIds)) } });
  const rate: Body = rateBodies(userIds, ratedMovies);
  let t = 0;
  const mixed: Body = () => (++t % 10 === 0 ? rate() : recs());

  const prefix = `bench-serve-${randomUUID()}`;
  const stores = [
    { name: 'memory', env: {} as Record<string, string> },
    { name: 'memory-2', env: { SERVE_PROCESSES: '2' } },
    { name: 'redis', env: { REDIS_URL: redisUrl, REDIS_PREFIX: prefix } },
  ].filter((s) => storeNames.includes(s.name));
  const rows: Array<Record<string, unknown>> = [];
  for (const store of stores) {
    const perRun: Array<Record<string, Phase>> = [];
    for (let r = 0; r < runs; r++) {
      const bare = await bareApollo();
      const dir = mkdtempSync(join(tmpdir(), 'movie-recs-serve-'));
      let server: Started | null = null;
      try {
        server = await start({ DATASET: dataset, DATA_DIR: dir, ...PRODUCTION_ENV, ...store.env });
        const url = server.url;
        await load(url, recs); // warm-up: JIT, lists read into the process
        const base = await load(url, trivial);
        const recsMax = await load(url, recs);
        const halfRate = Math.max(1, Math.round(recsMax.rps / 2));
        const recsHalf = await openLoop(url, recs, halfRate, duration, CONNECTIONS);
        const similarMax = await load(url, similar);
        const mixedMax = await load(url, mixed);
        const burst1 = await load(url, rate, burst);
        const recsHalfAfter = await openLoop(url, recs, halfRate, duration, CONNECTIONS);
        const burst2 = await load(url, rate, burst);
        const recsMaxAfter = await load(url, recs);
        perRun.push({
          bare,
          base,
          recsMax,
          recsHalf,
          similarMax,
          mixedMax,
          burst1,
          recsHalfAfter,
          burst2,
          recsMaxAfter,
        });
      } finally {
        if (server) await stop(server);
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const m = (phase: string, f: (p: Phase) => number) => median(perRun.map((x) => f(x[phase])));
    const ratio = (a: string, b: string) => median(perRun.map((x) => x[a].rps / x[b].rps));
    rows.push({
      store: store.name,
      bareRps: m('bare', (p) => p.rps),
      baseRps: m('base', (p) => p.rps),
      baseToBare: ratio('base', 'bare'),
      recsRps: m('recsMax', (p) => p.rps),
      recsToBase: ratio('recsMax', 'base'),
      recsToBare: ratio('recsMax', 'bare'),
      recsHalfRate: m('recsHalf', (p) => p.rps),
      recsHalfP50: m('recsHalf', (p) => p.p50),
      recsHalfP99: m('recsHalf', (p) => p.p99),
      similarRps: m('similarMax', (p) => p.rps),
      similarP99: m('similarMax', (p) => p.p99),
      mixedRps: m('mixedMax', (p) => p.rps),
      mixedP99: m('mixedMax', (p) => p.p99),
      burstRps: m('burst1', (p) => p.rps),
      afterHalfP99: m('recsHalfAfter', (p) => p.p99),
      afterRps: m('recsMaxAfter', (p) => p.rps),
      afterP99: m('recsMaxAfter', (p) => p.p99),
      errors: perRun.reduce((n, x) => n + Object.values(x).reduce((k, p) => k + p.errors, 0), 0),
      runs: perRun,
    });
  }
  if (storeNames.includes('redis')) {
    const redis = new Redis(redisUrl);
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
  }

  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}`;
  process.stdout.write(
    `bench:serve on ${dataset}, production defaults, ${CONNECTIONS} connections, ${duration} s per phase, bursts of ${burst} ratings, median of ${runs} fresh servers; ${machine}; load generator on the same cores\n\n`,
  );
  process.stdout.write(
    '| store | bare Apollo {__typename} req/s | service {__typename} req/s | vs bare | recommendations req/s | vs {__typename} | vs bare | at half rate: req/s | p50 ms | p99 ms | similarMovies req/s | p99 ms | mixed 9:1 req/s | p99 ms | burst ratings/s | after burst: half-rate p99 ms | max req/s | p99 ms | errors |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const r of rows) {
    const n = (k: string, d = 0) => (r[k] as number).toFixed(d);
    process.stdout.write(
      `| ${r.store} | ${n('bareRps')} | ${n('baseRps')} | ${n('baseToBare', 2)} | ${n('recsRps')} | ${n('recsToBase', 2)} | ${n('recsToBare', 2)} | ${n('recsHalfRate')} | ${n('recsHalfP50', 1)} | ${n('recsHalfP99', 1)} | ${n('similarRps')} | ${n('similarP99')} | ${n('mixedRps')} | ${n('mixedP99')} | ${n('burstRps')} | ${n('afterHalfP99', 1)} | ${n('afterRps')} | ${n('afterP99')} | ${r.errors} |\n`,
    );
  }
  const out = process.env.OUT ?? 'bench/results/serve.json';
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ dataset, duration, runs, burst, machine, rows }, null, 2)}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
