#!/usr/bin/env node
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix } from '../src/store/redis-keys.ts';
import { median } from './server-process.ts';

/**
 * bench:distributed: the whole neighbour build of a data set into Redis (`build`: load,
 * fit, compute every movie's and user's list, write them, publish), by one process
 * against `build --workers W` (W worker processes taking BullMQ jobs, default 2), RUNS
 * times each (default 1), alternating, with fixed hybrid weights so only the lists are
 * compared. DATASET defaults to var/gen/25m (make it with npm run gen, see the README).
 * Reported: wall clock of each, medians and the speed-up.
 */
const dataset = process.env.DATASET ?? 'var/gen/25m';
const runs = Number(process.env.RUNS ?? 1);
const workers = Number(process.env.WORKERS ?? 2);
const chunks = Number(process.env.CHUNKS ?? 16);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WEIGHTS = '0.9,1.05,-0.7,-1.06,0.2';

function buildOnce(prefix: string, dataDir: string, extra: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'build',
        '--data',
        dataset,
        '--data-dir',
        dataDir,
        '--redis',
        redisUrl,
        '--prefix',
        prefix,
        '--weights',
        WEIGHTS,
        ...extra,
      ],
      { maxBuffer: 64 << 20 },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`build failed: ${stderr.slice(-2000)}`));
        else resolve((performance.now() - started) / 1000);
      },
    );
  });
}

async function main(): Promise<void> {
  const redis = new Redis(redisUrl);
  const dataDir = mkdtempSync(join(tmpdir(), 'movie-recs-dbuild-'));
  const one: number[] = [];
  const many: number[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      for (const mode of ['one', 'many'] as const) {
        const prefix = `bench:dbuild:${randomUUID()}`;
        const seconds = await buildOnce(
          prefix,
          dataDir,
          mode === 'one' ? [] : ['--workers', String(workers), '--chunks', String(chunks)],
        );
        (mode === 'one' ? one : many).push(seconds);
        process.stderr.write(
          `run ${r + 1}: ${mode === 'one' ? 'one process' : `${workers} workers`} ${seconds.toFixed(1)} s\n`,
        );
        await deleteKeysWithPrefix(redis, `${prefix}:`);
        await deleteKeysWithPrefix(redis, `{${prefix}:`);
      }
    }
  } finally {
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const result = {
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    dataset,
    runs,
    workers,
    chunks,
    oneProcessSeconds: one,
    workersSeconds: many,
    medianOne: median(one),
    medianWorkers: median(many),
    speedUp: median(one) / median(many),
  };
  mkdirSync(join('bench', 'results'), { recursive: true });
  const out = join('bench', 'results', `distributed-build-${dataset.split('/').pop()}.json`);
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `${dataset} (${result.machine}), ${runs} run(s) each: one process ${result.medianOne.toFixed(1)} s, ${workers} workers ${result.medianWorkers.toFixed(1)} s, speed-up ${result.speedUp.toFixed(2)}x; written to ${out}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
