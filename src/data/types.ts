/**
 * What the MovieLens loaders produce. Ratings are kept column-wise in typed arrays
 * (one entry per rating, raw MovieLens ids) so that a 25M-rating file never becomes
 * 25M JS objects; the engine turns these columns into CSR matrices.
 */

/** The rating scale of a data set: every rating is `min + k * step` for an integer k, up to `max`. */
export interface RatingScale {
  readonly min: number;
  readonly max: number;
  readonly step: number;
}

/** Ratings as parallel columns; entry `k` of each array describes the same rating. */
export interface RatingColumns {
  readonly length: number;
  /** MovieLens user ids. */
  readonly userIds: Int32Array;
  /** MovieLens movie ids. */
  readonly movieIds: Int32Array;
  readonly values: Float32Array;
  /** Seconds since the Unix epoch. */
  readonly timestamps: Float64Array;
}

export interface MovieInfo {
  readonly id: number;
  /** The title without its trailing " (Year)". */
  readonly title: string;
  readonly year: number | null;
  /** Empty when the source says "(no genres listed)". */
  readonly genres: ReadonlyArray<string>;
  /** IMDb id as the digits MovieLens gives (leading zeros kept), or null. */
  readonly imdbId: string | null;
  readonly tmdbId: number | null;
}

export type DatasetFormat = 'ml-latest' | 'ml-100k' | 'ml-1m';

export interface Dataset {
  /** A known name (ml-latest-small, ml-100k, ml-1m) or the directory's base name. */
  readonly name: string;
  readonly dir: string;
  readonly format: DatasetFormat;
  readonly scale: RatingScale;
  readonly ratings: RatingColumns;
  readonly movies: ReadonlyMap<number, MovieInfo>;
  /** Free-text tags by movie id (ml-latest only; empty elsewhere). */
  readonly tags: ReadonlyMap<number, ReadonlyArray<string>>;
  /** How many repeated (user, movie) ratings were dropped in favour of a later one. */
  readonly duplicatesReplaced: number;
}

/** One ratings file after repeated (user, movie) pairs were reduced to the latest rating. */
export interface LoadedRatings {
  readonly ratings: RatingColumns;
  /** How many repeated (user, movie) ratings were dropped in favour of a later one. */
  readonly duplicatesReplaced: number;
}
