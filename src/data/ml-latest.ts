/**
 * The ml-latest layout (ml-latest-small, ml-latest, ml-25m): UTF-8 CSV files with a header
 * row, RFC 4180 quoting and CRLF line endings.
 */
import { join } from 'node:path';
import { DataFormatError } from './data-format-error.ts';
import { expectColumns, parseId, parseRating, parseTimestamp, rejectRepeatedId } from './fields.ts';
import { readPlainRatingsCsv } from './plain-ratings.ts';
import { RatingColumnsBuilder } from './rating-columns.ts';
import { assertFileExists, type DelimitedFormat, readDelimitedFile } from './read-rows.ts';
import { splitTitleYear } from './titles.ts';
import type { MovieInfo, RatingColumns, RatingScale } from './types.ts';

const CSV: DelimitedFormat = { delimiter: ',', quote: '"', encoding: 'utf8' };

export const ML_LATEST_FILES = {
  ratings: 'ratings.csv',
  movies: 'movies.csv',
  links: 'links.csv',
  tags: 'tags.csv',
} as const;

const RATINGS_HEADER = ['userId', 'movieId', 'rating', 'timestamp'] as const;
const MOVIES_HEADER = ['movieId', 'title', 'genres'] as const;
const LINKS_HEADER = ['movieId', 'imdbId', 'tmdbId'] as const;
const TAGS_HEADER = ['userId', 'movieId', 'tag', 'timestamp'] as const;
const NO_GENRES = '(no genres listed)';

/** Reads ratings.csv. Duplicates are left in; see `keepLatestRatings`. */
export async function readMlLatestRatings(
  path: string,
  scale: RatingScale,
): Promise<RatingColumns> {
  await assertFileExists(path);
  const plain = await readPlainRatingsCsv(path, RATINGS_HEADER.join(','), scale);
  // not plain: the general parser reads it again and names the first problem
  return plain ?? readMlLatestRatingsGeneral(path, scale);
}

/** Reads ratings.csv with the general CSV parser (quotes, errors with file and line). */
export async function readMlLatestRatingsGeneral(
  path: string,
  scale: RatingScale,
): Promise<RatingColumns> {
  const out = new RatingColumnsBuilder();
  await readCsvWithHeader(path, RATINGS_HEADER, (fields, line) => {
    out.push(
      parseId(fields[0], 'userId', path, line),
      parseId(fields[1], 'movieId', path, line),
      parseRating(fields[2], scale, path, line),
      parseTimestamp(fields[3], path, line),
    );
  });
  return out.build();
}

/**
 * Reads movies.csv and, when present (`linksPath` not null), links.csv. A links row for a
 * movie that movies.csv lacks is ignored.
 */
export async function readMlLatestMovies(
  moviesPath: string,
  linksPath: string | null,
): Promise<Map<number, MovieInfo>> {
  const movies = new Map<number, MovieInfo>();
  const firstLine = new Map<number, number>();
  await readCsvWithHeader(moviesPath, MOVIES_HEADER, (fields, line) => {
    const id = parseId(fields[0], 'movieId', moviesPath, line);
    rejectRepeatedId(firstLine, id, moviesPath, line);
    const { title, year } = splitTitleYear(fields[1]);
    const genres = fields[2] === NO_GENRES || fields[2] === '' ? [] : fields[2].split('|');
    movies.set(id, { id, title, year, genres, imdbId: null, tmdbId: null });
  });
  if (linksPath === null) return movies;
  firstLine.clear();
  await readCsvWithHeader(linksPath, LINKS_HEADER, (fields, line) => {
    const id = parseId(fields[0], 'movieId', linksPath, line);
    rejectRepeatedId(firstLine, id, linksPath, line);
    const imdbId = fields[1] === '' ? null : fields[1];
    if (imdbId !== null && !/^\d+$/.test(imdbId)) {
      throw new DataFormatError(linksPath, line, `imdbId ${JSON.stringify(imdbId)} is not digits`);
    }
    const tmdbId = fields[2] === '' ? null : parseId(fields[2], 'tmdbId', linksPath, line);
    const movie = movies.get(id);
    if (movie !== undefined) movies.set(id, { ...movie, imdbId, tmdbId });
  });
  return movies;
}

/**
 * Reads tags.csv into movie id -> distinct tags in file order. Tags are trimmed and
 * compared case-insensitively; the first spelling seen is kept.
 */
export async function readMlLatestTags(path: string): Promise<Map<number, string[]>> {
  const tags = new Map<number, string[]>();
  const seen = new Map<number, Set<string>>();
  await readCsvWithHeader(path, TAGS_HEADER, (fields, line) => {
    parseId(fields[0], 'userId', path, line);
    const movieId = parseId(fields[1], 'movieId', path, line);
    parseTimestamp(fields[3], path, line);
    const tag = fields[2].trim();
    if (tag === '') return;
    const key = tag.toLowerCase();
    let keys = seen.get(movieId);
    if (keys === undefined) {
      keys = new Set();
      seen.set(movieId, keys);
      tags.set(movieId, []);
    }
    if (keys.has(key)) return;
    keys.add(key);
    tags.get(movieId)?.push(tag);
  });
  return tags;
}

/**
 * Streams a CSV whose first row must be exactly `header`; every later row must have as
 * many columns and is handed to `onRow`.
 */
async function readCsvWithHeader(
  path: string,
  header: ReadonlyArray<string>,
  onRow: (fields: ReadonlyArray<string>, line: number) => void,
): Promise<void> {
  const expected = header.join(',');
  const columns = `columns (${expected})`;
  let headerSeen = false;
  await readDelimitedFile(path, CSV, (fields, line) => {
    if (!headerSeen) {
      const found = fields.join(',');
      if (found !== expected) {
        throw new DataFormatError(
          path,
          line,
          `expected the header ${JSON.stringify(expected)}, found ${JSON.stringify(found)}`,
        );
      }
      headerSeen = true;
      return;
    }
    expectColumns(fields, header.length, columns, path, line);
    onRow(fields, line);
  });
  if (!headerSeen) {
    throw new DataFormatError(
      path,
      1,
      `file is empty; expected the header ${JSON.stringify(expected)}`,
    );
  }
}

/** The path of each ml-latest file inside `dir`. */
export function mlLatestPaths(dir: string): {
  readonly [K in keyof typeof ML_LATEST_FILES]: string;
} {
  return {
    ratings: join(dir, ML_LATEST_FILES.ratings),
    movies: join(dir, ML_LATEST_FILES.movies),
    links: join(dir, ML_LATEST_FILES.links),
    tags: join(dir, ML_LATEST_FILES.tags),
  };
}
