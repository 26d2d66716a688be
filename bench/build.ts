#!/usr/bin/env node
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { resolveDatasetDir } from '../src/data/movielens.ts';

/**
 * bench:build: time and peak RSS to load a data set and compute every movie's and every
 * user's top-50 neighbours, each measurement a fresh process (bench/build-one.ts), the
 * median of RUNS (default 3). Beside the engine, in the same run, the dense first
 * version (full n x n cosine matrix) where it fits and finishes in minutes (one run of
 * it on the generated sets, where it takes minutes).
 * Generated sets are written under var/gen/ by `npm run gen` when missing.
 * SETS=name,name picks sets; THREADS sets the engine's threads (default 2).
 */
const run = promisify(execFile);
const runs = Number(process.env.RUNS ?? 3);
const threads = Number(process.env.THREADS ?? 2);

interface SetSpec {
  readonly name: string;
  readonly dir: string;
  readonly gen?: readonly [ratings: number, users: number, movies: number];
  /** Sides the engine builds (user-user on 25M is out of reach, see README). */
  readonly sides: string;
  /** Sides the dense baseline builds, if any. */
  readonly dense: string | null;
}

const SETS: ReadonlyArray<SetSpec> = [
  { name: 'ml-latest-small', dir: 'ml-latest-small', sides: 'item,user', dense: 'item,user' },
  // found by name: $MOVIELENS_DIR, data/ or ../shared/data/movielens (never bundled)
  { name: 'ml-100k', dir: 'ml-100k', sides: 'item,user', dense: 'item,user' },
  {
    name: 'gen-1m',
    dir: 'var/gen/1m',
    gen: [1_000_209, 6040, 3706],
    sides: 'item,user',
    dense: 'item,user',
  },
  {
    name: 'gen-5m',
    dir: 'var/gen/5m',
    gen: [5_000_000, 32_508, 11_809],
    sides: 'item,user',
    dense: null,
  },
  {
    name: 'gen-25m',
    dir: 'var/gen/25m',
    gen: [25_000_000, 162_541, 59_047],
    sides: 'item',
    dense: null,
  },
];

interface Result {
  readonly phases: Record<string, number>;
  readonly total: number;
  readonly maxRssMiB: number;
  readonly modelMiB: number;
  readonly denseMiB: number;
  readonly ratings: number;
  readonly users: number;
  readonly movies: number;
}

async function measure(dir: string, mode: string, sides: string): Promise<Result> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'bench/build-one.ts', dir, mode, sides, String(threads)],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as Result;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const only = process.env.SETS?.split(',');
  const rows: Array<Record<string, unknown>> = [];
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}`;
  process.stdout.write(`bench:build, median of ${runs} fresh processes per cell; ${machine}\n\n`);
  process.stdout.write(
    '| set | ratings | engine: load s | movie lists s | user lists s | total s | peak RSS MiB | model MiB | dense: movie s | user s | peak RSS MiB | speed-up (lists) |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const set of SETS) {
    if (only && !only.includes(set.name)) continue;
    if (set.gen && !existsSync(join(set.dir, 'ratings.csv'))) {
      const [r, u, m] = set.gen;
      process.stderr.write(`generating ${set.name} in ${set.dir}\n`);
      await run(process.execPath, [
        '--import',
        'tsx',
        'src/cli/gen.ts',
        '--out',
        set.dir,
        '--ratings',
        String(r),
        '--users',
        String(u),
        '--movies',
        String(m),
      ]);
    }
    try {
      resolveDatasetDir(set.dir);
    } catch (err) {
      process.stderr.write(`skipping ${set.name}: ${(err as Error).message}\n`);
      continue;
    }
    const sparse: Result[] = [];
    const dense: Result[] = [];
    for (let r = 0; r < runs; r++) {
      sparse.push(await measure(set.dir, 'sparse', set.sides));
      // the dense baseline takes minutes from 1M ratings on: one run there
      if (set.dense && (r === 0 || !set.gen))
        dense.push(await measure(set.dir, 'dense', set.dense));
    }
    const m = (rs: Result[], f: (r: Result) => number) => (rs.length ? median(rs.map(f)) : NaN);
    const lists = (r: Result) => (r.phases.item ?? 0) + (r.phases.user ?? 0);
    const row = {
      set: set.name,
      ratings: sparse[0].ratings,
      users: sparse[0].users,
      movies: sparse[0].movies,
      engine: {
        load: m(sparse, (r) => r.phases.load + r.phases.matrix),
        item: m(sparse, (r) => r.phases.item),
        user: set.sides.includes('user') ? m(sparse, (r) => r.phases.user) : null,
        total: m(sparse, (r) => r.total),
        maxRssMiB: m(sparse, (r) => r.maxRssMiB),
        modelMiB: m(sparse, (r) => r.modelMiB),
      },
      dense: set.dense
        ? {
            item: m(dense, (r) => r.phases.item),
            user: m(dense, (r) => r.phases.user),
            maxRssMiB: m(dense, (r) => r.maxRssMiB),
          }
        : null,
      speedUp: set.dense ? m(dense, lists) / m(sparse, lists) : null,
      runs: { sparse, dense },
    };
    rows.push(row);
    const f = (x: number | null | undefined, d = 2) =>
      x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d);
    process.stdout.write(
      `| ${set.name} | ${row.ratings.toLocaleString('en')} | ${f(row.engine.load)} | ${f(row.engine.item)} | ${f(row.engine.user)} | ${f(row.engine.total)} | ${f(row.engine.maxRssMiB, 0)} | ${f(row.engine.modelMiB, 0)} | ${f(row.dense?.item)} | ${f(row.dense?.user)} | ${f(row.dense?.maxRssMiB, 0)} | ${row.speedUp ? `${row.speedUp.toFixed(0)}x` : '-'} |\n`,
    );
  }
  const out = 'bench/results/build.json';
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ runs, threads, machine, rows }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
