import { type ChildProcess, spawn } from 'node:child_process';
import { Command } from 'commander';
import { parseWeights } from '../config.ts';
import { loadDataset } from '../data/movielens.ts';
import { defaultModelConfig } from '../engine/model.ts';
import { type BuildInputs, coordinateBuild, runBuildWorker } from '../service/distributed-build.ts';
import { RecommenderService } from '../service/recommender-service.ts';
import { readJournal } from '../store/file-journal.ts';
import type { RatingEvent } from '../store/rating-event.ts';
import { RatingStream } from '../store/rating-stream.ts';
import { connectRedis, parseClusterNodes, type RedisTarget } from '../store/redis-client.ts';
import { RedisNeighbourStore } from '../store/redis-neighbour-store.ts';
import { integerOption } from './arguments.ts';
import { progress } from './progress.ts';

interface InputOptions {
  readonly data: string;
  readonly dataDir: string;
  readonly redis: string;
  readonly cluster?: string;
  readonly prefix: string;
  readonly weights: string;
}

/** The options every build process shares: the inputs that make the model version. */
function withInputOptions(command: Command): Command {
  return command
    .option(
      '--data <name|dir>',
      'ml-latest-small, ml-100k, ml-1m, or a directory',
      process.env.DATASET || 'ml-latest-small',
    )
    .option('--data-dir <dir>', 'where the rating journal lives', process.env.DATA_DIR || 'var')
    .option('--redis <url>', 'the Redis to fill', process.env.REDIS_URL || 'redis://127.0.0.1:6379')
    .option(
      '--cluster <nodes>',
      'a Redis Cluster instead: host:port,...',
      process.env.REDIS_CLUSTER_NODES,
    )
    .option(
      '--prefix <prefix>',
      'key prefix, as REDIS_PREFIX',
      process.env.REDIS_PREFIX || 'movie-recs',
    )
    .option(
      '--weights <spec>',
      '"fit" or five or nine numbers, as HYBRID_WEIGHTS',
      process.env.HYBRID_WEIGHTS || 'fit',
    );
}

function inputArgs(o: InputOptions): string[] {
  return [
    '--data',
    o.data,
    '--data-dir',
    o.dataDir,
    '--redis',
    o.redis,
    ...(o.cluster ? ['--cluster', o.cluster] : []),
    '--prefix',
    o.prefix,
    '--weights',
    o.weights,
  ];
}

async function loadInputs(o: InputOptions): Promise<BuildInputs> {
  const dataset = await loadDataset(o.data);
  // read only: the service may be running on this DATA_DIR and appending to its journal
  const replay = await readJournal(o.dataDir);
  const redis: RedisTarget = o.cluster
    ? { kind: 'cluster', nodes: parseClusterNodes(o.cluster) }
    : { kind: 'single', url: o.redis };
  return {
    dataset,
    // what a service started now would load: the journal and what the replicas shared
    replay: [...replay.events, ...(await sharedEvents(redis, o.prefix))],
    config: defaultModelConfig,
    hybrid: parseWeights(o.weights),
    redis,
    prefix: o.prefix,
  };
}

/** Every rating event the replicas' stream (and its snapshot) holds. */
async function sharedEvents(target: RedisTarget, prefix: string): Promise<RatingEvent[]> {
  const redis = connectRedis(target);
  await redis.connect();
  try {
    return await new RatingStream(redis, redis, prefix, 'build', null).readAll();
  } finally {
    redis.disconnect();
  }
}

const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * The `build` command: fits the model on the data set plus DATA_DIR's journal and writes
 * every neighbour list and the hybrid weights into Redis under the model version, exactly
 * as a cold start would, so the next service started on the same inputs starts warm.
 * With --workers, the lists are split into jobs on a BullMQ queue and computed by worker
 * processes (started here, or `build-worker` elsewhere).
 */
export function buildCommand(): Command {
  return withInputOptions(
    new Command('build').description(
      'Precompute every neighbour list into Redis, so services on the same data, journal and settings start warm',
    ),
  )
    .option(
      '--workers <n>',
      'split the lists into jobs on a BullMQ queue and start n local build-worker processes (0: only queue, for workers started elsewhere)',
      integerOption('--workers', 0),
    )
    .option(
      '--chunks <n>',
      'shares of the pairs, and runs of lists to merge, per side with --workers (default: twice the local workers, or 16 for workers started elsewhere; each share fills its heaps afresh, so many shares cost more work)',
      integerOption('--chunks'),
    )
    .option(
      '--threads <n>',
      'threads building the lists in this process, without --workers (default: one per core)',
      integerOption('--threads', 1),
    )
    .showHelpAfterError()
    .action(async (o: InputOptions & { workers?: number; chunks?: number; threads?: number }) => {
      const started = performance.now();
      const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
      const inputs = await loadInputs(o);
      say(
        `loaded ${inputs.dataset.name}: ${inputs.dataset.ratings.length.toLocaleString('en')} ratings and ${inputs.replay.length.toLocaleString('en')} journal events (${elapsed()})`,
      );
      if (o.workers !== undefined) {
        const chunks = o.chunks ?? (o.workers > 0 ? 2 * o.workers : 16);
        await distributed(o, inputs, o.workers, chunks, elapsed);
        return;
      }
      const redis = connectRedis(inputs.redis);
      await redis.connect();
      try {
        say('fitting the model and its neighbour lists...');
        let bar: ReturnType<typeof progress> | null = null;
        const { warm } = await RecommenderService.createWithStore({
          dataset: inputs.dataset,
          events: inputs.replay,
          config: inputs.config,
          hybrid: inputs.hybrid,
          store: new RedisNeighbourStore(redis, o.prefix),
          preload: false,
          // one thread: the build on this thread alone; more: worker threads share it
          background: o.threads === 1 ? undefined : { threads: o.threads },
          onPublish: (done, total) => {
            bar ??= progress('writing lists', total);
            bar.update(done);
          },
        });
        (bar as ReturnType<typeof progress> | null)?.stop();
        say(
          warm
            ? `Redis already holds this model version under ${o.prefix}: nothing to write (${elapsed()})`
            : `wrote every neighbour list under ${o.prefix} and published the version (${elapsed()})`,
        );
      } finally {
        redis.disconnect();
      }
    });
}

async function distributed(
  o: InputOptions,
  inputs: BuildInputs,
  workers: number,
  chunks: number,
  elapsed: () => string,
): Promise<void> {
  const children: ChildProcess[] = [];
  for (let w = 0; w < workers; w++) {
    // the same program, as `build-worker` with the same inputs
    children.push(
      spawn(
        process.execPath,
        [...process.execArgv, process.argv[1], 'build-worker', ...inputArgs(o)],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      ),
    );
  }
  const failed = new Promise<never>((_, reject) => {
    for (const child of children) {
      child.once('exit', (code, signal) => {
        if (code !== 0 || signal !== null) {
          reject(
            new Error(`a build worker exited with ${code ?? signal} before the build was done`),
          );
        }
      });
    }
  });
  say(
    `queueing ${chunks} jobs per side for ${workers > 0 ? `${workers} local worker process${workers > 1 ? 'es' : ''}` : 'workers started elsewhere (build-worker)'}...`,
  );
  let bar: ReturnType<typeof progress> | null = null;
  try {
    const report = await Promise.race([
      coordinateBuild(
        inputs,
        chunks,
        (done, total) => {
          bar ??= progress('jobs', total);
          bar.update(done);
        },
        workers,
      ),
      failed,
    ]);
    (bar as ReturnType<typeof progress> | null)?.stop();
    say(
      report.alreadyBuilt
        ? `Redis already holds this model version under ${o.prefix}: nothing to write (${elapsed()})`
        : `workers wrote ${report.lists.toLocaleString('en')} neighbour lists in ${report.jobs} jobs under ${o.prefix}; published the version (${elapsed()})`,
    );
  } finally {
    failed.catch(() => undefined);
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.removeAllListeners('exit');
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
  }
}

/** The `build-worker` command: computes list ranges queued by `build --workers`. */
export function buildWorkerCommand(): Command {
  return withInputOptions(
    new Command('build-worker').description(
      'Take neighbour-list jobs from the build queue in Redis until stopped (SIGTERM/SIGINT); start it on the same inputs as `build --workers`',
    ),
  )
    .showHelpAfterError()
    .action(async (o: InputOptions) => {
      const inputs = await loadInputs(o);
      const stop = new AbortController();
      process.once('SIGTERM', () => stop.abort());
      process.once('SIGINT', () => stop.abort());
      say(`build worker ${process.pid} ready on ${inputs.dataset.name}`);
      const jobs = await runBuildWorker(
        inputs,
        stop.signal,
        (job, lists, seconds) =>
          say(
            `worker ${process.pid}: ${job.kind} ${job.side} ${job.from}..${Math.min(job.to, 1e12)}: ${lists} lists in ${seconds.toFixed(2)} s`,
          ),
        (seconds) =>
          say(`worker ${process.pid}: model fitted without lists in ${seconds.toFixed(2)} s`),
      );
      const cpu = process.cpuUsage();
      say(
        `build worker ${process.pid} stopped after ${jobs} jobs (cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s)`,
      );
    });
}
