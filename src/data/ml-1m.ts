/**
 * The ml-1m layout (GroupLens 2003): `ratings.dat` is `UserID::MovieID::Rating::Timestamp`
 * and `movies.dat` is `MovieID::Title::Genres` (genres pipe-separated), both ISO-8859-1,
 * without a header.
 */
import { join } from 'node:path';
import { DataFormatError } from './data-format-error.ts';
import { expectColumns, parseId, parseRating, parseTimestamp, rejectRepeatedId } from './fields.ts';
import { RatingColumnsBuilder } from './rating-columns.ts';
import { readLines } from './read-rows.ts';
import { splitTitleYear } from './titles.ts';
import type { MovieInfo, RatingColumns, RatingScale } from './types.ts';

export const ML_1M_FILES = { ratings: 'ratings.dat', movies: 'movies.dat' } as const;

const SEPARATOR = '::';
const RATING_COLUMNS = 'fields separated by "::" (UserID::MovieID::Rating::Timestamp)';

/** Reads ratings.dat. Duplicates are left in. */
export async function readMl1mRatings(path: string, scale: RatingScale): Promise<RatingColumns> {
  const out = new RatingColumnsBuilder();
  await readLines(path, 'latin1', (text, line) => {
    const fields = text.split(SEPARATOR);
    expectColumns(fields, 4, RATING_COLUMNS, path, line);
    out.push(
      parseId(fields[0], 'UserID', path, line),
      parseId(fields[1], 'MovieID', path, line),
      parseRating(fields[2], scale, path, line),
      parseTimestamp(fields[3], path, line),
    );
  });
  return out.build();
}

/**
 * Reads movies.dat. The id is the text before the first `::` and the genres the text
 * after the last, so a title is taken whole even if it contained `::`.
 */
export async function readMl1mMovies(path: string): Promise<Map<number, MovieInfo>> {
  const movies = new Map<number, MovieInfo>();
  const firstLine = new Map<number, number>();
  await readLines(path, 'latin1', (text, line) => {
    const first = text.indexOf(SEPARATOR);
    const last = text.lastIndexOf(SEPARATOR);
    if (first < 0 || last === first) {
      throw new DataFormatError(
        path,
        line,
        `expected 3 fields separated by "::" (MovieID::Title::Genres), found ${text.split(SEPARATOR).length}`,
      );
    }
    const id = parseId(text.slice(0, first), 'MovieID', path, line);
    rejectRepeatedId(firstLine, id, path, line);
    const { title, year } = splitTitleYear(text.slice(first + SEPARATOR.length, last));
    const genreText = text.slice(last + SEPARATOR.length);
    const genres =
      genreText === '' || genreText === '(no genres listed)' ? [] : genreText.split('|');
    movies.set(id, { id, title, year, genres, imdbId: null, tmdbId: null });
  });
  return movies;
}

/** The path of each ml-1m file inside `dir`. */
export function ml1mPaths(dir: string): { readonly [K in keyof typeof ML_1M_FILES]: string } {
  return { ratings: join(dir, ML_1M_FILES.ratings), movies: join(dir, ML_1M_FILES.movies) };
}
