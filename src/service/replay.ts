import type { RatingColumns } from '../data/types.ts';
import type { RatingEvent } from '../store/rating-event.ts';

/**
 * The ratings after a sequence of events: for each (user, movie) an event touches, the
 * last event decides (a rating replaces, a removal deletes); every other rating stays.
 */
export function applyEvents(
  base: RatingColumns,
  events: ReadonlyArray<RatingEvent>,
): RatingColumns {
  if (events.length === 0) return base;
  const last = new Map<string, RatingEvent>();
  for (const e of events) last.set(`${e.userId}:${e.movieId}`, e);
  const rates = [...last.values()].filter((e) => e.kind === 'rate');
  const n = base.length + rates.length;
  const userIds = new Int32Array(n);
  const movieIds = new Int32Array(n);
  const values = new Float32Array(n);
  const timestamps = new Float64Array(n);
  let k = 0;
  for (let t = 0; t < base.length; t++) {
    if (last.has(`${base.userIds[t]}:${base.movieIds[t]}`)) continue;
    userIds[k] = base.userIds[t];
    movieIds[k] = base.movieIds[t];
    values[k] = base.values[t];
    timestamps[k++] = base.timestamps[t];
  }
  for (const e of rates) {
    if (e.kind !== 'rate') continue;
    userIds[k] = e.userId;
    movieIds[k] = e.movieId;
    values[k] = e.rating;
    timestamps[k++] = e.timestamp;
  }
  return {
    length: k,
    userIds: userIds.subarray(0, k),
    movieIds: movieIds.subarray(0, k),
    values: values.subarray(0, k),
    timestamps: timestamps.subarray(0, k),
  };
}
