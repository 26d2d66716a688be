import type { Dataset, MovieInfo } from '../data/types.ts';
import type { GenreView } from './views.ts';

/**
 * The movies of the data set: sorted ids (their position is the engine's dense movie
 * index), metadata by id, and genre sets for filters.
 */
export interface Catalog {
  /** Every movie id, ascending: the movies listed and every rated one. */
  readonly movieIds: Int32Array;
  readonly info: ReadonlyArray<MovieInfo>;
  readonly tags: ReadonlyArray<ReadonlyArray<string>>;
  /** Lower-cased titles, for search. */
  readonly searchText: ReadonlyArray<string>;
  readonly genres: ReadonlyArray<GenreView>;
  /** Genre name (exact, as the data set spells it) -> its number. */
  readonly genreNumber: ReadonlyMap<string, number>;
  /** For each movie, a bit per genre number. */
  readonly genreBits: ReadonlyArray<ReadonlyArray<number>>;
}

export function buildCatalog(dataset: Dataset): Catalog {
  const ids = new Set<number>(dataset.movies.keys());
  for (let t = 0; t < dataset.ratings.length; t++) ids.add(dataset.ratings.movieIds[t]);
  const movieIds = Int32Array.from(ids).sort();
  const info = Array.from(
    movieIds,
    (id): MovieInfo =>
      dataset.movies.get(id) ?? {
        id,
        title: `Movie ${id}`,
        year: null,
        genres: [],
        imdbId: null,
        tmdbId: null,
      },
  );
  const counts = new Map<string, number>();
  for (const m of info) for (const g of m.genres) counts.set(g, (counts.get(g) ?? 0) + 1);
  const names = [...counts.keys()].sort();
  const genreNumber = new Map(names.map((n, k) => [n, k]));
  return {
    movieIds,
    info,
    tags: info.map((m) => dataset.tags.get(m.id) ?? []),
    searchText: info.map((m) => m.title.toLowerCase()),
    genres: names.map((name) => ({ name, movieCount: counts.get(name) ?? 0 })),
    genreNumber,
    genreBits: info.map((m) => m.genres.map((g) => genreNumber.get(g) ?? -1)),
  };
}
