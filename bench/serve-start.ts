#!/usr/bin/env node
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix } from '../src/store/redis-keys.ts';
import { RECOMMENDATIONS, rateBodies } from './documents.ts';
import { median, openLoop, pick, ratedIds, type Started, start, stop } from './server-process.ts';

/**
 * Time to ready of the real server (`ready in ... s` in its log), embedded and with Redis
 * cold (nothing stored) and warm (the lists of the same model version already in Redis),
 * each start's peak RSS and the model's bytes (/metrics), and the latency of rateMovie
 * for a user with many ratings. Each line is the median of several fresh processes.
 * Redis comes from REDIS_URL (default 127.0.0.1:6379); the keys live under a prefix of
 * their own that is deleted afterwards. With SERVE_SECONDS=s, the first embedded start
 * then serves recommendations for random users at 20 requests/s for s seconds, alone and
 * with 2 ratings/s of random users arriving. LARGE=1: the generated 25M set (made when
 * missing), one run, and SERVE_SECONDS=60 unless set. The server's own settings
 * (USER_LISTS, HYBRID_FIT_RATINGS, ...) pass through from the environment.
 */
const large = process.env.LARGE === '1';
const runs = Number(process.env.RUNS ?? (large ? 1 : 3));
const dataset = process.env.DATASET ?? (large ? 'var/gen/25m' : 'ml-latest-small');
const serveSeconds = Number(process.env.SERVE_SECONDS ?? (large ? 60 : 0));
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const heavyUser = Number(process.env.HEAVY_USER ?? 414);

async function rateLatencies(url: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let t = 0; t < n; t++) {
    const body = JSON.stringify({
      query: `mutation { rateMovie(input: {userId: ${heavyUser}, movieId: 6, rating: ${1 + (t % 4)}}) { rating { value } } }`,
    });
    const started = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await res.text();
    out.push(performance.now() - started);
  }
  return out;
}

/** The process's peak resident set so far, in MiB (Linux). */
function peakRssMiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** The model's bytes as /metrics gives them. */
async function modelBytes(url: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  return Number(/^movie_recs_model_bytes (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}

interface Facts {
  readySeconds: number;
  peakRssMiB: number;
  modelBytes: number;
}

async function facts(s: Started): Promise<Facts> {
  return {
    readySeconds: s.readySeconds,
    peakRssMiB: peakRssMiB(s.child.pid),
    modelBytes: await modelBytes(s.url),
  };
}

/** Recommendations for random users at 20/s, alone and beside 2 ratings/s. */
async function serveCheck(url: string, seconds: number) {
  const { userIds, ratedMovies } = await ratedIds(dataset);
  const read = () =>
    JSON.stringify({ query: RECOMMENDATIONS, variables: { userId: String(pick(userIds)) } });
  const alone = await openLoop(url, read, 20, seconds, 32);
  const [reads, writes] = await Promise.all([
    openLoop(url, read, 20, seconds, 32),
    openLoop(url, rateBodies(userIds, ratedMovies), 2, seconds, 4),
  ]);
  return { alone, withRatings: { reads, writes } };
}

async function main(): Promise<void> {
  if (large && !existsSync(join(dataset, 'ratings.csv'))) {
    process.stderr.write(`generating ${dataset} (about a minute)...\n`);
    execFileSync(process.execPath, [
      '--import',
      'tsx',
      'src/cli/gen.ts',
      '--ratings',
      '25000000',
      '--users',
      '162541',
      '--movies',
      '59047',
      '--out',
      dataset,
    ]);
  }
  const prefix = `bench-start-${randomUUID()}`;
  const rows: Array<{ mode: string; readySeconds: number[]; facts: Facts[]; rateMs?: number[] }> =
    [];
  const embedded: number[] = [];
  const embeddedFacts: Facts[] = [];
  let rateMs: number[] = [];
  let served: Awaited<ReturnType<typeof serveCheck>> | null = null;
  for (let r = 0; r < runs; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'movie-recs-bench-'));
    const s = await start({ DATASET: dataset, DATA_DIR: dir });
    embedded.push(s.readySeconds);
    embeddedFacts.push(await facts(s));
    if (r === 0 && serveSeconds > 0) served = await serveCheck(s.url, serveSeconds);
    if (r === 0) rateMs = await rateLatencies(s.url, 15);
    await stop(s);
    rmSync(dir, { recursive: true, force: true });
  }
  rows.push({ mode: 'embedded', readySeconds: embedded, facts: embeddedFacts, rateMs });
  const cold: number[] = [];
  const warm: number[] = [];
  const coldFacts: Facts[] = [];
  const warmFacts: Facts[] = [];
  for (let r = 0; r < runs; r++) {
    const env = { DATASET: dataset, REDIS_URL: redisUrl, REDIS_PREFIX: `${prefix}-${r}` };
    const dirs = [
      mkdtempSync(join(tmpdir(), 'movie-recs-bench-')),
      mkdtempSync(join(tmpdir(), 'movie-recs-bench-')),
    ];
    const first = await start({ ...env, DATA_DIR: dirs[0] });
    cold.push(first.readySeconds);
    coldFacts.push(await facts(first));
    await stop(first);
    const second = await start({ ...env, DATA_DIR: dirs[1] });
    warm.push(second.readySeconds);
    warmFacts.push(await facts(second));
    await stop(second);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  rows.push(
    { mode: 'Redis, cold', readySeconds: cold, facts: coldFacts },
    { mode: 'Redis, warm', readySeconds: warm, facts: warmFacts },
  );

  const redis = new Redis(redisUrl);
  await deleteKeysWithPrefix(redis, `${prefix}-`);
  redis.disconnect();

  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}`;
  process.stdout.write(`${dataset}, ${runs} fresh processes per line; ${machine}\n\n`);
  process.stdout.write(
    '| mode | ready in, median s | min s | max s | peak RSS, median MiB | model bytes |\n|---|---|---|---|---|---|\n',
  );
  for (const r of rows) {
    const x = r.readySeconds;
    process.stdout.write(
      `| ${r.mode} | ${median(x).toFixed(1)} | ${Math.min(...x).toFixed(1)} | ${Math.max(...x).toFixed(1)} | ${median(r.facts.map((f) => f.peakRssMiB)).toFixed(0)} | ${median(r.facts.map((f) => f.modelBytes)).toExponential(3)} |\n`,
    );
  }
  if (served) {
    const ms = (x: number) => x.toFixed(1);
    process.stdout.write(
      `\nrecommendations at 20/s for random users, ${serveSeconds} s: p50 ${ms(served.alone.p50)} ms, p99 ${ms(served.alone.p99)} ms, errors ${served.alone.errors}; beside 2 ratings/s: p50 ${ms(served.withRatings.reads.p50)} ms, p99 ${ms(served.withRatings.reads.p99)} ms (ratings p50 ${ms(served.withRatings.writes.p50)} ms, p99 ${ms(served.withRatings.writes.p99)} ms, errors ${served.withRatings.writes.errors})\n`,
    );
  }
  process.stdout.write(
    `\nrateMovie by user ${heavyUser} (embedded, 15 calls): median ${median(rateMs).toFixed(0)} ms, max ${Math.max(...rateMs).toFixed(0)} ms\n`,
  );
  const out = 'bench/results/serve-start.json';
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ dataset, runs, machine, rows, served }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
