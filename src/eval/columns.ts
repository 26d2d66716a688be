import type { RatingColumns } from '../data/types.ts';

/** The ratings at the given positions, in that order. */
export function selectColumns(c: RatingColumns, positions: ArrayLike<number>): RatingColumns {
  const n = positions.length;
  const userIds = new Int32Array(n);
  const movieIds = new Int32Array(n);
  const values = new Float32Array(n);
  const timestamps = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const p = positions[t];
    userIds[t] = c.userIds[p];
    movieIds[t] = c.movieIds[p];
    values[t] = c.values[p];
    timestamps[t] = c.timestamps[p];
  }
  return { length: n, userIds, movieIds, values, timestamps };
}
