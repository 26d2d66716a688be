import type { RatingColumns } from '../data/types.ts';
import { latestByPair, type Removal, ranksAfter } from '../engine/rating-order.ts';
import type { RatingEvent } from '../store/rating-event.ts';

/**
 * The ratings after applying events to a base, by the rating order (rating-order.ts), the
 * rule the live model applies: for each (user, movie) the change ranking last decides,
 * whatever the order of `events` (a journal in file order, a stream, both). Removals that
 * decided a pair are returned too, so a restarted model still refuses an older rating of
 * it: the state after a restart is the state before it.
 */
export function replayRatings(
  base: RatingColumns,
  events: ReadonlyArray<RatingEvent>,
): { ratings: RatingColumns; removals: Removal[] } {
  if (events.length === 0) return { ratings: base, removals: [] };
  const last = latestByPair(events);
  const n = base.length + last.size;
  const userIds = new Int32Array(n);
  const movieIds = new Int32Array(n);
  const values = new Float32Array(n);
  const timestamps = new Float64Array(n);
  let k = 0;
  for (let t = 0; t < base.length; t++) {
    const key = `${base.userIds[t]}:${base.movieIds[t]}`;
    const e = last.get(key);
    if (e) {
      // the base rating competes like any other change of its pair
      if (
        ranksAfter(
          e.timestamp,
          e.kind === 'remove',
          rating(e),
          base.timestamps[t],
          false,
          base.values[t],
        )
      )
        continue;
      last.delete(key);
    }
    userIds[k] = base.userIds[t];
    movieIds[k] = base.movieIds[t];
    values[k] = base.values[t];
    timestamps[k++] = base.timestamps[t];
  }
  const removals: Removal[] = [];
  for (const e of last.values()) {
    if (e.kind === 'remove') {
      removals.push({ userId: e.userId, movieId: e.movieId, timestamp: e.timestamp });
      continue;
    }
    userIds[k] = e.userId;
    movieIds[k] = e.movieId;
    values[k] = e.rating;
    timestamps[k++] = e.timestamp;
  }
  return {
    ratings: {
      length: k,
      userIds: userIds.subarray(0, k),
      movieIds: movieIds.subarray(0, k),
      values: values.subarray(0, k),
      timestamps: timestamps.subarray(0, k),
    },
    removals,
  };
}

function rating(e: RatingEvent): number {
  return e.kind === 'rate' ? e.rating : 0;
}
