import { createHash } from 'node:crypto';
import type { Dataset, RatingColumns } from '../data/types.ts';
import { buildIdIndex, idIndexFromSorted } from '../engine/id-index.ts';
import { buildRatingMatrix } from '../engine/matrix.ts';
import type { HybridSource, ModelConfig } from '../engine/model.ts';
import { digestHex, ratingSetDigest } from '../engine/rating-digest.ts';
import type { RatingEvent } from '../store/rating-event.ts';
import { buildCatalog } from './catalog.ts';
import type { HybridClock } from './hybrid-clock.ts';
import { replayRatings } from './replay.ts';

/** What a model starts from, and the version that names its lists. */
export function modelInputs(
  dataset: Dataset,
  replay: ReadonlyArray<RatingEvent>,
  config: ModelConfig,
  hybrid: HybridSource,
) {
  const catalog = buildCatalog(dataset);
  const { ratings, removals } = replayRatings(dataset.ratings, replay);
  const scaled = { ...config, scale: dataset.scale };
  const version = modelVersion(catalog.movieIds, ratings, scaled, hybrid);
  return { catalog, ratings, removals, scaled, version };
}

/**
 * Names the lists and weights a model would compute: a hash of the ratings actually
 * loaded (every user, movie, value and timestamp, through the order-independent rating
 * digest: about a second for 25 million ratings), the catalogue, and every setting that
 * changes a list or a weight. Replicas that load the same content agree on it, so one can
 * reuse what another published; different content never shares a version.
 */
function modelVersion(
  movieIds: Int32Array,
  ratings: RatingColumns,
  config: ModelConfig,
  hybrid: HybridSource,
): string {
  const content = ratingSetDigest(
    ratings.userIds,
    ratings.movieIds,
    ratings.values,
    ratings.length,
    ratings.timestamps,
  );
  return createHash('sha256')
    .update(JSON.stringify([digestHex(content), ratings.length, config, hybrid]))
    .update(new Uint8Array(movieIds.buffer, movieIds.byteOffset, movieIds.byteLength))
    .digest('hex')
    .slice(0, 16);
}

/** Makes the clock rank every later rating after everything loaded. */
export function observeAll(
  clock: HybridClock,
  timestamps: ArrayLike<number>,
  events: ReadonlyArray<RatingEvent>,
): void {
  let latest = 0;
  for (let t = 0; t < timestamps.length; t++) if (timestamps[t] > latest) latest = timestamps[t];
  for (const e of events) if (e.timestamp > latest) latest = e.timestamp;
  clock.observe(latest);
}

/** The ratings as a compact matrix on the live model's dense indexes, with the users' ids. */
export function denseMatrix(
  movieIds: Int32Array,
  ratings: { userIds: Int32Array; movieIds: Int32Array; values: Float32Array },
) {
  const items = idIndexFromSorted(movieIds);
  const users = buildIdIndex(ratings.userIds);
  const matrix = buildRatingMatrix(
    Int32Array.from(ratings.userIds, (id) => users.indexOf(id)),
    Int32Array.from(ratings.movieIds, (id) => items.indexOf(id)),
    ratings.values,
    users.size,
    movieIds.length,
  );
  return { matrix, userIds: users.ids };
}
