/**
 * One entry point for every MovieLens release this project reads: `loadDataset` finds a
 * data set by name or directory, recognises its layout from the files present and
 * returns the same `Dataset` shape whatever the release.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatasetNotFoundError, MOVIELENS_DOWNLOAD_URL } from './dataset-not-found-error.ts';
import { keepLatestRatings } from './keep-latest.ts';
import { ml1mPaths, readMl1mMovies, readMl1mRatings } from './ml-1m.ts';
import {
  ML_100K_GENRES,
  ml100kPaths,
  readMl100kGenres,
  readMl100kMovies,
  readMl100kRatings,
} from './ml-100k.ts';
import {
  mlLatestPaths,
  readMlLatestMovies,
  readMlLatestRatings,
  readMlLatestTags,
} from './ml-latest.ts';
import { RATING_SCALES } from './rating-scale.ts';
import { assertFileExists } from './read-rows.ts';
import type {
  Dataset,
  DatasetFormat,
  LoadedRatings,
  MovieInfo,
  RatingColumns,
  RatingScale,
} from './types.ts';

export { RATING_SCALES } from './rating-scale.ts';

/** Names `resolveDatasetDir` looks up in the data folders instead of treating as paths. */
export const KNOWN_DATASETS = [
  'ml-latest-small',
  'ml-latest',
  'ml-25m',
  'ml-100k',
  'ml-1m',
] as const;
export type KnownDatasetName = (typeof KNOWN_DATASETS)[number];

/** The official ml-100k train/test splits: five disjoint folds, and two with 10 test ratings per user. */
export const OFFICIAL_SPLITS = ['u1', 'u2', 'u3', 'u4', 'u5', 'ua', 'ub'] as const;
export type OfficialSplitName = (typeof OFFICIAL_SPLITS)[number];

export interface LoadDatasetOptions {
  /** Read ml-latest's tags.csv (default true); skipping it saves seconds on ml-25m. */
  readonly includeTags?: boolean;
}

function isKnownName(name: string): name is KnownDatasetName {
  return (KNOWN_DATASETS as ReadonlyArray<string>).includes(name);
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

let projectRootCache: string | null = null;

/** The nearest folder above this module holding a package.json. */
function projectRoot(): string {
  if (projectRootCache !== null) return projectRootCache;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      projectRootCache = dir;
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

/**
 * The directory of a data set. A known name (see `KNOWN_DATASETS`) is looked for in
 * `$MOVIELENS_DIR/<name>`, then `<project>/data/<name>`, then
 * `<project>/../shared/data/movielens/<name>`; anything else is a directory path,
 * resolved against the working directory.
 *
 * @throws DatasetNotFoundError naming every place looked and where to download the data
 */
export function resolveDatasetDir(nameOrDir: string): string {
  if (!isKnownName(nameOrDir)) {
    const dir = resolve(nameOrDir);
    if (isDirectory(dir)) return dir;
    throw new DatasetNotFoundError(
      `MovieLens data directory not found: ${dir}. Pass a directory or one of the names ` +
        `${KNOWN_DATASETS.join(', ')}; the data sets are at ${MOVIELENS_DOWNLOAD_URL}`,
      [dir],
    );
  }
  const root = projectRoot();
  const fromEnv = process.env.MOVIELENS_DIR;
  const places = [
    ...(fromEnv ? [resolve(fromEnv, nameOrDir)] : []),
    join(root, 'data', nameOrDir),
    resolve(root, '..', 'shared', 'data', 'movielens', nameOrDir),
  ];
  const found = places.find(isDirectory);
  if (found !== undefined) return found;
  throw new DatasetNotFoundError(
    [
      `MovieLens data set ${nameOrDir} not found. Looked in:`,
      ...places.map((place) => `  ${place}`),
      ...(fromEnv ? [] : ['  (MOVIELENS_DIR is not set)']),
      `Download ${nameOrDir} from ${MOVIELENS_DOWNLOAD_URL}, unzip it into ${join(root, 'data')} ` +
        'or into a folder named by the MOVIELENS_DIR environment variable.',
    ].join('\n'),
    places,
  );
}

/**
 * Which layout `dir` holds, from the ratings file present: ratings.csv (ml-latest),
 * u.data (ml-100k) or ratings.dat (ml-1m).
 *
 * @throws DatasetNotFoundError if there is none of them
 */
export function detectFormat(dir: string): DatasetFormat {
  const candidates: ReadonlyArray<readonly [DatasetFormat, string]> = [
    ['ml-latest', mlLatestPaths(dir).ratings],
    ['ml-100k', ml100kPaths(dir).ratings],
    ['ml-1m', ml1mPaths(dir).ratings],
  ];
  for (const [format, path] of candidates) {
    if (existsSync(path)) return format;
  }
  throw new DatasetNotFoundError(
    `no MovieLens ratings file in ${dir}: expected ratings.csv (ml-latest), u.data (ml-100k) ` +
      `or ratings.dat (ml-1m); the data sets are at ${MOVIELENS_DOWNLOAD_URL}`,
    candidates.map(([, path]) => path),
  );
}

/**
 * Loads a whole data set: ratings (repeated (user, movie) pairs reduced to the latest),
 * movies with their links, and for ml-latest the tags. Small files are read first, so a
 * broken or missing file fails before the long ratings read.
 *
 * @param nameOrDir a known name or a directory, see `resolveDatasetDir`
 * @throws DatasetNotFoundError if the directory or a required file is missing
 * @throws DataFormatError at the first line that breaks the format
 */
export async function loadDataset(
  nameOrDir: string,
  options: LoadDatasetOptions = {},
): Promise<Dataset> {
  const dir = resolveDatasetDir(nameOrDir);
  const name = isKnownName(nameOrDir) ? nameOrDir : basename(dir);
  const format = detectFormat(dir);
  const scale = RATING_SCALES[format];
  let movies: ReadonlyMap<number, MovieInfo>;
  let tags: ReadonlyMap<number, ReadonlyArray<string>> = new Map();
  let ratings: RatingColumns;
  switch (format) {
    case 'ml-latest': {
      const paths = mlLatestPaths(dir);
      await assertFileExists(paths.ratings);
      movies = await readMlLatestMovies(paths.movies, existsSync(paths.links) ? paths.links : null);
      if (options.includeTags !== false && existsSync(paths.tags)) {
        tags = await readMlLatestTags(paths.tags);
      }
      ratings = await readMlLatestRatings(paths.ratings, scale);
      break;
    }
    case 'ml-100k': {
      const paths = ml100kPaths(dir);
      await assertFileExists(paths.ratings);
      const genres = existsSync(paths.genres)
        ? await readMl100kGenres(paths.genres)
        : ML_100K_GENRES;
      movies = await readMl100kMovies(paths.movies, genres);
      ratings = await readMl100kRatings(paths.ratings, scale);
      break;
    }
    case 'ml-1m': {
      const paths = ml1mPaths(dir);
      await assertFileExists(paths.ratings);
      movies = await readMl1mMovies(paths.movies);
      ratings = await readMl1mRatings(paths.ratings, scale);
      break;
    }
  }
  const kept = keepLatestRatings(ratings);
  return {
    name,
    dir,
    format,
    scale,
    ratings: kept.ratings,
    movies,
    tags,
    duplicatesReplaced: kept.duplicatesReplaced,
  };
}

/**
 * Reads one ratings file in the layout of `format` (ml-latest CSV with header, ml-100k
 * tab-separated, ml-1m `::`-separated), with repeated (user, movie) pairs reduced to the
 * latest rating.
 */
export async function loadRatingsFile(
  path: string,
  format: DatasetFormat,
  scale: RatingScale = RATING_SCALES[format],
): Promise<LoadedRatings> {
  const read = {
    'ml-latest': readMlLatestRatings,
    'ml-100k': readMl100kRatings,
    'ml-1m': readMl1mRatings,
  }[format];
  return keepLatestRatings(await read(path, scale));
}

/**
 * One of ml-100k's official splits: `<name>.base` as train and `<name>.test` as test.
 *
 * @param nameOrDir the ml-100k directory, or the name `ml-100k`
 */
export async function loadOfficialSplit(
  nameOrDir: string,
  name: OfficialSplitName,
): Promise<{ train: RatingColumns; test: RatingColumns }> {
  if (!(OFFICIAL_SPLITS as ReadonlyArray<string>).includes(name)) {
    throw new RangeError(
      `unknown ml-100k split ${JSON.stringify(name)}; expected one of ${OFFICIAL_SPLITS.join(', ')}`,
    );
  }
  const dir = resolveDatasetDir(nameOrDir);
  const scale = RATING_SCALES['ml-100k'];
  const basePath = join(dir, `${name}.base`);
  const testPath = join(dir, `${name}.test`);
  await assertFileExists(basePath);
  await assertFileExists(testPath);
  const train = await loadRatingsFile(basePath, 'ml-100k', scale);
  const test = await loadRatingsFile(testPath, 'ml-100k', scale);
  return { train: train.ratings, test: test.ratings };
}
