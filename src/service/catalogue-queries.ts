import type { Dataset } from '../data/types.ts';
import type { LiveModel } from '../engine/live-model.ts';
import type { Catalog } from './catalog.ts';
import { BadInputError, NotFoundError, quote } from './errors.ts';
import { decodeCursor } from './validate.ts';
import type { GenreView, MoviePage, MovieView, RatingPage, RatingView, UserView } from './views.ts';

export type MovieOrder = 'POPULARITY' | 'AVERAGE_RATING' | 'TITLE' | 'YEAR';

export interface MovieFilter {
  readonly search?: string | null;
  readonly genres?: ReadonlyArray<string> | null;
  readonly yearFrom?: number | null;
  readonly yearTo?: number | null;
}

/** Longest title search accepted: longer ones cannot match a title and only cost time. */
export const MAX_SEARCH_LENGTH = 200;

/**
 * The catalogue as clients browse it: movies and users by id, listing with search and
 * filters, a user's ratings, genres; counts and averages read from the live model, so
 * they include every accepted rating.
 */
export class CatalogueQueries {
  constructor(
    private readonly dataset: Dataset,
    private readonly catalog: Catalog,
    private readonly live: LiveModel,
  ) {}

  movies(ids: ReadonlyArray<number>): Array<MovieView | null> {
    return ids.map((id) => this.movieView(this.live.itemIdx(id)));
  }
  users(ids: ReadonlyArray<number>): Array<UserView | null> {
    return ids.map((id) => {
      const u = this.live.userIdx(id);
      if (u < 0) return null;
      const { byUser } = this.live.model.matrix;
      const count = byUser.rowEnd[u] - byUser.rowPtr[u];
      let sum = 0;
      for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) sum += byUser.values[p];
      return { id, ratingCount: count, meanRating: count > 0 ? sum / count : null };
    });
  }
  genres(): ReadonlyArray<GenreView> {
    return this.catalog.genres;
  }
  listMovies(
    filter: MovieFilter,
    order: MovieOrder,
    first: number,
    after: string | null | undefined,
  ): MoviePage {
    const offset = decodeCursor('after', 'movies', after);
    const allowed = filter.genres?.length ? this.genreMask('filter.genres', filter.genres) : null;
    const search = filter.search ?? '';
    if (search.length > MAX_SEARCH_LENGTH) {
      throw new BadInputError(
        'filter.search',
        `filter.search must be at most ${MAX_SEARCH_LENGTH} characters, got ${search.length}`,
      );
    }
    const words = search
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w.length > 0);
    const matches: number[] = [];
    const { info, searchText } = this.catalog;
    for (let i = 0; i < info.length; i++) {
      if (allowed && allowed[i] === 0) continue;
      const year = info[i].year;
      if (filter.yearFrom != null && (year === null || year < filter.yearFrom)) continue;
      if (filter.yearTo != null && (year === null || year > filter.yearTo)) continue;
      if (words.length > 0 && !words.every((w) => searchText[i].includes(w))) continue;
      matches.push(i);
    }
    const { count, dampedMean } = this.live.model.popularity;
    const byId = (a: number, b: number) => a - b;
    const compare: Record<MovieOrder, (a: number, b: number) => number> = {
      POPULARITY: (a, b) => count[b] - count[a] || byId(a, b),
      AVERAGE_RATING: (a, b) => dampedMean[b] - dampedMean[a] || byId(a, b),
      TITLE: (a, b) =>
        searchText[a] < searchText[b] ? -1 : searchText[a] > searchText[b] ? 1 : byId(a, b),
      YEAR: (a, b) => (info[b].year ?? -1) - (info[a].year ?? -1) || byId(a, b),
    };
    matches.sort(compare[order]);
    const nodes = matches.slice(offset, offset + first).map((i) => this.movieView(i) as MovieView);
    return { nodes, offset, totalCount: matches.length };
  }
  ratingsOf(userId: number, first: number, after: string | null | undefined): RatingPage {
    const offset = decodeCursor('after', 'ratings', after);
    const u = this.live.userIdx(userId);
    const all = this.live
      .ratingsOfUser(u)
      .sort(
        (a, b) =>
          b.timestamp - a.timestamp ||
          this.catalog.movieIds[a.item] - this.catalog.movieIds[b.item],
      );
    const nodes = all.slice(offset, offset + first).map(
      (r): RatingView => ({
        userId,
        movieId: this.catalog.movieIds[r.item],
        value: r.value,
        timestamp: r.timestamp,
      }),
    );
    return { nodes, offset, totalCount: all.length };
  }
  /** Throws BAD_USER_INPUT naming `field` unless every genre exists. */
  checkGenres(field: string, names: ReadonlyArray<string>): void {
    if (names.length > 0) this.genreMask(field, names);
  }
  requireMovie(movieId: number): number {
    const i = this.live.itemIdx(movieId);
    if (i < 0)
      throw new NotFoundError(
        'input.movieId',
        `movie ${movieId} does not exist in ${this.dataset.name}`,
      );
    return i;
  }
  genreMask(field: string, names: ReadonlyArray<string>): Uint8Array {
    const wanted = new Set<number>();
    for (const name of names) {
      const g = this.catalog.genreNumber.get(name);
      if (g === undefined) {
        const known = this.catalog.genres.map((x) => x.name).join(', ');
        throw new BadInputError(
          field,
          `${field}: unknown genre ${quote(name)}; the genres are ${known}`,
        );
      }
      wanted.add(g);
    }
    const mask = new Uint8Array(this.catalog.movieIds.length);
    this.catalog.genreBits.forEach((bits, i) => {
      if (bits.some((g) => wanted.has(g))) mask[i] = 1;
    });
    return mask;
  }
  private movieView(i: number): MovieView | null {
    if (i < 0) return null;
    const m = this.catalog.info[i];
    const { byItem } = this.live.model.matrix;
    const count = byItem.rowEnd[i] - byItem.rowPtr[i];
    let sum = 0;
    for (let p = byItem.rowPtr[i]; p < byItem.rowEnd[i]; p++) sum += byItem.values[p];
    return {
      id: m.id,
      title: m.title,
      year: m.year,
      genres: m.genres,
      averageRating: count > 0 ? sum / count : null,
      ratingCount: count,
      tags: this.catalog.tags[i],
      imdbId: m.imdbId,
      tmdbId: m.tmdbId,
    };
  }
}
