import { describe, expect, it } from 'vitest';
import { loadDataset, RATING_SCALES } from '../../src/data/movielens.ts';
import { fixture, rows, useTempDatasets } from './helpers.ts';

describe('ml-1m layout', () => {
  const tempDataset = useTempDatasets();

  it('given the tiny ml-1m fixture, when loading, then detects the format and its whole-star scale', async () => {
    const dataset = await loadDataset(fixture('ml-1m-tiny'));
    expect(dataset.format).toBe('ml-1m');
    expect(dataset.scale).toEqual(RATING_SCALES['ml-1m']);
    expect(dataset.tags.size).toBe(0);
  });

  it('given "::"-separated ratings.dat, when loading, then every line is a rating', async () => {
    const { ratings } = await loadDataset(fixture('ml-1m-tiny'));
    expect(rows(ratings)).toEqual([
      [1, 1, 5, 978300760],
      [1, 73, 3, 978302109],
      [2, 1, 4, 978301968],
      [2, 2, 1, 978300275],
    ]);
  });

  it('given latin-1 movies.dat, when loading, then titles, years and pipe genres are read', async () => {
    const { movies } = await loadDataset(fixture('ml-1m-tiny'));
    expect([...movies.values()]).toEqual([
      {
        id: 1,
        title: 'Toy Story',
        year: 1995,
        genres: ['Animation', "Children's", 'Comedy'],
        imdbId: null,
        tmdbId: null,
      },
      {
        id: 2,
        title: 'Jumanji',
        year: 1995,
        genres: ['Adventure', "Children's", 'Fantasy'],
        imdbId: null,
        tmdbId: null,
      },
      {
        id: 73,
        title: 'Misérables, Les',
        year: 1995,
        genres: ['Drama', 'Musical'],
        imdbId: null,
        tmdbId: null,
      },
    ]);
  });

  it('given CRLF line endings, when loading, then CR never reaches the last field', async () => {
    const dir = await tempDataset(null, {
      'movies.dat': Buffer.from('1::Toy Story (1995)::Comedy\r\n', 'latin1'),
      'ratings.dat': '1::1::5::978300760\r\n',
    });
    const dataset = await loadDataset(dir);
    expect(dataset.movies.get(1)?.genres).toEqual(['Comedy']);
    expect(rows(dataset.ratings)).toEqual([[1, 1, 5, 978300760]]);
  });
});
