#!/usr/bin/env node
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import { loadDataset } from '../src/data/movielens.ts';
import { LiveModel } from '../src/engine/live-model.ts';
import { defaultModelConfig } from '../src/engine/model.ts';
import { buildNeighbourLists } from '../src/engine/neighbours.ts';
import { buildCatalog } from '../src/service/catalog.ts';
import { PRODUCTION_ENV, RECOMMENDATIONS, rateBodies } from './documents.ts';
import { median, openLoop, pick, start, stop } from './server-process.ts';

/**
 * bench:ingest: sustained rateMovie mutations on the real server (embedded, production
 * defaults with anonymous writes open and no per-client allowance, journal fsync on,
 * incremental maintenance on) at 32 connections for DURATION seconds (default 10), while
 * a reader asks for recommendations at a constant 20 per second (an open loop, see
 * openLoop). Random users; movies drawn two ways: uniformly, and by popularity (a random
 * rating's movie, as real ratings are). RUNS fresh servers per draw (default 3), medians.
 * Reported: acknowledged ratings per second (HTTP 200 with no GraphQL error), the
 * reader's p99, and the server's CPU per rating (from its own
 * process_cpu_seconds_total). Baseline in the same run: recomputing every neighbour list
 * after a rating, timed in-process on a few ratings.
 */
const dataset = process.env.DATASET ?? 'ml-latest-small';
const duration = Number(process.env.DURATION ?? 10);
const runs = Number(process.env.RUNS ?? 3);
const READ_RATE = 20;

async function cpuSeconds(url: string): Promise<number> {
  const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith('movie_recs_process_cpu_seconds_total'));
  if (!line) throw new Error('no process_cpu_seconds_total on /metrics');
  return Number(line.split(' ')[1]);
}

async function main(): Promise<void> {
  const data = await loadDataset(dataset, { includeTags: false });
  const userIds = Int32Array.from(new Set(data.ratings.userIds));
  const movieIds = Int32Array.from(new Set(data.ratings.movieIds));
  const draws = { uniform: movieIds, popularity: Int32Array.from(data.ratings.movieIds) };
  const read = () =>
    JSON.stringify({ query: RECOMMENDATIONS, variables: { userId: String(pick(userIds)) } });
  type Result = {
    draw: string;
    ratingsPerSecond: number;
    readP99: number;
    cpuMicrosPerRating: number;
    failed: number;
  };
  const results: Result[] = [];
  for (let r = 0; r < runs * 2; r++) {
    const draw = r % 2 === 0 ? 'uniform' : 'popularity';
    const rate = rateBodies(userIds, draws[draw]);
    const dir = mkdtempSync(join(tmpdir(), 'movie-recs-ingest-'));
    const server = await start({
      DATASET: dataset,
      DATA_DIR: dir,
      ...PRODUCTION_ENV,
    });
    try {
      let acknowledged = 0;
      let failed = 0;
      const cpuBefore = await cpuSeconds(server.url);
      const writes = autocannon({
        url: server.url,
        connections: 32,
        duration,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req) => ({ ...req, body: rate() }),
            onResponse: (status, body) => {
              if (status === 200 && !body.includes('"errors"')) acknowledged++;
              else failed++;
            },
          },
        ],
      });
      const reads = openLoop(server.url, read, READ_RATE, duration, 4);
      const [, readResult] = await Promise.all([writes, reads]);
      const cpu = (await cpuSeconds(server.url)) - cpuBefore;
      results.push({
        draw,
        ratingsPerSecond: acknowledged / duration,
        readP99: readResult.p99,
        cpuMicrosPerRating: (cpu * 1e6) / Math.max(1, acknowledged),
        failed,
      });
    } finally {
      await stop(server);
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // baseline: every list recomputed after each rating
  const catalog = buildCatalog(data);
  const live = LiveModel.create(
    catalog.movieIds,
    data.ratings,
    { ...defaultModelConfig, scale: data.scale },
    defaultModelConfig.hybrid,
  );
  const rebuilds: number[] = [];
  for (let k = 0; k < 3; k++) {
    live.apply([
      {
        kind: 'rate',
        userId: pick(userIds),
        movieId: pick(movieIds),
        rating: 4,
        timestamp: 2e9 + k,
      },
    ]);
    const began = performance.now();
    for (const side of ['item', 'user'] as const) {
      const s = live.model[side];
      if (s) buildNeighbourLists(s.rankSpace, s.config.listSize);
    }
    rebuilds.push(performance.now() - began);
  }
  const rebuildMs = median(rebuilds);
  const m = (draw: string, f: (x: Result) => number) =>
    median(results.filter((x) => x.draw === draw).map(f));
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}`;
  process.stdout.write(
    `bench:ingest on ${dataset}, embedded, production defaults, journal fsync on, 32 writing connections and ${READ_RATE} reads/s for ${duration} s, median of ${runs} fresh servers per draw; ${machine}\n\n`,
  );
  process.stdout.write(
    '| approach | movies drawn | acknowledged ratings/s | read p99 ms | server CPU per rating µs | failed |\n|---|---|---|---|---|---|\n',
  );
  for (const draw of Object.keys(draws)) {
    const failed = results.filter((x) => x.draw === draw).reduce((n, x) => n + x.failed, 0);
    process.stdout.write(
      `| incremental (the service) | ${draw} | ${m(draw, (x) => x.ratingsPerSecond).toFixed(0)} | ${m(draw, (x) => x.readP99).toFixed(0)} | ${m(draw, (x) => x.cpuMicrosPerRating).toFixed(0)} | ${failed} |\n`,
    );
  }
  process.stdout.write(
    `| every list recomputed per rating (in-process, lists only) | uniform | ${(1000 / rebuildMs).toFixed(2)} | - | ${(rebuildMs * 1000).toFixed(0)} | - |\n`,
  );
  const out = process.env.OUT ?? 'bench/results/ingest.json';
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ dataset, duration, runs, machine, results, rebuildMs }, null, 2)}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
