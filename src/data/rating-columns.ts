import type { RatingColumns } from './types.ts';

const INITIAL_CAPACITY = 1024;

/**
 * Collects ratings straight into typed arrays that double when full, so a 25M-rating
 * file costs 20 bytes per rating (times the growth slack) instead of a JS object each.
 */
export class RatingColumnsBuilder {
  private userIds = new Int32Array(INITIAL_CAPACITY);
  private movieIds = new Int32Array(INITIAL_CAPACITY);
  private values = new Float32Array(INITIAL_CAPACITY);
  private timestamps = new Float64Array(INITIAL_CAPACITY);
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(userId: number, movieId: number, value: number, timestamp: number): void {
    if (this.count === this.userIds.length) this.grow();
    const k = this.count;
    this.userIds[k] = userId;
    this.movieIds[k] = movieId;
    this.values[k] = value;
    this.timestamps[k] = timestamp;
    this.count = k + 1;
  }

  /** Copies out exactly `length` entries, so the growth slack is released with the builder. */
  build(): RatingColumns {
    const n = this.count;
    return {
      length: n,
      userIds: this.userIds.slice(0, n),
      movieIds: this.movieIds.slice(0, n),
      values: this.values.slice(0, n),
      timestamps: this.timestamps.slice(0, n),
    };
  }

  private grow(): void {
    const capacity = this.userIds.length * 2;
    const userIds = new Int32Array(capacity);
    userIds.set(this.userIds);
    this.userIds = userIds;
    const movieIds = new Int32Array(capacity);
    movieIds.set(this.movieIds);
    this.movieIds = movieIds;
    const values = new Float32Array(capacity);
    values.set(this.values);
    this.values = values;
    const timestamps = new Float64Array(capacity);
    timestamps.set(this.timestamps);
    this.timestamps = timestamps;
  }
}
