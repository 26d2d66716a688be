import { Counter, collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The service's Prometheus metrics, on a registry of its own (one per server, so tests
 * that start several in one process do not collide). Served as text on GET /metrics.
 */
export interface Metrics {
  readonly registry: Registry;
  /** Neighbour lists invalidated by ratings: recomputed at once or marked for recomputation. */
  readonly listsInvalidated: Counter<'source'>;
  /** Rating events applied to the model, by where they came from. */
  readonly ratingsApplied: Counter<'source'>;
}

export function createMetrics(withProcessMetrics = true): Metrics {
  const registry = new Registry();
  if (withProcessMetrics) collectDefaultMetrics({ register: registry, prefix: 'movie_recs_' });
  return {
    registry,
    listsInvalidated: new Counter({
      name: 'movie_recs_lists_invalidated_total',
      help: 'Neighbour lists a rating invalidated (recomputed at once or on their next read)',
      labelNames: ['source'],
      registers: [registry],
    }),
    ratingsApplied: new Counter({
      name: 'movie_recs_ratings_applied_total',
      help: 'Rating events applied to the model: accepted here (local) or by another replica (stream)',
      labelNames: ['source'],
      registers: [registry],
    }),
  };
}
