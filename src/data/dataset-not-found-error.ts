/** Where to get the data sets, for every message that says one is missing. */
export const MOVIELENS_DOWNLOAD_URL = 'https://grouplens.org/datasets/movielens/';

/**
 * A data set directory, or a file a data set needs, is not where it was looked for.
 * `searched` lists every path tried, in order.
 */
export class DatasetNotFoundError extends Error {
  readonly code = 'DATASET_NOT_FOUND';

  constructor(
    message: string,
    readonly searched: ReadonlyArray<string>,
  ) {
    super(message);
    this.name = 'DatasetNotFoundError';
  }
}
