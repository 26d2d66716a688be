import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadDataset } from '../../src/data/movielens.ts';
import type { Dataset } from '../../src/data/types.ts';
import { readJournal } from '../../src/store/file-journal.ts';
import type { RatingEvent } from '../../src/store/rating-event.ts';
import { check, type Findings, fingerprint } from './checks.ts';
import { inject } from './faults.ts';
import { type LoadPlan, type Mutation, pairKey, runLoad } from './load.ts';
import { Prng } from './prng.ts';
import { killEverything, killEverythingNow, sleep } from './processes.ts';
import { RedisClusterDeployment, type RedisDeployment, SingleRedis } from './redis-deployment.ts';
import { buildReference, type Reference } from './reference.ts';
import { PREFIX, PROJECT_ROOT, Replica, type UnexpectedExit } from './replica.ts';
import { describeFault, makeSchedule, type Schedule, type Topology } from './schedule.ts';
import {
  type RedisState,
  type ReplicaState,
  readLists,
  readRatings,
  readRedisLists,
  type StoreFactory,
  storeFactory,
} from './state.ts';

const run = promisify(execFile);

export interface ChaosOptions {
  /** How many schedules; schedule k has seed `seed + k`. */
  readonly schedules: number;
  /** Default: a random one (printed, so a run can be repeated). */
  readonly seed?: number;
  /** How long the clients send mutations per schedule (default 6). */
  readonly loadSeconds?: number;
  /** Concurrent mutation clients (default 3). */
  readonly clients?: number;
  /** Share of mutations sent as a pair of the same (user, movie) to two replicas (default 0.2). */
  readonly dualShare?: number;
  /** Concurrent readers of lists and recommendations (default 2). */
  readonly readers?: number;
  /** Force every schedule onto one topology (default: a cluster for about one in four). */
  readonly topology?: Topology;
  /** How long to wait for replicas and Redis to agree with the reference (default 20). */
  readonly settleSeconds?: number;
  /**
   * A checkout whose `src/cli/serve.ts` the replicas run (default: this project), to run
   * the same schedules against another revision of the service.
   */
  readonly serviceRoot?: string;
  /** Keep every schedule's directory, not only those of failing schedules. */
  readonly keep?: boolean;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
  /** The generated data set (default 150 users, 200 movies, 6000 ratings, seed 7). */
  readonly dataset?: { readonly users: number; readonly movies: number; readonly ratings: number };
}

export interface ScheduleResult {
  readonly seed: number;
  readonly topology: Topology;
  readonly replicas: number;
  readonly plannedFaults: ReadonlyArray<string>;
  /** Options besides the seed that the schedule depends on, as command-line flags. */
  readonly rerunFlags: string;
  /** Faults actually injected. */
  faults: number;
  sent: number;
  /** Read requests sent during the load, and how many were answered without error. */
  reads: number;
  readsAnswered: number;
  acknowledged: number;
  lost: number;
  lostNotJournaled: number;
  lostIgnored: number;
  lostNotServed: number;
  /** Concurrent writes on two replicas that the clocks ordered against real time. */
  reordered: number;
  stateMismatches: number;
  listsCompared: number;
  mismatches: number;
  labelledStale: number;
  redisLists: number;
  /** Whether two reads in a row agreed before the settle timeout. */
  settled: boolean;
  seconds: number;
  /** Seconds spent starting Redis and the replicas, under load, and settling and checking. */
  phases: { setup: number; load: number; settle: number };
  unexpectedExits: UnexpectedExit[];
  notes: string[];
  examples: string[];
  /** Why the schedule could not be completed (the harness or the set-up failed). */
  error: string | null;
  failed: boolean;
  /** The schedule's directory, when kept. */
  dir: string | null;
  logs: string[];
}

export interface ChaosSummary {
  readonly seed: number;
  readonly schedules: number;
  readonly faults: number;
  readonly acknowledged: number;
  readonly lost: number;
  readonly listsCompared: number;
  readonly mismatches: number;
  readonly stateMismatches: number;
  readonly labelledStale: number;
  readonly reordered: number;
  /** Seeds of the schedules that failed a check or could not be completed. */
  readonly failures: number[];
  readonly seconds: number;
  readonly results: ScheduleResult[];
}

const DEFAULT_DATASET = { users: 150, movies: 200, ratings: 6000 };
const NEW_USERS = Array.from({ length: 20 }, (_, k) => 900_001 + k);
const REQUEST_TIMEOUT_MS = 2000;
/** Longest the load goes on past its planned length while a fault is still recovering. */
const LOAD_OVERRUN_MS = 30_000;
/** A state that read the same this long is final, matching or not. */
const STABLE_MS = 6000;

/** The directory of the run in progress, for `interrupt`. */
let activeRunDir: string | null = null;

/**
 * For a SIGINT handler: SIGKILLs every process the harness started, at once, and deletes
 * the run's directory (unless `keep`). Synchronous, since the process exits right after.
 */
export function interrupt(keep: boolean): string | null {
  killEverythingNow();
  const dir = activeRunDir;
  if (dir !== null && !keep) rmSync(dir, { recursive: true, force: true });
  return dir;
}

/**
 * Runs `options.schedules` seeded fault schedules against real processes and returns what
 * they found. Every process started is stopped before this returns or throws.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosSummary> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const seed = options.seed ?? Math.floor(Math.random() * 1_000_000);
  const runDir = mkdtempSync(join(tmpdir(), 'movie-recs-chaos-'));
  activeRunDir = runDir;
  const results: ScheduleResult[] = [];
  try {
    const datasetDir = join(runDir, 'data');
    const size = options.dataset ?? DEFAULT_DATASET;
    await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/gen.ts',
        '--out',
        datasetDir,
        '--users',
        String(size.users),
        '--movies',
        String(size.movies),
        '--ratings',
        String(size.ratings),
        '--seed',
        '7',
      ],
      { cwd: PROJECT_ROOT },
    );
    const dataset = await loadDataset(datasetDir, { includeTags: false });
    const makeStore = await storeFactory(options.serviceRoot);
    log(`data set: ${dataset.ratings.length} ratings in ${datasetDir}; first seed ${seed}`);
    for (let k = 0; k < options.schedules; k++) {
      const schedule = makeSchedule(seed + k, {
        loadMs: Math.round((options.loadSeconds ?? 6) * 1000),
        topology: options.topology,
      });
      log(
        `schedule ${k + 1}/${options.schedules}: seed ${schedule.seed}, ${schedule.topology}, ${schedule.replicas} replicas; ${schedule.faults.map(describeFault).join('; ')}`,
      );
      const result = await runSchedule(
        schedule,
        { dataset, datasetDir, runDir, makeStore },
        options,
      );
      results.push(result);
      log(resultLine(result));
      if (result.failed) for (const line of failureReport(result)) log(line);
    }
  } finally {
    await killEverything();
    activeRunDir = null;
    const kept = results.some((r) => r.dir !== null);
    if (!kept) rmSync(runDir, { recursive: true, force: true });
  }
  const sum = (f: (r: ScheduleResult) => number) => results.reduce((s, r) => s + f(r), 0);
  return {
    seed,
    schedules: results.length,
    faults: sum((r) => r.faults),
    acknowledged: sum((r) => r.acknowledged),
    lost: sum((r) => r.lost),
    listsCompared: sum((r) => r.listsCompared),
    mismatches: sum((r) => r.mismatches),
    stateMismatches: sum((r) => r.stateMismatches),
    labelledStale: sum((r) => r.labelledStale),
    reordered: sum((r) => r.reordered),
    failures: results.filter((r) => r.failed).map((r) => r.seed),
    seconds: (performance.now() - started) / 1000,
    results,
  };
}

/** One line on a finished schedule. */
export function resultLine(r: ScheduleResult): string {
  return `seed ${r.seed}: ${r.failed ? 'FAILED' : 'ok'} in ${r.seconds.toFixed(1)} s; ${r.faults} faults, ${r.acknowledged}/${r.sent} acknowledged, ${r.readsAnswered}/${r.reads} reads answered, lost ${r.lost} (not journaled ${r.lostNotJournaled}, ignored ${r.lostIgnored}, not served ${r.lostNotServed}), reordered ${r.reordered}, state mismatches ${r.stateMismatches}, lists ${r.listsCompared} compared / ${r.mismatches} mismatched / ${r.labelledStale} labelled stale (setup ${r.phases.setup.toFixed(1)} s, load ${r.phases.load.toFixed(1)} s, settle ${r.phases.settle.toFixed(1)} s)${r.unexpectedExits.length > 0 ? `, ${r.unexpectedExits.length} replica exits the harness did not cause` : ''}${r.settled ? '' : ', did not settle'}${r.error ? `; error: ${r.error}` : ''}`;
}

/** What to look at for a failed schedule, and how to run it alone. */
export function failureReport(r: ScheduleResult): string[] {
  return [
    `  rerun alone: npm run chaos -- --seed ${r.seed} --schedules 1${r.rerunFlags}`,
    ...r.plannedFaults.map((f) => `  fault ${f}`),
    ...r.notes.map((n) => `  note: ${n}`),
    ...r.unexpectedExits.map(
      (e) =>
        `  replica ${e.replica} exited unexpectedly at ${e.atMs} ms (code ${e.code}, signal ${e.signal})`,
    ),
    ...r.examples.map((e) => `  - ${e}`),
    ...(r.dir ? [`  kept ${r.dir}`] : []),
    ...r.logs.map((l) => `  log ${l}`),
  ];
}

/** What every schedule of a run shares. */
interface RunContext {
  readonly dataset: Dataset;
  readonly datasetDir: string;
  readonly runDir: string;
  readonly makeStore: StoreFactory;
}

async function runSchedule(
  schedule: Schedule,
  { dataset, datasetDir, runDir, makeStore }: RunContext,
  options: ChaosOptions,
): Promise<ScheduleResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const dir = join(runDir, `s-${schedule.seed}`);
  mkdirSync(dir, { recursive: true });
  const result: ScheduleResult = {
    seed: schedule.seed,
    topology: schedule.topology,
    replicas: schedule.replicas,
    plannedFaults: schedule.faults.map(describeFault),
    rerunFlags: [
      schedule.loadMs !== 6000 ? ` --load-seconds ${schedule.loadMs / 1000}` : '',
      options.topology ? ` --topology ${options.topology}` : '',
    ].join(''),
    faults: 0,
    sent: 0,
    reads: 0,
    readsAnswered: 0,
    acknowledged: 0,
    lost: 0,
    lostNotJournaled: 0,
    lostIgnored: 0,
    lostNotServed: 0,
    stateMismatches: 0,
    listsCompared: 0,
    mismatches: 0,
    labelledStale: 0,
    reordered: 0,
    redisLists: 0,
    settled: false,
    seconds: 0,
    phases: { setup: 0, load: 0, settle: 0 },
    unexpectedExits: [],
    notes: [],
    examples: [],
    error: null,
    failed: false,
    dir: null,
    logs: [],
  };
  let single: SingleRedis | null = null;
  let cluster: RedisClusterDeployment | null = null;
  let redis: RedisDeployment | null = null;
  const replicas: Replica[] = [];
  let loadStart = performance.now();
  try {
    if (schedule.topology === 'cluster') redis = cluster = await RedisClusterDeployment.start(dir);
    else redis = single = await SingleRedis.start(dir);
    result.logs.push(redis.describe());
    const deployment = redis;
    for (let slot = 0; slot < schedule.replicas; slot++) {
      const replica = new Replica({
        slot,
        serviceRoot: options.serviceRoot,
        scheduleDir: dir,
        datasetDir,
        redisEnv: () => deployment.env(),
        onUnexpectedExit: (exit) => {
          result.unexpectedExits.push({ ...exit, atMs: Math.round(performance.now() - loadStart) });
        },
      });
      replicas.push(replica);
      result.logs.push(replica.logPath);
    }
    // the first start publishes the lists; the others start warm from them
    await replicas[0].start();
    await Promise.all(replicas.slice(1).map((r) => r.start()));

    const plan = loadPlan(schedule, dataset, {
      clients: options.clients ?? 3,
      readers: options.readers ?? 2,
      dualShare: options.dualShare ?? 0.2,
    });
    let stopLoad = false;
    let faultsDone = false;
    loadStart = performance.now();
    result.phases.setup = (loadStart - started) / 1000;
    const faultRunner = (async () => {
      for (const [k, fault] of schedule.faults.entries()) {
        const wait = loadStart + fault.atMs - performance.now();
        if (wait > 0) await sleep(wait);
        try {
          result.faults++;
          const notes = await inject(fault, {
            replicas,
            single,
            cluster,
            prefix: PREFIX,
            seed: schedule.seed * 31 + k,
          });
          result.notes.push(...notes);
        } catch (err) {
          result.notes.push(`${describeFault(fault)} failed: ${(err as Error).message}`);
        }
      }
      faultsDone = true;
    })();
    const stopper = (async () => {
      const deadline = loadStart + schedule.loadMs + LOAD_OVERRUN_MS;
      while (performance.now() < deadline) {
        if (faultsDone && performance.now() >= loadStart + schedule.loadMs) break;
        await sleep(50);
      }
      stopLoad = true;
    })();
    const { mutations, reads, readsAnswered } = await runLoad(
      plan,
      () => replicas.map((r) => r.url),
      () => stopLoad,
    );
    await stopper;
    await faultRunner;
    result.sent = mutations.length;
    result.reads = reads;
    result.readsAnswered = readsAnswered;
    result.acknowledged = mutations.filter((m) => m.outcome === 'ack').length;

    // quiesce: everything running, nothing paused
    await redis.ensureUp();
    for (const r of replicas) {
      await r.exclusive(async () => {
        r.resume();
        if (!r.running) await r.start();
      });
    }
    const settleStart = performance.now();
    result.phases.load = (settleStart - loadStart) / 1000;
    const findings = await settle(replicas, redis, dataset, makeStore, mutations, result, options);
    result.phases.settle = (performance.now() - settleStart) / 1000;
    Object.assign(result, {
      lost: findings.lost,
      lostNotJournaled: findings.lostNotJournaled,
      lostIgnored: findings.lostIgnored,
      lostNotServed: findings.lostNotServed,
      stateMismatches: findings.stateMismatches,
      listsCompared: findings.listsCompared,
      mismatches: findings.mismatches,
      labelledStale: findings.labelledStale,
      reordered: findings.reordered,
      redisLists: findings.redisLists,
      examples: findings.examples,
    });
  } catch (err) {
    result.error = (err as Error).message.split('\n')[0];
    log(`seed ${schedule.seed}: ${(err as Error).stack ?? String(err)}`);
  } finally {
    await Promise.all(replicas.map((r) => r.close()));
    await redis?.stop();
    await killEverything();
  }
  result.failed =
    result.error !== null || result.lost > 0 || result.mismatches > 0 || result.stateMismatches > 0;
  result.seconds = (performance.now() - started) / 1000;
  if (result.failed || options.keep) result.dir = dir;
  else rmSync(dir, { recursive: true, force: true });
  return result;
}

/** The users, movies and removable pairs the load draws from. */
function loadPlan(
  schedule: Schedule,
  dataset: Dataset,
  shape: { clients: number; readers: number; dualShare: number },
): LoadPlan {
  const rng = new Prng(schedule.loadSeed);
  const r = dataset.ratings;
  const existing = [...new Set(r.userIds)].sort((a, b) => a - b);
  const counts = new Map<number, number>();
  for (let t = 0; t < r.length; t++)
    counts.set(r.movieIds[t], (counts.get(r.movieIds[t]) ?? 0) + 1);
  const catalogue = [...dataset.movies.keys()].sort((a, b) => a - b);
  const popular = [...catalogue].sort(
    (a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || a - b,
  );
  const movies = new Set(popular.slice(0, 10));
  for (const m of rng.sample(catalogue, 30)) if (movies.size < 30) movies.add(m);
  const users = [...rng.sample(existing, 15), ...NEW_USERS];
  const userSet = new Set(users);
  const initiallyRated: string[] = [];
  for (let t = 0; t < r.length; t++) {
    if (userSet.has(r.userIds[t]) && movies.has(r.movieIds[t])) {
      initiallyRated.push(pairKey(r.userIds[t], r.movieIds[t]));
    }
  }
  return {
    seed: rng.fork(),
    ...shape,
    userIds: users,
    movieIds: [...movies],
    initiallyRated,
    timeoutMs: REQUEST_TIMEOUT_MS,
    maxPerClient: 100_000,
  };
}

/**
 * Reads everything until two reads in a row agree and match the reference, or the state
 * stops changing (for STABLE_MS), or the settle time is up; returns the last verdict.
 */
async function settle(
  replicas: ReadonlyArray<Replica>,
  redis: RedisDeployment,
  dataset: Dataset,
  makeStore: StoreFactory,
  mutations: ReadonlyArray<Mutation>,
  result: ScheduleResult,
  options: ChaosOptions,
): Promise<Findings> {
  const deadline = performance.now() + (options.settleSeconds ?? 20) * 1000;
  const touched = [...new Set(mutations.map((m) => m.userId))].sort((a, b) => a - b);
  let reference: Reference | null = null;
  let referenceKey = '';
  let previous: { fp: string; clean: boolean; since: number } | null = null;
  let last: Findings | null = null;
  let lastError = '';
  const client = redis.client();
  client.on('error', () => {});
  try {
    for (let round = 0; round < 200; round++) {
      try {
        const journals: RatingEvent[][] = [];
        for (const r of replicas) journals.push((await readJournal(r.dataDir)).events);
        const key = journals.map((j) => j.length).join(',');
        if (reference === null || key !== referenceKey) {
          reference = buildReference(dataset, journals);
          referenceKey = key;
        }
        const listUsers = [...new Set([...reference.userIds, ...touched])].sort((a, b) => a - b);
        const states: ReplicaState[] = [];
        for (const r of replicas) {
          const ratings = await readRatings(r.url, touched);
          const lists = await readLists(r.url, reference.movieIds, listUsers);
          states.push({ slot: r.slot, ratings, ...lists });
        }
        const stored: RedisState = await readRedisLists(
          makeStore,
          client,
          PREFIX,
          reference.movieIds,
          [...new Set([...listUsers, ...dataset.ratings.userIds])].sort((a, b) => a - b),
        );
        last = check({
          reference,
          mutations,
          journals,
          replicas: states,
          redis: stored,
          touchedUsers: touched,
        });
        const fp = fingerprint(
          states,
          stored,
          journals.reduce((s, j) => s + j.length, 0),
        );
        const clean = last.lost === 0 && last.mismatches === 0 && last.stateMismatches === 0;
        const now = performance.now();
        if (previous && previous.fp === fp) {
          if (clean && previous.clean) {
            result.settled = true;
            return last;
          }
          if (now - previous.since >= STABLE_MS) {
            result.settled = true;
            return last;
          }
        } else {
          previous = { fp, clean, since: now };
        }
        previous.clean = clean;
      } catch (err) {
        lastError = (err as Error).message;
      }
      if (performance.now() > deadline) break;
      await sleep(500);
    }
  } finally {
    client.disconnect();
  }
  if (last === null) throw new Error(`could not read the final state: ${lastError}`);
  result.notes.push(
    `did not settle within ${options.settleSeconds ?? 20} s; the last read is reported`,
  );
  return last;
}
