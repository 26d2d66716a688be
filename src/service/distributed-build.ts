import { type Job, Queue, QueueEvents, Worker } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import type { Dataset } from '../data/types.ts';
import { fitOptionsOf } from '../engine/hybrid.ts';
import { LiveModel } from '../engine/live-model.ts';
import type { Side } from '../engine/matrix.ts';
import type { HybridSource, HybridWeights, ModelConfig } from '../engine/model.ts';
import type { NeighbourStore } from '../store/neighbour-store.ts';
import type { RatingEvent } from '../store/rating-event.ts';
import { connectRedis, type RedisTarget } from '../store/redis-client.ts';
import { RedisNeighbourStore } from '../store/redis-neighbour-store.ts';
import { ListSync, PREVIOUS_VERSION_TTL_SECONDS } from './list-sync.ts';
import { modelInputs } from './model-inputs.ts';

/**
 * A neighbour build split over processes, coordinated by a BullMQ queue in the service's
 * Redis: the coordinator fits the weights, queues one job per range of movies or users,
 * waits for every job and publishes the version; each worker fits the model without its
 * lists once, then computes and writes the lists of whatever ranges it takes.
 */

/** The inputs every process must share; a worker refuses a job of another version. */
export interface BuildInputs {
  readonly dataset: Dataset;
  readonly replay: ReadonlyArray<RatingEvent>;
  readonly config: ModelConfig;
  readonly hybrid: HybridSource;
  readonly redis: RedisTarget;
  readonly prefix: string;
}

interface RangeJob {
  readonly version: string;
  readonly weights: HybridWeights;
  readonly side: Side;
  readonly from: number;
  readonly to: number;
}

const QUEUE = 'list-build';

/** BullMQ's Lua scripts touch several keys: one hash tag keeps them in one cluster slot. */
function queuePrefix(prefix: string): string {
  return `{${prefix}:jobs}`;
}

/** A connection as BullMQ wants it: no per-command retry limit, since workers block. */
function bullConnection(target: RedisTarget): Redis | Cluster {
  return target.kind === 'single'
    ? new Redis(target.url, { maxRetriesPerRequest: null })
    : new Cluster([...target.nodes], { redisOptions: { maxRetriesPerRequest: null } });
}

export interface CoordinatorReport {
  readonly version: string;
  readonly jobs: number;
  readonly lists: number;
  /** Whether the version was already published, so nothing was queued. */
  readonly alreadyBuilt: boolean;
}

/**
 * Queues the build of every list in `chunks` ranges per side and waits until workers have
 * done them all; then writes the weights and publishes the version. `onJob` hears of each
 * finished job.
 */
export async function coordinateBuild(
  inputs: BuildInputs,
  chunks: number,
  onJob: (done: number, total: number) => void = () => {},
  waitForWorkers = 0,
): Promise<CoordinatorReport> {
  const client = connectRedis(inputs.redis);
  await client.connect();
  const store = new RedisNeighbourStore(client, inputs.prefix);
  const plan = buildPlan(inputs.dataset, inputs.replay, inputs.config, inputs.hybrid);
  const { version, weights } = plan;
  // BullMQ leaves connections it was given open: they are closed below
  const connection = bullConnection(inputs.redis);
  const eventsConnection = bullConnection(inputs.redis);
  const queue = new Queue<RangeJob>(QUEUE, { connection, prefix: queuePrefix(inputs.prefix) });
  const events = new QueueEvents(QUEUE, {
    connection: eventsConnection,
    prefix: queuePrefix(inputs.prefix),
  });
  try {
    if ((await store.currentVersion()) === version) {
      return { version, jobs: 0, lists: 0, alreadyBuilt: true };
    }
    await events.waitUntilReady();
    // queue only once the expected workers listen, or the first one ready would take
    // every job of a small build while the others are still loading the data
    while ((await queue.getWorkersCount()) < waitForWorkers) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const jobs: RangeJob[] = [];
    for (const side of ['item', 'user'] as const) {
      const n = side === 'item' ? plan.items : plan.users;
      const size = Math.max(1, Math.ceil(n / chunks));
      for (let from = 0; from < n; from += size) {
        jobs.push({ version, weights, side, from, to: Math.min(n, from + size) });
      }
    }
    const queued = await queue.addBulk(
      jobs.map((data) => ({
        name: `${data.side}:${data.from}-${data.to}`,
        data,
        // a worker that dies mid-job leaves it stalled; BullMQ hands it to another
        opts: { attempts: 3, removeOnComplete: true, removeOnFail: 100 },
      })),
    );
    let done = 0;
    onJob(0, jobs.length);
    const lists = await Promise.all(
      queued.map(async (job) => {
        const written = Number(await job.waitUntilFinished(events));
        onJob(++done, jobs.length);
        return written;
      }),
    );
    await store.putMeta(version, { weights: JSON.stringify(weights) });
    await store.publish(version, PREVIOUS_VERSION_TTL_SECONDS);
    return {
      version,
      jobs: jobs.length,
      lists: lists.reduce((a, b) => a + b, 0),
      alreadyBuilt: false,
    };
  } finally {
    await events.close();
    await queue.close();
    connection.disconnect();
    eventsConnection.disconnect();
    client.disconnect();
  }
}

/**
 * Takes range jobs until `signal` aborts, then finishes the job in hand and returns how
 * many it did. The model is fitted at the first job, with that job's weights.
 */
export async function runBuildWorker(
  inputs: BuildInputs,
  signal: AbortSignal,
  onJob: (job: RangeJob, lists: number) => void = () => {},
): Promise<number> {
  const client = connectRedis(inputs.redis);
  await client.connect();
  const store = new RedisNeighbourStore(client, inputs.prefix);
  let prepared: ReturnType<typeof forListBuild> | null = null;
  let jobs = 0;
  const connection = bullConnection(inputs.redis);
  const worker = new Worker<RangeJob, number>(
    QUEUE,
    async (job: Job<RangeJob, number>) => {
      const { version, weights, side, from, to } = job.data;
      prepared ??= forListBuild(
        inputs.dataset,
        inputs.replay,
        inputs.config,
        inputs.hybrid,
        store,
        weights,
      );
      if (prepared.version !== version) {
        throw new Error(
          `this worker's inputs make version ${prepared.version}, the job is for ${version}: start it on the same data set, journal and settings`,
        );
      }
      const lists = await prepared.sync.writeRange(side, from, to);
      jobs++;
      onJob(job.data, lists);
      return lists;
    },
    {
      connection,
      prefix: queuePrefix(inputs.prefix),
      concurrency: 1,
      // a job computes for seconds without yielding the thread: a long lock, so BullMQ
      // does not take it for stalled and hand it to another worker meanwhile
      lockDuration: 120_000,
    },
  );
  try {
    await worker.waitUntilReady();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await worker.close();
    connection.disconnect();
    client.disconnect();
  }
  return jobs;
}

/**
 * What a distributed build's coordinator needs without fitting the model: the version,
 * how many movies and users there are, and the weights (fitted only when asked to fit).
 */
function buildPlan(
  dataset: Dataset,
  replay: ReadonlyArray<RatingEvent>,
  config: ModelConfig,
  hybrid: HybridSource,
): { version: string; items: number; users: number; weights: HybridWeights } {
  const { catalog, ratings, scaled, version } = modelInputs(dataset, replay, config, hybrid);
  const weights = fitOptionsOf(hybrid)
    ? LiveModel.create(catalog.movieIds, ratings, scaled, hybrid, 'later').config.hybrid
    : (hybrid as HybridWeights);
  return {
    version,
    items: catalog.movieIds.length,
    users: new Set(ratings.userIds).size,
    weights,
  };
}

/**
 * The model of a distributed list build: fitted (weights too, unless `fitted` gives them)
 * without its lists, with the version a service on the same inputs would compute, and a
 * ListSync that computes and writes any range of lists into `store`.
 */
function forListBuild(
  dataset: Dataset,
  replay: ReadonlyArray<RatingEvent>,
  config: ModelConfig,
  hybrid: HybridSource,
  store: NeighbourStore,
  fitted?: HybridWeights,
): { version: string; sync: ListSync; weights: HybridWeights } {
  const { catalog, ratings, removals, scaled, version } = modelInputs(
    dataset,
    replay,
    config,
    hybrid,
  );
  // workers take the weights the coordinator fitted: the lists do not depend on them,
  // and fitting them again in every worker would only cost time
  const live = LiveModel.create(
    catalog.movieIds,
    ratings,
    scaled,
    fitted ?? hybrid,
    'later',
    {},
    removals,
  );
  return { version, sync: new ListSync(store, version, live, null), weights: live.config.hybrid };
}
