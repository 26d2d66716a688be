import { type Job, Queue, QueueEvents, Worker } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import type { Dataset } from '../data/types.ts';
import { fitOptionsOf } from '../engine/hybrid.ts';
import { LiveModel } from '../engine/live-model.ts';
import type { Side } from '../engine/matrix.ts';
import type { HybridSource, HybridWeights, ModelConfig } from '../engine/model.ts';
import { requireSide } from '../engine/model.ts';
import { digestHex, digestRating, emptyDigest } from '../engine/rating-digest.ts';
import { type SimilaritySpace, similaritySpace } from '../engine/similarity.ts';
import {
  balancedRanges,
  mergeHeaps,
  upperRangeHeaps,
  upperWork,
} from '../engine/symmetric-lists.ts';
import type { NeighbourStore } from '../store/neighbour-store.ts';
import { getPartialSlice, partialKey, putPartial } from '../store/partial-heaps.ts';
import type { RatingEvent } from '../store/rating-event.ts';
import { connectRedis, type RedisClient, type RedisTarget } from '../store/redis-client.ts';
import { RedisNeighbourStore } from '../store/redis-neighbour-store.ts';
import { PREVIOUS_VERSION_TTL_SECONDS } from './list-sync.ts';
import { denseMatrix, modelInputs } from './model-inputs.ts';

/**
 * A neighbour build split over processes, coordinated by a BullMQ queue in the service's
 * Redis, computing each pair of movies (and of users) once, as a single process does.
 * The coordinator cuts each side's rows into shares of about equal work; a share's job
 * computes every pair (a, b) with a in the share and b > a, offers it to both a's and b's
 * bounded heaps, and leaves those heaps in Redis (store/partial-heaps.ts). Once a side's
 * shares are done, merge jobs each take a run of entities, merge that run's heaps from
 * every share into the lists (the k best of the union of each share's k best are the k
 * best of all) and write them. Workers fit the model without its lists once, with the
 * weights the coordinator hands them.
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

interface JobBase {
  readonly version: string;
  readonly weights: HybridWeights;
  readonly side: Side;
  readonly from: number;
  readonly to: number;
}

/** A share of a side's pairs: rows [from, to) against every later row. */
interface PairsJob extends JobBase {
  readonly kind: 'pairs';
  readonly share: number;
}

/** The lists of entities [from, to), merged from the side's `shares` shares. */
interface MergeJob extends JobBase {
  readonly kind: 'merge';
  readonly shares: number;
}

type BuildJob = PairsJob | MergeJob;

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
 * Queues each side's pair shares (`chunks` per side, of about equal work), then, side by
 * side as their shares finish, the merge jobs (`chunks` runs of entities per side); when
 * every list is written, writes the weights and publishes the version. `onJob` hears of
 * each finished job.
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
  const queue = new Queue<BuildJob>(QUEUE, { connection, prefix: queuePrefix(inputs.prefix) });
  const events = new QueueEvents(QUEUE, {
    connection: eventsConnection,
    prefix: queuePrefix(inputs.prefix),
  });
  const shareKeys: string[] = [];
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
    const pairs: Record<Side, PairsJob[]> = { item: [], user: [] };
    const merges: Record<Side, MergeJob[]> = { item: [], user: [] };
    for (const side of ['item', 'user'] as const) {
      const ranges = balancedRanges(plan.work[side], chunks);
      ranges.forEach(([from, to], share) => {
        // the last share reaches past any entity a worker's model may add (see buildPlan)
        const last = share === ranges.length - 1 ? Number.MAX_SAFE_INTEGER : to;
        pairs[side].push({ kind: 'pairs', version, weights, side, share, from, to: last });
        shareKeys.push(partialKey(inputs.prefix, version, side, share));
      });
      const n = plan.work[side].length - 1;
      const size = Math.max(1, Math.ceil(n / chunks));
      for (let from = 0; from < n; from += size) {
        const to = from + size >= n ? Number.MAX_SAFE_INTEGER : from + size;
        merges[side].push({
          kind: 'merge',
          version,
          weights,
          side,
          shares: ranges.length,
          from,
          to,
        });
      }
    }
    const total = ['item', 'user'].reduce(
      (t, side) => t + pairs[side as Side].length + merges[side as Side].length,
      0,
    );
    let done = 0;
    onJob(0, total);
    const run = async (jobs: ReadonlyArray<BuildJob>): Promise<number[]> => {
      const queued = await queue.addBulk(
        jobs.map((data) => ({
          name: `${data.kind}:${data.side}:${data.from}`,
          data,
          // a worker that dies mid-job leaves it stalled; BullMQ hands it to another
          opts: { attempts: 3, removeOnComplete: true, removeOnFail: 100 },
        })),
      );
      return Promise.all(
        queued.map(async (job) => {
          const result = Number(await job.waitUntilFinished(events));
          onJob(++done, total);
          return result;
        }),
      );
    };
    // both sides' shares at once; a side's merges as soon as its own shares are done
    const lists = await Promise.all(
      (['item', 'user'] as const).map(async (side) => {
        await run(pairs[side]);
        return (await run(merges[side])).reduce((a, b) => a + b, 0);
      }),
    );
    await store.putMeta(version, { weights: JSON.stringify(weights) });
    await store.publish(version, PREVIOUS_VERSION_TTL_SECONDS);
    return { version, jobs: total, lists: lists[0] + lists[1], alreadyBuilt: false };
  } finally {
    await Promise.all(shareKeys.map((key) => client.del(key))).catch(() => undefined);
    await events.close();
    await queue.close();
    connection.disconnect();
    eventsConnection.disconnect();
    client.disconnect();
  }
}

/**
 * Takes build jobs until `signal` aborts, then finishes the job in hand and returns how
 * many it did. The model is fitted at the first job, with that job's weights.
 */
export async function runBuildWorker(
  inputs: BuildInputs,
  signal: AbortSignal,
  onJob: (job: BuildJob, lists: number, seconds: number) => void = () => {},
  onPrepared: (seconds: number) => void = () => {},
): Promise<number> {
  const client = connectRedis(inputs.redis);
  await client.connect();
  const store = new RedisNeighbourStore(client, inputs.prefix);
  let prepared: ListModel | null = null;
  let jobs = 0;
  const connection = bullConnection(inputs.redis);
  const worker = new Worker<BuildJob, number>(
    QUEUE,
    async (job: Job<BuildJob, number>) => {
      const { version, weights } = job.data;
      if (!prepared) {
        const fitting = performance.now();
        prepared = listModel(inputs.dataset, inputs.replay, inputs.config, inputs.hybrid, weights);
        onPrepared((performance.now() - fitting) / 1000);
      }
      const started = performance.now();
      if (prepared.version !== version) {
        throw new Error(
          `this worker's inputs make version ${prepared.version}, the job is for ${version}: start it on the same data set, journal and settings`,
        );
      }
      const lists =
        job.data.kind === 'pairs'
          ? await computeShare(client, inputs.prefix, prepared, job.data)
          : await mergeShares(client, inputs.prefix, store, prepared, job.data);
      jobs++;
      onJob(job.data, lists, (performance.now() - started) / 1000);
      return lists;
    },
    {
      connection,
      prefix: queuePrefix(inputs.prefix),
      concurrency: 1,
      // a job computes for minutes without yielding the thread: a long lock, so BullMQ
      // does not take it for stalled and hand it to another worker meanwhile
      lockDuration: 30 * 60_000,
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

/** A pairs job: the share's heaps, left in Redis for the merge. Returns 0 (no list written). */
async function computeShare(
  redis: RedisClient,
  prefix: string,
  model: ListModel,
  job: PairsJob,
): Promise<number> {
  const space = model.space(job.side);
  const heaps = upperRangeHeaps(space, job.from, job.to, model.k(job.side));
  await putPartial(
    redis,
    partialKey(prefix, job.version, job.side, job.share),
    heaps,
    space.rows.rows,
  );
  return 0;
}

/** Lists written per putLists call, as a start writes them. */
const WRITE_BATCH = 1000;

/** A merge job: the run's lists from every share's heaps, written under the version. */
async function mergeShares(
  redis: RedisClient,
  prefix: string,
  store: NeighbourStore,
  model: ListModel,
  job: MergeJob,
): Promise<number> {
  const n = model.space(job.side).rows.rows;
  const k = model.k(job.side);
  const from = Math.min(job.from, n);
  const to = Math.min(job.to, n);
  const slices = [];
  for (let share = 0; share < job.shares; share++) {
    const key = partialKey(prefix, job.version, job.side, share);
    slices.push(await getPartialSlice(redis, key, n, k, from, to));
  }
  const lists = mergeHeaps(slices, to - from, k, 'heap', n);
  const ids = model.ids(job.side);
  // stamped as a service on the same inputs stamps its lists: it installs them as its own
  const stamp = { digest: model.digest, position: 0 };
  for (let start = 0; start < to - from; start += WRITE_BATCH) {
    const entries = [];
    for (let e = start; e < Math.min(to - from, start + WRITE_BATCH); e++) {
      const at = e * k;
      const end = at + lists.length[e];
      entries.push({
        id: ids[from + e],
        list: {
          ids: Int32Array.from(lists.idx.subarray(at, end), (b) => ids[b]),
          sims: lists.sim.slice(at, end),
          supports: lists.support.slice(at, end),
          stamp,
        },
      });
    }
    await store.putLists(job.version, job.side, entries, 'create');
  }
  return to - from;
}

/**
 * What a build worker needs of the model: the version, the rating digest its lists are
 * stamped with, each entity's MovieLens id by dense index, and each side's rank space
 * (vector-cosine, which the distributed build requires).
 */
interface ListModel {
  readonly version: string;
  readonly digest: string;
  ids(side: Side): Int32Array;
  space(side: Side): SimilaritySpace;
  k(side: Side): number;
}

/**
 * The ListModel of the inputs. From a data set alone it is built lean: the matrix on the
 * live model's dense indexes (movies by the catalogue's order, users by id) and the rank
 * spaces, without the rating index, baseline and other spaces a live model fits (a
 * quarter of a one-process build's CPU on 1M ratings, paid by every worker). With a
 * journal to replay, the live model itself decides which change wins, so it is fitted
 * (without lists), with the weights the coordinator fitted.
 */
function listModel(
  dataset: Dataset,
  replay: ReadonlyArray<RatingEvent>,
  config: ModelConfig,
  hybrid: HybridSource,
  weights: HybridWeights,
): ListModel {
  const { catalog, ratings, removals, scaled, version } = modelInputs(
    dataset,
    replay,
    config,
    hybrid,
  );
  const k = (side: Side) => scaled[side].listSize;
  for (const side of ['item', 'user'] as const) {
    if (scaled[side].rankSimilarity.metric !== 'vector-cosine') {
      throw new Error(
        `the distributed build computes each pair once, which needs the ${side} side to rank by vector-cosine similarity`,
      );
    }
  }
  if (replay.length > 0 || removals.length > 0) {
    const live = LiveModel.create(
      catalog.movieIds,
      ratings,
      scaled,
      weights,
      'later',
      {},
      removals,
    );
    const users = Int32Array.from({ length: live.userCount }, (_, u) => live.userId(u));
    return {
      version,
      digest: live.digest,
      ids: (side) => (side === 'item' ? catalog.movieIds : users),
      space: (side) => requireSide(live.model, side).rankSpace,
      k,
    };
  }
  const m = denseMatrix(catalog.movieIds, ratings);
  const digest = emptyDigest();
  for (let t = 0; t < ratings.length; t++) {
    digestRating(digest, 1, ratings.userIds[t], ratings.movieIds[t], ratings.values[t]);
  }
  const spaces: Partial<Record<Side, SimilaritySpace>> = {};
  return {
    version,
    digest: digestHex(digest),
    ids: (side) => (side === 'item' ? catalog.movieIds : m.userIds),
    space: (side) => {
      spaces[side] ??= similaritySpace(m.matrix, side, scaled[side].rankSimilarity);
      return spaces[side];
    },
    k,
  };
}

/**
 * What a distributed build's coordinator needs without fitting the model: the version,
 * the weights (fitted only when asked to fit) and, per side, the running totals of each
 * row's pair work (upperWork), on dense indexes made as the live model makes them (movies
 * by the catalogue's order, users by id). Users known only by a removal take an index in
 * a worker's model and none here: shares are only cut for balance, and the last reaches
 * every entity, so the build stays whole either way.
 */
function buildPlan(
  dataset: Dataset,
  replay: ReadonlyArray<RatingEvent>,
  config: ModelConfig,
  hybrid: HybridSource,
): { version: string; weights: HybridWeights; work: Record<Side, Float64Array> } {
  const { catalog, ratings, scaled, version } = modelInputs(dataset, replay, config, hybrid);
  const weights = fitOptionsOf(hybrid)
    ? LiveModel.create(catalog.movieIds, ratings, scaled, hybrid, 'later').config.hybrid
    : (hybrid as HybridWeights);
  const m = denseMatrix(catalog.movieIds, ratings).matrix;
  return {
    version,
    weights,
    work: { item: upperWork(m.byUser, m.nItems), user: upperWork(m.byItem, m.nUsers) },
  };
}
