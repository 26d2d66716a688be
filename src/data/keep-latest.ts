import type { LoadedRatings, RatingColumns } from './types.ts';

/**
 * Reduces repeated (user, movie) pairs to one rating: the one with the latest timestamp,
 * and on equal timestamps the one further down the file (a re-rating is appended).
 * Kept ratings stay in their original order.
 *
 * Runs in O(n) with typed arrays: a stable counting sort groups the ratings by user, then
 * one pass per user remembers the best entry per movie. A data set sorted by
 * (user, movie), as GroupLens ships ml-latest, cannot repeat a pair and is returned as is
 * after a single scan.
 */
export function keepLatestRatings(ratings: RatingColumns): LoadedRatings {
  if (isStrictlySortedByUserThenMovie(ratings)) return { ratings, duplicatesReplaced: 0 };
  const dropped = markReplacedRatings(ratings);
  let droppedCount = 0;
  for (let i = 0; i < ratings.length; i++) droppedCount += dropped[i];
  if (droppedCount === 0) return { ratings, duplicatesReplaced: 0 };
  return {
    ratings: withoutDropped(ratings, dropped, droppedCount),
    duplicatesReplaced: droppedCount,
  };
}

function isStrictlySortedByUserThenMovie(ratings: RatingColumns): boolean {
  const { userIds, movieIds } = ratings;
  for (let i = 1; i < ratings.length; i++) {
    const du = userIds[i] - userIds[i - 1];
    if (du < 0 || (du === 0 && movieIds[i] <= movieIds[i - 1])) return false;
  }
  return true;
}

/** Returns a flag per rating: 1 where a later rating of the same pair replaces it. */
function markReplacedRatings(ratings: RatingColumns): Uint8Array {
  const n = ratings.length;
  const { userIds, movieIds, timestamps } = ratings;
  const userIndex = new Map<number, number>();
  const userOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let u = userIndex.get(userIds[i]);
    if (u === undefined) {
      u = userIndex.size;
      userIndex.set(userIds[i], u);
    }
    userOf[i] = u;
  }
  const userCount = userIndex.size;
  // Stable counting sort: within a user, ratings keep file order, which settles ties.
  const start = new Int32Array(userCount + 1);
  for (let i = 0; i < n; i++) start[userOf[i] + 1]++;
  for (let u = 0; u < userCount; u++) start[u + 1] += start[u];
  const next = start.slice(0, userCount);
  const byUser = new Int32Array(n);
  for (let i = 0; i < n; i++) byUser[next[userOf[i]]++] = i;

  const movieIndex = new Map<number, number>();
  // owner[m] is the last user whose group saw movie m; best[m] is valid only for that user.
  let owner = new Int32Array(1024).fill(-1);
  let best = new Int32Array(1024);
  const dropped = new Uint8Array(n);
  for (let u = 0; u < userCount; u++) {
    for (let k = start[u]; k < start[u + 1]; k++) {
      const i = byUser[k];
      let m = movieIndex.get(movieIds[i]);
      if (m === undefined) {
        m = movieIndex.size;
        movieIndex.set(movieIds[i], m);
        if (m === owner.length) {
          const grownOwner = new Int32Array(m * 2).fill(-1);
          grownOwner.set(owner);
          owner = grownOwner;
          const grownBest = new Int32Array(m * 2);
          grownBest.set(best);
          best = grownBest;
        }
      }
      if (owner[m] !== u) {
        owner[m] = u;
        best[m] = i;
        continue;
      }
      // i comes after best[m] in the file, so it wins ties.
      const j = best[m];
      if (timestamps[i] >= timestamps[j]) {
        dropped[j] = 1;
        best[m] = i;
      } else {
        dropped[i] = 1;
      }
    }
  }
  return dropped;
}

function withoutDropped(
  ratings: RatingColumns,
  dropped: Uint8Array,
  droppedCount: number,
): RatingColumns {
  const length = ratings.length - droppedCount;
  const out: RatingColumns = {
    length,
    userIds: new Int32Array(length),
    movieIds: new Int32Array(length),
    values: new Float32Array(length),
    timestamps: new Float64Array(length),
  };
  let k = 0;
  for (let i = 0; i < ratings.length; i++) {
    if (dropped[i] === 1) continue;
    out.userIds[k] = ratings.userIds[i];
    out.movieIds[k] = ratings.movieIds[i];
    out.values[k] = ratings.values[i];
    out.timestamps[k] = ratings.timestamps[i];
    k++;
  }
  return out;
}
