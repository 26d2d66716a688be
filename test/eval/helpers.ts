/**
 * Shared fixtures for the evaluation-harness specifications: rating columns written as
 * rows, and a fast-check arbitrary for random small rating sets.
 */
import fc from 'fast-check';
import type { RatingColumns } from '../../src/data/types.ts';

/** One rating as `[userId, movieId, value, timestamp]`. */
export type Row = readonly [number, number, number, number];

export function columnsOf(rows: ReadonlyArray<Row>): RatingColumns {
  return {
    length: rows.length,
    userIds: Int32Array.from(rows, (r) => r[0]),
    movieIds: Int32Array.from(rows, (r) => r[1]),
    values: Float32Array.from(rows, (r) => r[2]),
    timestamps: Float64Array.from(rows, (r) => r[3]),
  };
}

export function rowsOf(c: RatingColumns): Row[] {
  const out: Row[] = [];
  for (let k = 0; k < c.length; k++) {
    out.push([c.userIds[k], c.movieIds[k], c.values[k], c.timestamps[k]]);
  }
  return out;
}

/** The (user, movie) pair of a rating, which identifies it once duplicates are removed. */
export const keyOf = (r: Row): string => `${r[0]}:${r[1]}`;

export const keysOf = (c: RatingColumns): string[] => rowsOf(c).map(keyOf);

/**
 * Random rating sets as the loaders produce them: at most one rating per (user, movie),
 * few users and coarse timestamps so that users with many ratings and timestamp ties
 * are common.
 */
export const ratingsArb = (minLength = 0, maxLength = 80): fc.Arbitrary<RatingColumns> =>
  fc
    .uniqueArray(
      fc.tuple(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 10 }).map((h) => h / 2),
        fc.integer({ min: 0, max: 20 }),
      ),
      { minLength, maxLength, selector: (r) => `${r[0]}:${r[1]}` },
    )
    .map(columnsOf);
