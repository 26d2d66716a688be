import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../../src/data/data-format-error.ts';
import { DatasetNotFoundError } from '../../src/data/dataset-not-found-error.ts';
import { loadDataset, loadRatingsFile } from '../../src/data/movielens.ts';
import { crlf, fixture, useTempDatasets } from './helpers.ts';

const RATINGS = 'userId,movieId,rating,timestamp';
const MOVIES = 'movieId,title,genres';
const GOOD = '1,1,4.0,964982703';

/** A u.item line with the given flags text (19 pipe-separated 0/1 by default). */
const item = (id: string, flags = Array(19).fill('0').join('|')): string =>
  `${id}|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy|${flags}\n`;

interface BadCase {
  readonly given: string;
  readonly seed: 'ml-latest-tiny' | 'ml-100k-tiny' | 'ml-1m-tiny';
  readonly file: string;
  readonly content: string | Buffer;
  readonly line: number;
  readonly problem: string;
}

const cases: ReadonlyArray<BadCase> = [
  // ml-latest: ratings.csv
  {
    given: 'a ratings row with 3 columns',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(RATINGS, GOOD, '1,11,4.0'),
    line: 3,
    problem: 'expected 4 columns (userId,movieId,rating,timestamp), found 3',
  },
  {
    given: 'a ratings row with 5 columns',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(RATINGS, '1,11,4.0,964982703,x'),
    line: 2,
    problem: 'expected 4 columns (userId,movieId,rating,timestamp), found 5',
  },
  {
    given: 'a non-numeric userId',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(RATINGS, GOOD, GOOD.replace('1,1,', '1,2,'), 'abc,1,4.0,964982703'),
    line: 4,
    problem: 'userId "abc" is not a positive integer',
  },
  {
    given: 'a movieId of 0',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(RATINGS, '1,0,4.0,964982703'),
    line: 2,
    problem: 'movieId "0" is not a positive integer',
  },
  {
    given: 'a negative userId',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(RATINGS, '-3,1,4.0,964982703'),
    line: 2,
    problem: 'userId "-3" is not a positive integer',
  },
  {
    given: 'a fractional movieId',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(RATINGS, '1,1.5,4.0,964982703'),
    line: 2,
    problem: 'movieId "1.5" is not a positive integer',
  },
  {
    given: 'a userId beyond 32 bits',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(RATINGS, '3000000000,1,4.0,964982703'),
    line: 2,
    problem: 'userId 3000000000 is larger than 2147483647',
  },
  {
    given: 'a rating of 7',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(RATINGS, GOOD, '1,2,7,964982703'),
    line: 3,
    problem: 'rating 7 is outside the scale 0.5..5 (step 0.5)',
  },
  {
    given: 'a rating of 0',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(RATINGS, '1,2,0,964982703'),
    line: 2,
    problem: 'rating 0 is outside the scale 0.5..5 (step 0.5)',
  },
  {
    given: 'a rating between half stars',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(RATINGS, '1,2,3.3,964982703'),
    line: 2,
    problem: 'rating 3.3 is not on a step of the scale 0.5..5 (step 0.5)',
  },
  {
    given: 'a rating that is a word',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(RATINGS, '1,2,four,964982703'),
    line: 2,
    problem: 'rating "four" is not a number',
  },
  {
    given: 'an empty rating',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(RATINGS, '1,2,,964982703'),
    line: 2,
    problem: 'rating "" is not a number',
  },
  {
    given: 'a timestamp that is a word',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(RATINGS, '1,2,4.0,yesterday'),
    line: 2,
    problem: 'timestamp "yesterday" is not a whole number of seconds',
  },
  {
    given: 'a negative timestamp',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(RATINGS, '1,2,4.0,-5'),
    line: 2,
    problem: 'timestamp -5 is negative',
  },
  {
    given: 'a fractional timestamp',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(RATINGS, '1,2,4.0,964982703.5'),
    line: 2,
    problem: 'timestamp "964982703.5" is not a whole number of seconds',
  },
  {
    given: 'a ratings header with other column names',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf('user,movie,rating,time', GOOD),
    line: 1,
    problem:
      'expected the header "userId,movieId,rating,timestamp", found "user,movie,rating,time"',
  },
  {
    given: 'a ratings file without its header',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(GOOD),
    line: 1,
    problem: 'expected the header "userId,movieId,rating,timestamp", found "1,1,4.0,964982703"',
  },
  {
    given: 'an empty ratings file',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: '',
    line: 1,
    problem: 'file is empty; expected the header "userId,movieId,rating,timestamp"',
  },
  {
    given: 'a blank line before a bad rating',
    seed: 'ml-latest-tiny',
    file: 'ratings.csv',
    content: crlf(RATINGS, GOOD, '', '1,2,9,964982703'),
    line: 4,
    problem: 'rating 9 is outside the scale 0.5..5 (step 0.5)',
  },
  // ml-latest: movies.csv, links.csv, tags.csv
  {
    given: 'a quoted title that is never closed',
    seed: 'ml-latest-tiny',
    file: 'movies.csv',
    content: crlf(
      MOVIES,
      '1,Toy Story (1995),Comedy',
      '2,"Jumanji (1995),Adventure',
      '3,Heat (1995),Action',
    ),
    line: 3,
    problem: 'quoted field is never closed',
  },
  {
    given: 'text after the closing quote of a title',
    seed: 'ml-latest-tiny',
    file: 'movies.csv',
    content: crlf(MOVIES, '1,Toy Story (1995),Comedy', '2,"Jumanji" (1995),Adventure'),
    line: 3,
    problem: 'unexpected text after a closing quote',
  },
  {
    given: 'a quoted title spanning two lines before a bad movieId',
    seed: 'ml-latest-tiny',
    file: 'movies.csv',
    content: crlf(MOVIES, '1,"Toy', 'Story (1995)",Comedy', 'x,Heat (1995),Action'),
    line: 4,
    problem: 'movieId "x" is not a positive integer',
  },
  {
    given: 'a movie listed twice',
    seed: 'ml-latest-tiny',
    file: 'movies.csv',
    content: crlf(
      MOVIES,
      '1,Toy Story (1995),Comedy',
      '2,Jumanji (1995),Adventure',
      '1,Again,Drama',
    ),
    line: 4,
    problem: 'movieId 1 repeats the row on line 2',
  },
  {
    given: 'a movie row with 2 columns',
    seed: 'ml-latest-tiny',
    file: 'movies.csv',
    content: crlf(MOVIES, '1,Toy Story (1995)'),
    line: 2,
    problem: 'expected 3 columns (movieId,title,genres), found 2',
  },
  {
    given: 'an imdbId with its "tt" prefix',
    seed: 'ml-latest-tiny',
    file: 'links.csv',
    content: crlf('movieId,imdbId,tmdbId', '1,tt0114709,862'),
    line: 2,
    problem: 'imdbId "tt0114709" is not digits',
  },
  {
    given: 'a non-numeric tmdbId',
    seed: 'ml-latest-tiny',
    file: 'links.csv',
    content: crlf('movieId,imdbId,tmdbId', '1,0114709,862', '11,0112346,abc'),
    line: 3,
    problem: 'tmdbId "abc" is not a positive integer',
  },
  {
    given: 'a tag row with 3 columns',
    seed: 'ml-latest-tiny',
    file: 'tags.csv',
    content: crlf('userId,movieId,tag,timestamp', '2,1,pixar'),
    line: 2,
    problem: 'expected 4 columns (userId,movieId,tag,timestamp), found 3',
  },
  // ml-100k
  {
    given: 'a comma-separated line in u.data',
    seed: 'ml-100k-tiny',
    file: 'u.data',
    content: '1\t1\t5\t874965758\n1,543,4,875071561\n',
    line: 2,
    problem: 'expected 4 tab-separated columns (user id, item id, rating, timestamp), found 1',
  },
  {
    given: 'a half-star rating in u.data',
    seed: 'ml-100k-tiny',
    file: 'u.data',
    content: '1\t1\t5\t874965758\n1\t543\t4.5\t875071561\n',
    line: 2,
    problem: 'rating 4.5 is not on a step of the scale 1..5 (step 1)',
  },
  {
    given: 'a rating of 0 in u.data',
    seed: 'ml-100k-tiny',
    file: 'u.data',
    content: '1\t1\t0\t874965758\n',
    line: 1,
    problem: 'rating 0 is outside the scale 1..5 (step 1)',
  },
  {
    given: 'a non-numeric item id in u.data',
    seed: 'ml-100k-tiny',
    file: 'u.data',
    content: '1\t1\t5\t874965758\n\n1\tx\t5\t874965758\n',
    line: 3,
    problem: 'item id "x" is not a positive integer',
  },
  {
    given: 'a u.item line missing a genre flag',
    seed: 'ml-100k-tiny',
    file: 'u.item',
    content: item('1') + item('2', Array(18).fill('0').join('|')),
    line: 2,
    problem:
      'expected 24 pipe-separated columns (movie id|movie title|release date|video release date|IMDb URL|19 genre flags), found 23',
  },
  {
    given: 'a genre flag of 2 in u.item',
    seed: 'ml-100k-tiny',
    file: 'u.item',
    content: item('1', ['0', '2', ...Array(17).fill('0')].join('|')),
    line: 1,
    problem: 'genre flag for Action is "2", expected 0 or 1',
  },
  {
    given: 'u.genre with an index out of order',
    seed: 'ml-100k-tiny',
    file: 'u.genre',
    content: 'unknown|0\nAction|2\n',
    line: 2,
    problem: 'expected genre index 1, found "2"',
  },
  // ml-1m
  {
    given: 'a ratings.dat line with 3 fields',
    seed: 'ml-1m-tiny',
    file: 'ratings.dat',
    content: '1::1::5::978300760\n1::73::3\n',
    line: 2,
    problem: 'expected 4 fields separated by "::" (UserID::MovieID::Rating::Timestamp), found 3',
  },
  {
    given: 'a rating of 6 in ratings.dat',
    seed: 'ml-1m-tiny',
    file: 'ratings.dat',
    content: '1::1::5::978300760\n1::73::6::978302109\n',
    line: 2,
    problem: 'rating 6 is outside the scale 1..5 (step 1)',
  },
  {
    given: 'a negative timestamp in ratings.dat',
    seed: 'ml-1m-tiny',
    file: 'ratings.dat',
    content: '1::1::5::-978300760\n',
    line: 1,
    problem: 'timestamp -978300760 is negative',
  },
  {
    given: 'a movies.dat line with one "::"',
    seed: 'ml-1m-tiny',
    file: 'movies.dat',
    content: '1::Toy Story (1995)::Comedy\n2::Jumanji (1995)\n',
    line: 2,
    problem: 'expected 3 fields separated by "::" (MovieID::Title::Genres), found 2',
  },
  {
    given: 'a blank line before a bad MovieID in movies.dat',
    seed: 'ml-1m-tiny',
    file: 'movies.dat',
    content: '1::Toy Story (1995)::Comedy\r\n\r\nx::Jumanji (1995)::Adventure\r\n',
    line: 3,
    problem: 'MovieID "x" is not a positive integer',
  },
];

describe('bad input', () => {
  const tempDataset = useTempDatasets();

  it.each(cases.map((bad) => [bad.given, bad.file, bad.line, bad] as const))(
    'given %s, when loading, then fails at %s line %i',
    async (_given, _file, _line, bad) => {
      const dir = await tempDataset(fixture(bad.seed), { [bad.file]: bad.content });
      const error = await loadDataset(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataFormatError);
      expect(error).toMatchObject({
        code: 'DATA_FORMAT',
        file: join(dir, bad.file),
        line: bad.line,
        problem: bad.problem,
      });
    },
  );

  it('given a bad rating, when loading, then the message reads file:line: problem', async () => {
    const dir = await tempDataset(fixture('ml-latest-tiny'), {
      'ratings.csv': crlf(RATINGS, GOOD, '1,2,7,964982703'),
    });
    await expect(loadDataset(dir)).rejects.toThrow(
      `${join(dir, 'ratings.csv')}:3: rating 7 is outside the scale 0.5..5 (step 0.5)`,
    );
  });

  it('given a ratings file larger than one read chunk, when line 4321 is bad, then the error says line 4321', async () => {
    const lines = [RATINGS];
    for (let k = 2; k <= 5000; k++)
      lines.push(k === 4321 ? '7,9,5.5,964982703' : `7,${k},4.5,964982703`);
    const dir = await tempDataset(fixture('ml-latest-tiny'), { 'ratings.csv': crlf(...lines) });
    await expect(loadDataset(dir)).rejects.toMatchObject({
      line: 4321,
      problem: 'rating 5.5 is outside the scale 0.5..5 (step 0.5)',
    });
  });

  it('given many good movies before a broken quote, when loading, then the error points at the quote line', async () => {
    const lines = [MOVIES];
    for (let k = 2; k <= 3000; k++) {
      lines.push(
        k === 2500 ? `${k},"Unclosed, The (1995),Drama` : `${k},"Title ${k}, The (1995)",Drama`,
      );
    }
    const dir = await tempDataset(fixture('ml-latest-tiny'), { 'movies.csv': crlf(...lines) });
    await expect(loadDataset(dir)).rejects.toMatchObject({
      line: 2500,
      problem:
        'quoted field is never closed properly: the quote that ends it on line 2501 is followed by other text',
    });
  });

  it('given a data set without movies.csv, when loading, then the error names the missing path', async () => {
    const dir = await tempDataset(null, { 'ratings.csv': crlf(RATINGS, GOOD) });
    const error = await loadDataset(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetNotFoundError);
    expect(error).toMatchObject({
      code: 'DATASET_NOT_FOUND',
      message: `MovieLens file not found: ${join(dir, 'movies.csv')}`,
      searched: [join(dir, 'movies.csv')],
    });
  });

  it('given an ml-100k data set without u.item, when loading, then the error names the missing path', async () => {
    const dir = await tempDataset(null, { 'u.data': '1\t1\t5\t874965758\n' });
    await expect(loadDataset(dir)).rejects.toThrow(
      `MovieLens file not found: ${join(dir, 'u.item')}`,
    );
  });

  it('given a missing ratings file, when loading it as a file, then the error names the path', async () => {
    const path = join(fixture('ml-1m-tiny'), 'no-such.dat');
    await expect(loadRatingsFile(path, 'ml-1m')).rejects.toThrow(
      `MovieLens file not found: ${path}`,
    );
  });

  it('given a directory without any ratings file, when loading, then the error lists the files looked for', async () => {
    const dir = await tempDataset(null, { 'README.txt': 'not data' });
    const error = await loadDataset(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetNotFoundError);
    expect((error as Error).message).toContain(
      'expected ratings.csv (ml-latest), u.data (ml-100k) or ratings.dat (ml-1m)',
    );
    expect((error as DatasetNotFoundError).searched).toEqual([
      join(dir, 'ratings.csv'),
      join(dir, 'u.data'),
      join(dir, 'ratings.dat'),
    ]);
  });
});
