import { describe, expect, it } from 'vitest';
import { loadDataset, loadRatingsFile, RATING_SCALES } from '../../src/data/movielens.ts';
import { crlf, fixture, rows, useTempDatasets } from './helpers.ts';

describe('ml-latest layout', () => {
  const tempDataset = useTempDatasets();

  it('given the tiny ml-latest fixture, when loading, then detects the format and its half-star scale', async () => {
    const dataset = await loadDataset(fixture('ml-latest-tiny'));
    expect(dataset.format).toBe('ml-latest');
    expect(dataset.name).toBe('ml-latest-tiny');
    expect(dataset.dir).toBe(fixture('ml-latest-tiny'));
    expect(dataset.scale).toEqual({ min: 0.5, max: 5, step: 0.5 });
    expect(dataset.scale).toEqual(RATING_SCALES['ml-latest']);
  });

  it('given CRLF ratings.csv, when loading, then every rating arrives in file order with CR stripped', async () => {
    const { ratings, duplicatesReplaced } = await loadDataset(fixture('ml-latest-tiny'));
    expect(rows(ratings)).toEqual([
      [1, 1, 4, 964982703],
      [1, 11, 0.5, 964981247],
      [1, 73, 5, 964982224],
      [2, 1, 3.5, 1445714835],
      [2, 7789, 2.5, 1445714994],
      [3, 143410, 1, 1306463578],
    ]);
    expect(ratings.userIds).toBeInstanceOf(Int32Array);
    expect(ratings.movieIds).toBeInstanceOf(Int32Array);
    expect(ratings.values).toBeInstanceOf(Float32Array);
    expect(ratings.timestamps).toBeInstanceOf(Float64Array);
    expect(duplicatesReplaced).toBe(0);
  });

  it('given a quoted title with a comma, when loading, then the title is whole and the year split off', async () => {
    const { movies } = await loadDataset(fixture('ml-latest-tiny'));
    expect(movies.get(11)).toEqual({
      id: 11,
      title: 'American President, The',
      year: 1995,
      genres: ['Comedy', 'Drama', 'Romance'],
      imdbId: '0112346',
      tmdbId: 9087,
    });
  });

  it('given a quoted title with doubled quotes, when loading, then they become one literal quote', async () => {
    const { movies } = await loadDataset(fixture('ml-latest-tiny'));
    expect(movies.get(7789)?.title).toBe(`11'09"01 - September 11`);
    expect(movies.get(7789)?.year).toBe(2002);
  });

  it('given UTF-8 titles, when loading, then accented letters survive', async () => {
    const { movies } = await loadDataset(fixture('ml-latest-tiny'));
    expect(movies.get(73)?.title).toBe('Misérables, Les');
  });

  it('given a title ending in a space after the year, when loading, then the year is still found', async () => {
    const { movies } = await loadDataset(fixture('ml-latest-tiny'));
    expect(movies.get(27008)?.title).toBe('From Dusk Till Dawn 2: Texas Blood Money');
    expect(movies.get(27008)?.year).toBe(1999);
  });

  it('given a title without a year and "(no genres listed)", when loading, then year is null and genres empty', async () => {
    const { movies } = await loadDataset(fixture('ml-latest-tiny'));
    expect(movies.get(143410)).toMatchObject({ title: 'Hyena Road', year: null, genres: [] });
  });

  it('given a series title with a year span, when loading, then the first year counts', async () => {
    const { movies } = await loadDataset(fixture('ml-latest-tiny'));
    expect(movies.get(171749)).toMatchObject({ title: 'Death Note: Desu nôto', year: 2006 });
  });

  it('given links.csv, when loading, then imdb ids keep their leading zeros and an empty tmdbId is null', async () => {
    const { movies } = await loadDataset(fixture('ml-latest-tiny'));
    expect(movies.get(1)).toMatchObject({ imdbId: '0114709', tmdbId: 862 });
    expect(movies.get(27008)).toMatchObject({ imdbId: '0229260', tmdbId: null });
  });

  it('given movies in movies.csv, when loading, then the map keeps file order', async () => {
    const { movies } = await loadDataset(fixture('ml-latest-tiny'));
    expect([...movies.keys()]).toEqual([1, 11, 73, 7789, 27008, 143410, 171749]);
  });

  it('given tags differing only in case, when loading, then each movie keeps the first spelling once, in file order', async () => {
    const { tags } = await loadDataset(fixture('ml-latest-tiny'));
    expect(tags.get(1)).toEqual(['pixar', 'Funny', 'talking toys, good']);
    expect(tags.get(73)).toEqual(['musical']);
    expect(tags.has(11)).toBe(false);
  });

  it('given includeTags false, when loading, then tags are not read', async () => {
    const { tags } = await loadDataset(fixture('ml-latest-tiny'), { includeTags: false });
    expect(tags.size).toBe(0);
  });

  it('given no links.csv or tags.csv, when loading, then ids are null and tags empty', async () => {
    const dir = await tempDataset(null, {
      'movies.csv': crlf('movieId,title,genres', '1,Toy Story (1995),Comedy'),
      'ratings.csv': crlf('userId,movieId,rating,timestamp', '1,1,4.5,964982703'),
    });
    const dataset = await loadDataset(dir);
    expect(dataset.movies.get(1)).toMatchObject({ imdbId: null, tmdbId: null });
    expect(dataset.tags.size).toBe(0);
  });

  it('given LF line endings and a UTF-8 byte order mark, when loading, then they are read like CRLF', async () => {
    const dir = await tempDataset(null, {
      'movies.csv': '\uFEFFmovieId,title,genres\n1,Toy Story (1995),Comedy\n',
      'ratings.csv': '\uFEFFuserId,movieId,rating,timestamp\n1,1,4.5,964982703\n',
    });
    const dataset = await loadDataset(dir);
    expect(rows(dataset.ratings)).toEqual([[1, 1, 4.5, 964982703]]);
    expect(dataset.movies.get(1)?.genres).toEqual(['Comedy']);
  });

  it('given a single ratings.csv, when loading it as a file, then the ratings come back alone', async () => {
    const loaded = await loadRatingsFile(`${fixture('ml-latest-tiny')}/ratings.csv`, 'ml-latest');
    expect(loaded.ratings.length).toBe(6);
    expect(loaded.duplicatesReplaced).toBe(0);
  });
});
