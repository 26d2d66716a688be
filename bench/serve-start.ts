#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix } from '../src/store/redis-keys.ts';
import { median, start, stop } from './server-process.ts';

/**
 * Time to ready of the real server (`ready in ... s` in its log), embedded and with Redis
 * cold (nothing stored) and warm (the lists of the same model version already in Redis),
 * and the latency of rateMovie for a user with many ratings. Each line is the median of
 * several fresh processes. Redis comes from REDIS_URL (default 127.0.0.1:6379); the keys
 * live under a prefix of their own that is deleted afterwards.
 */
const runs = Number(process.env.RUNS ?? 3);
const dataset = process.env.DATASET ?? 'ml-latest-small';
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

async function main(): Promise<void> {
  const prefix = `bench-start-${randomUUID()}`;
  const rows: Array<{ mode: string; readySeconds: number[]; rateMs?: number[] }> = [];
  const embedded: number[] = [];
  let rateMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'movie-recs-bench-'));
    const s = await start({ DATASET: dataset, DATA_DIR: dir });
    embedded.push(s.readySeconds);
    if (r === 0) rateMs = await rateLatencies(s.url, 15);
    await stop(s);
    rmSync(dir, { recursive: true, force: true });
  }
  rows.push({ mode: 'embedded', readySeconds: embedded, rateMs });
  const cold: number[] = [];
  const warm: number[] = [];
  for (let r = 0; r < runs; r++) {
    const env = { DATASET: dataset, REDIS_URL: redisUrl, REDIS_PREFIX: `${prefix}-${r}` };
    const dirs = [
      mkdtempSync(join(tmpdir(), 'movie-recs-bench-')),
      mkdtempSync(join(tmpdir(), 'movie-recs-bench-')),
    ];
    const first = await start({ ...env, DATA_DIR: dirs[0] });
    cold.push(first.readySeconds);
    await stop(first);
    const second = await start({ ...env, DATA_DIR: dirs[1] });
    warm.push(second.readySeconds);
    await stop(second);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  rows.push(
    { mode: 'Redis, cold', readySeconds: cold },
    { mode: 'Redis, warm', readySeconds: warm },
  );

  const redis = new Redis(redisUrl);
  await deleteKeysWithPrefix(redis, `${prefix}-`);
  redis.disconnect();

  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}`;
  process.stdout.write(`${dataset}, ${runs} fresh processes per line; ${machine}\n\n`);
  process.stdout.write('| mode | ready in, median s | min s | max s |\n|---|---|---|---|\n');
  for (const r of rows) {
    const x = r.readySeconds;
    process.stdout.write(
      `| ${r.mode} | ${median(x).toFixed(1)} | ${Math.min(...x).toFixed(1)} | ${Math.max(...x).toFixed(1)} |\n`,
    );
  }
  process.stdout.write(
    `\nrateMovie by user ${heavyUser} (embedded, 15 calls): median ${median(rateMs).toFixed(0)} ms, max ${Math.max(...rateMs).toFixed(0)} ms\n`,
  );
  const out = 'bench/results/serve-start.json';
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ dataset, runs, machine, rows }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
