#!/usr/bin/env node
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix } from '../src/store/redis-keys.ts';
import { median } from './server-process.ts';

/**
 * bench:distributed: the whole neighbour build of a data set into Redis (`build`: load,
 * fit, compute every movie's and user's list, write them, publish), three ways, RUNS
 * times each (default 1), alternating, with fixed hybrid weights so only the lists are
 * compared:
 *   - one process on one thread (`build --threads 1`), the baseline;
 *   - one process on every core (`build`);
 *   - `build --workers W` (W one-thread worker processes taking BullMQ jobs, default 2).
 * Each is timed under /usr/bin/time: wall clock, and the CPU of the whole process tree.
 * Efficiency is the baseline's CPU over the distributed run's (coordinator and workers),
 * and over the workers' alone. From the workers' per-job times it also estimates the
 * wall time on 8 and 32 workers: each worker's fit, plus each side's shares and merges
 * spread over the workers (never below the longest single job), plus the coordinator's
 * own time. DATASET defaults to var/gen/1m; with LARGE=1, var/gen/25m (made here by
 * npm run gen when missing), and with SKIP_ONE=1 the one-process runs are skipped.
 */
const large = process.env.LARGE === '1';
const dataset = process.env.DATASET ?? (large ? 'var/gen/25m' : 'var/gen/1m');
const runs = Number(process.env.RUNS ?? 1);
const workers = Number(process.env.WORKERS ?? 2);
const chunks = Number(process.env.CHUNKS ?? 2 * workers);
const skipOne = process.env.SKIP_ONE === '1';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WEIGHTS = '0.9,1.05,-0.7,-1.06,0.2';
const SIZES: Record<string, string[]> = {
  'var/gen/1m': ['--ratings', '1000209', '--users', '6040', '--movies', '3706'],
  'var/gen/5m': ['--ratings', '5000000', '--users', '32508', '--movies', '11809'],
  'var/gen/25m': ['--ratings', '25000000', '--users', '162541', '--movies', '59047'],
};

type Mode = 'one thread' | 'all threads' | 'workers';

interface Run {
  readonly mode: Mode;
  readonly wall: number;
  readonly cpu: number;
  readonly stderr: string;
}

function exec(args: string[]): Promise<{ stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/time', args, { maxBuffer: 256 << 20 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${args.join(' ')} failed: ${stderr.slice(-2000)}`));
      else resolve({ stderr });
    });
  });
}

async function buildOnce(mode: Mode, prefix: string, dataDir: string): Promise<Run> {
  const extra =
    mode === 'one thread'
      ? ['--threads', '1']
      : mode === 'workers'
        ? ['--workers', String(workers), '--chunks', String(chunks)]
        : [];
  const { stderr } = await exec([
    '-f',
    'TIME %e %U %S',
    process.execPath,
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
  ]);
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  if (!m) throw new Error(`no time line in: ${stderr.slice(-500)}`);
  return { mode, wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), stderr };
}

/** What the workers said: their CPU, fit times and every job's time. */
function workerFacts(stderr: string) {
  const cpu = [...stderr.matchAll(/stopped after \d+ jobs \(cpu ([\d.]+) s\)/g)].map((m) =>
    Number(m[1]),
  );
  const fits = [...stderr.matchAll(/model fitted without lists in ([\d.]+) s/g)].map((m) =>
    Number(m[1]),
  );
  const jobs = [
    ...stderr.matchAll(/: (pairs|merge) (item|user) \S+: \d+ lists in ([\d.]+) s/g),
  ].map((m) => ({ kind: m[1], side: m[2], seconds: Number(m[3]) }));
  return { cpu, fits, jobs };
}

/**
 * The wall time on `w` workers from measured parts: the coordinator's time outside the
 * jobs, one worker's fit, then each phase of jobs (shares, then merges) over w workers:
 * their total over w, never less than the longest job.
 */
function estimate(
  w: number,
  coordinator: number,
  fit: number,
  jobs: ReadonlyArray<{ kind: string; seconds: number }>,
): number {
  let total = coordinator + fit;
  for (const kind of ['pairs', 'merge']) {
    const times = jobs.filter((j) => j.kind === kind).map((j) => j.seconds);
    if (times.length === 0) continue;
    const sum = times.reduce((a, b) => a + b, 0);
    total += Math.max(sum / w, Math.max(...times));
  }
  return total;
}

async function main(): Promise<void> {
  if (!existsSync(join(dataset, 'ratings.csv')) && SIZES[dataset]) {
    process.stderr.write(`generating ${dataset}...\n`);
    await new Promise<void>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/cli/gen.ts', '--out', dataset, ...SIZES[dataset]],
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }
  const redis = new Redis(redisUrl);
  const dataDir = mkdtempSync(join(tmpdir(), 'movie-recs-dbuild-'));
  const done: Run[] = [];
  const modes: Mode[] = skipOne ? ['workers'] : ['one thread', 'all threads', 'workers'];
  try {
    for (let r = 0; r < runs; r++) {
      for (const mode of modes) {
        const prefix = `bench:dbuild:${randomUUID()}`;
        const run = await buildOnce(mode, prefix, dataDir);
        done.push(run);
        process.stderr.write(
          `run ${r + 1}: ${mode === 'workers' ? `${workers} workers` : mode} ${run.wall.toFixed(1)} s wall, ${run.cpu.toFixed(1)} s cpu\n`,
        );
        await deleteKeysWithPrefix(redis, `${prefix}:`);
        await deleteKeysWithPrefix(redis, `{${prefix}:`);
      }
    }
  } finally {
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const of = (mode: Mode) => done.filter((r) => r.mode === mode);
  const summary = (mode: Mode) => {
    const rs = of(mode);
    if (rs.length === 0) return null;
    return { wall: median(rs.map((r) => r.wall)), cpu: median(rs.map((r) => r.cpu)) };
  };
  const one = summary('one thread');
  const all = summary('all threads');
  const spread = summary('workers');
  const lastSpread = of('workers').at(-1);
  const facts = lastSpread ? workerFacts(lastSpread.stderr) : null;
  const workerCpu = facts ? facts.cpu.reduce((a, b) => a + b, 0) : 0;
  const jobSeconds = facts ? facts.jobs.reduce((a, j) => a + j.seconds, 0) : 0;
  const fit = facts && facts.fits.length > 0 ? Math.max(...facts.fits) : 0;
  // the distributed run's wall time that no job or worker fit explains: loading, the
  // plan (and the weight fit), queueing, publishing
  const coordinator =
    spread && facts ? Math.max(0, spread.wall - fit - jobSeconds / Math.max(1, workers)) : 0;
  const result = {
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    node: process.version,
    dataset,
    runs,
    workers,
    chunks,
    runsSeconds: done.map(({ mode, wall, cpu }) => ({ mode, wall, cpu })),
    oneThread: one,
    allThreads: all,
    workersRun: spread,
    workersCpu: workerCpu,
    speedUpWorkersOverOneThread: one && spread ? one.wall / spread.wall : null,
    speedUpAllThreadsOverOneThread: one && all ? one.wall / all.wall : null,
    efficiencyWholeRun: one && spread ? one.cpu / spread.cpu : null,
    efficiencyWorkers: one && workerCpu > 0 ? one.cpu / workerCpu : null,
    workerFitSeconds: facts?.fits ?? [],
    jobs: facts
      ? ['pairs', 'merge'].flatMap((kind) =>
          ['item', 'user'].map((side) => {
            const js = facts.jobs.filter((j) => j.kind === kind && j.side === side);
            return {
              kind,
              side,
              count: js.length,
              totalSeconds: js.reduce((a, j) => a + j.seconds, 0),
              longestSeconds: js.length ? Math.max(...js.map((j) => j.seconds)) : 0,
            };
          }),
        )
      : [],
    estimate: facts
      ? {
          note: 'an estimate from the measured per-job times, not a run',
          coordinatorSeconds: coordinator,
          workers8Seconds: estimate(8, coordinator, fit, facts.jobs),
          workers32Seconds: estimate(32, coordinator, fit, facts.jobs),
        }
      : null,
  };
  mkdirSync(join('bench', 'results'), { recursive: true });
  const out = join('bench', 'results', `distributed-build-${dataset.split('/').pop()}.json`);
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  const f = (x: number | null | undefined, d = 1) => (x == null ? '-' : x.toFixed(d));
  console.log(
    [
      `${dataset} (${result.machine}, ${result.node}), ${runs} run(s) each:`,
      `  one process, one thread: ${f(one?.wall)} s wall, ${f(one?.cpu)} s cpu`,
      `  one process, all threads: ${f(all?.wall)} s wall, ${f(all?.cpu)} s cpu`,
      `  ${workers} workers, one thread each: ${f(spread?.wall)} s wall, ${f(spread?.cpu)} s cpu (workers ${f(workerCpu)} s)`,
      `  speed-up of the workers over one thread ${f(result.speedUpWorkersOverOneThread, 2)}x; efficiency ${f(result.efficiencyWholeRun, 2)} (whole run), ${f(result.efficiencyWorkers, 2)} (workers)`,
      result.estimate
        ? `  estimate (not a run): 8 workers ${f(result.estimate.workers8Seconds)} s, 32 workers ${f(result.estimate.workers32Seconds)} s`
        : '',
      `written to ${out}`,
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
