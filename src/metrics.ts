import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RecommenderService } from './service/recommender-service.ts';
import type { ServiceObserver } from './service/service-observer.ts';

/**
 * The service's Prometheus metrics, on a registry of its own (one per server, so tests
 * that start several in one process do not collide). Served as text on GET /metrics.
 */
export interface Metrics {
  readonly registry: Registry;
  /** Neighbour lists invalidated by ratings: recomputed at once or marked for recomputation. */
  readonly listsInvalidated: Counter<'source'>;
  /** Lists one rating invalidated, as a distribution. */
  readonly listsInvalidatedPerRating: Histogram<'source'>;
  /** Rating events applied to the model, by where they came from. */
  readonly ratingsApplied: Counter<'source'>;
  /** GraphQL requests and their latency, by operation name. */
  readonly requestDuration: Histogram<'operation' | 'type'>;
  /** Errors returned to clients, by `extensions.code`. */
  readonly errors: Counter<'code'>;
  /** Time from write to the end of fdatasync for each journal batch. */
  readonly journalFlush: Histogram;
  /** Seconds the model took to build at start (data read, fitted, lists built or loaded). */
  readonly modelBuildSeconds: Gauge;
}

export function createMetrics(withProcessMetrics = true): Metrics {
  const registry = new Registry();
  if (withProcessMetrics) collectDefaultMetrics({ register: registry, prefix: 'movie_recs_' });
  const registers = [registry];
  return {
    registry,
    listsInvalidated: new Counter({
      name: 'movie_recs_lists_invalidated_total',
      help: 'Neighbour lists a rating invalidated (recomputed at once or on their next read)',
      labelNames: ['source'],
      registers,
    }),
    listsInvalidatedPerRating: new Histogram({
      name: 'movie_recs_lists_invalidated_per_rating',
      help: 'Neighbour lists invalidated by one rating event',
      labelNames: ['source'],
      buckets: [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
      registers,
    }),
    ratingsApplied: new Counter({
      name: 'movie_recs_ratings_applied_total',
      help: 'Rating events applied to the model: accepted here (local) or by another replica (stream)',
      labelNames: ['source'],
      registers,
    }),
    requestDuration: new Histogram({
      name: 'movie_recs_graphql_request_duration_seconds',
      help: 'GraphQL requests by operation name (anonymous when unnamed) and type, from receipt to response',
      labelNames: ['operation', 'type'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    errors: new Counter({
      name: 'movie_recs_graphql_errors_total',
      help: 'Errors sent to clients, by extensions.code',
      labelNames: ['code'],
      registers,
    }),
    journalFlush: new Histogram({
      name: 'movie_recs_journal_fsync_seconds',
      help: 'Rating journal batches: write plus fdatasync, in seconds',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    modelBuildSeconds: new Gauge({
      name: 'movie_recs_model_build_seconds',
      help: 'Seconds the model took to build at start',
      registers,
    }),
  };
}

/** Metrics read from the service when scraped: model size, list reads, Redis. */
export function observeService(
  metrics: Metrics,
  service: RecommenderService,
  redisUp: (() => boolean) | null,
): void {
  const registers = [metrics.registry];
  const live = service.live;
  new Counter({
    name: 'movie_recs_neighbour_list_reads_total',
    help: 'Neighbour lists read: hit (exact already) or miss (invalidated by a rating, recomputed on the read)',
    labelNames: ['side', 'result'],
    registers,
    collect() {
      // the model counts; the counter mirrors its (monotonic) totals at each scrape
      this.reset();
      for (const side of ['item', 'user'] as const) {
        this.inc({ side, result: 'hit' }, live.listReads[side].hit);
        this.inc({ side, result: 'miss' }, live.listReads[side].miss);
      }
    },
  });
  new Gauge({
    name: 'movie_recs_model_entities',
    help: 'Users, movies and ratings in the live model',
    labelNames: ['kind'],
    registers,
    collect() {
      const m = live.model.matrix;
      this.set({ kind: 'users' }, m.nUsers);
      this.set({ kind: 'movies' }, m.nItems);
      let ratings = 0;
      for (let u = 0; u < m.nUsers; u++) ratings += m.byUser.rowEnd[u] - m.byUser.rowPtr[u];
      this.set({ kind: 'ratings' }, ratings);
    },
  });
  new Gauge({
    name: 'movie_recs_model_bytes',
    help: 'Bytes of the typed arrays that hold the live model (ratings, similarity spaces, lists)',
    registers,
    collect() {
      this.set(typedArrayBytes(live.model));
    },
  });
  if (redisUp) {
    new Gauge({
      name: 'movie_recs_redis_up',
      help: '1 while the Redis connection is ready, else 0',
      registers,
      collect() {
        this.set(redisUp() ? 1 : 0);
      },
    });
  }
}

/** Bytes of every typed array reachable from `root` (each buffer counted once). */
export function typedArrayBytes(root: unknown, maxDepth = 5): number {
  const buffers = new Set<ArrayBufferLike>();
  const seen = new Set<object>();
  let bytes = 0;
  const walk = (value: unknown, depth: number) => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (ArrayBuffer.isView(value)) {
      if (!buffers.has(value.buffer)) {
        buffers.add(value.buffer);
        bytes += value.buffer.byteLength;
      }
      return;
    }
    if (depth === 0) return;
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) walk(child, depth - 1);
  };
  walk(root, maxDepth);
  return bytes;
}

/** The service's observer that counts into these metrics. */
export function metricsObserver(metrics: Metrics): ServiceObserver {
  return {
    ratingsApplied(source, count, invalidated) {
      metrics.ratingsApplied.inc({ source }, count);
      metrics.listsInvalidated.inc({ source }, invalidated);
      metrics.listsInvalidatedPerRating.observe({ source }, invalidated / Math.max(1, count));
    },
  };
}
