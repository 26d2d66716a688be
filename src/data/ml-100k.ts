/**
 * The ml-100k layout (GroupLens 1998): `u.data` and the split files `u1.base` .. `ub.test`
 * are tab-separated `user id, item id, rating, timestamp` without a header; `u.item` is
 * pipe-separated and ISO-8859-1 encoded, with one 0/1 flag per genre of `u.genre`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataFormatError } from './data-format-error.ts';
import { expectColumns, parseId, parseRating, parseTimestamp, rejectRepeatedId } from './fields.ts';
import { RatingColumnsBuilder } from './rating-columns.ts';
import { assertFileExists, type DelimitedFormat, readDelimitedFile } from './read-rows.ts';
import { splitTitleYear } from './titles.ts';
import type { MovieInfo, RatingColumns, RatingScale } from './types.ts';

// Neither file quotes: u.item titles may contain `"`, which must stay literal.
const TAB_SEPARATED: DelimitedFormat = { delimiter: '\t', quote: null, encoding: 'latin1' };
const PIPE_SEPARATED: DelimitedFormat = { delimiter: '|', quote: null, encoding: 'latin1' };

export const ML_100K_FILES = { ratings: 'u.data', movies: 'u.item', genres: 'u.genre' } as const;

/** The genres of u.genre in flag order, used when u.genre itself is absent. */
export const ML_100K_GENRES: ReadonlyArray<string> = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];

/** ml-100k's stand-in for ml-latest's "(no genres listed)"; never reported as a genre. */
const UNKNOWN_GENRE = 'unknown';
const RATING_COLUMNS = 'tab-separated columns (user id, item id, rating, timestamp)';
const ITEM_FIXED_COLUMNS = [
  'movie id',
  'movie title',
  'release date',
  'video release date',
  'IMDb URL',
] as const;
/** `01-Jan-1995`; the year is the last four digits. */
const RELEASE_YEAR = /(\d{4})$/;

/** Reads u.data or one split file (`u1.base` ...). Duplicates are left in. */
export async function readMl100kRatings(path: string, scale: RatingScale): Promise<RatingColumns> {
  const out = new RatingColumnsBuilder();
  await readDelimitedFile(path, TAB_SEPARATED, (fields, line) => {
    expectColumns(fields, 4, RATING_COLUMNS, path, line);
    out.push(
      parseId(fields[0], 'user id', path, line),
      parseId(fields[1], 'item id', path, line),
      parseRating(fields[2], scale, path, line),
      parseTimestamp(fields[3], path, line),
    );
  });
  return out.build();
}

/**
 * Reads u.genre, a small `name|index` list read whole. Indexes must run 0, 1, 2, ... in
 * order, since u.item's flags are positional.
 */
export async function readMl100kGenres(path: string): Promise<ReadonlyArray<string>> {
  await assertFileExists(path);
  const lines = (await readFile(path, 'latin1')).split(/\r\n|\r|\n/);
  const genres: string[] = [];
  for (let k = 0; k < lines.length; k++) {
    if (lines[k] === '') continue;
    const fields = lines[k].split('|');
    expectColumns(fields, 2, 'pipe-separated columns (genre|index)', path, k + 1);
    if (fields[1] !== String(genres.length)) {
      throw new DataFormatError(
        path,
        k + 1,
        `expected genre index ${genres.length}, found ${JSON.stringify(fields[1])}`,
      );
    }
    genres.push(fields[0]);
  }
  return genres;
}

/**
 * Reads u.item. The year comes from the title's trailing `(1995)`, or else from the
 * release date. The genre "unknown" is dropped, so a movie flagged only "unknown" has no
 * genres, like ml-latest's "(no genres listed)". ml-100k has no tmdb ids and its IMDb
 * column is a search URL rather than an id, so both ids are null.
 */
export async function readMl100kMovies(
  path: string,
  genres: ReadonlyArray<string>,
): Promise<Map<number, MovieInfo>> {
  const movies = new Map<number, MovieInfo>();
  const firstLine = new Map<number, number>();
  const columnCount = ITEM_FIXED_COLUMNS.length + genres.length;
  const columns = `pipe-separated columns (${ITEM_FIXED_COLUMNS.join('|')}|${genres.length} genre flags)`;
  await readDelimitedFile(path, PIPE_SEPARATED, (fields, line) => {
    expectColumns(fields, columnCount, columns, path, line);
    const id = parseId(fields[0], 'movie id', path, line);
    rejectRepeatedId(firstLine, id, path, line);
    const split = splitTitleYear(fields[1]);
    const released = RELEASE_YEAR.exec(fields[2].trim());
    const year = split.year ?? (released === null ? null : Number(released[1]));
    const movieGenres: string[] = [];
    for (let g = 0; g < genres.length; g++) {
      const flag = fields[ITEM_FIXED_COLUMNS.length + g];
      if (flag !== '0' && flag !== '1') {
        throw new DataFormatError(
          path,
          line,
          `genre flag for ${genres[g]} is ${JSON.stringify(flag)}, expected 0 or 1`,
        );
      }
      if (flag === '1' && genres[g] !== UNKNOWN_GENRE) movieGenres.push(genres[g]);
    }
    movies.set(id, {
      id,
      title: split.title,
      year,
      genres: movieGenres,
      imdbId: null,
      tmdbId: null,
    });
  });
  return movies;
}

/** The path of each ml-100k file inside `dir`. */
export function ml100kPaths(dir: string): { readonly [K in keyof typeof ML_100K_FILES]: string } {
  return {
    ratings: join(dir, ML_100K_FILES.ratings),
    movies: join(dir, ML_100K_FILES.movies),
    genres: join(dir, ML_100K_FILES.genres),
  };
}
