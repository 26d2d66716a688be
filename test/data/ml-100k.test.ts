import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadDataset,
  loadOfficialSplit,
  loadRatingsFile,
  RATING_SCALES,
} from '../../src/data/movielens.ts';
import { fixture, rows, useTempDatasets } from './helpers.ts';

const dir = fixture('ml-100k-tiny');

describe('ml-100k layout', () => {
  const tempDataset = useTempDatasets();

  it('given the tiny ml-100k fixture, when loading, then detects the format and its whole-star scale', async () => {
    const dataset = await loadDataset(dir);
    expect(dataset.format).toBe('ml-100k');
    expect(dataset.scale).toEqual({ min: 1, max: 5, step: 1 });
    expect(dataset.scale).toEqual(RATING_SCALES['ml-100k']);
    expect(dataset.tags.size).toBe(0);
  });

  it('given tab-separated u.data without a header, when loading, then every line is a rating', async () => {
    const { ratings } = await loadDataset(dir);
    expect(rows(ratings)).toEqual([
      [1, 1, 5, 874965758],
      [1, 543, 4, 875071561],
      [2, 1, 3, 888550871],
      [2, 1412, 1, 888551011],
      [3, 267, 2, 889237455],
      [3, 543, 5, 889237269],
    ]);
  });

  it('given a latin-1 u.item, when loading, then "Misérables" is decoded correctly', async () => {
    const raw = await readFile(join(dir, 'u.item'));
    expect(raw.includes(Buffer.from([0x4d, 0x69, 0x73, 0xe9]))).toBe(true);
    const { movies } = await loadDataset(dir);
    expect(movies.get(543)).toEqual({
      id: 543,
      title: 'Misérables, Les',
      year: 1995,
      genres: ['Drama', 'Musical'],
      imdbId: null,
      tmdbId: null,
    });
  });

  it('given a title starting with a double quote, when loading, then the quote is literal text', async () => {
    const { movies } = await loadDataset(dir);
    expect(movies.get(1683)).toMatchObject({ title: '"Quoted" Title', genres: ['Comedy'] });
  });

  it('given a title without a trailing year, when loading, then the year comes from the release date', async () => {
    const { movies } = await loadDataset(dir);
    expect(movies.get(1412)).toMatchObject({
      title: 'Land Before Time III: The Time of the Great Giving (1995) (V)',
      year: 1995,
    });
    expect(movies.get(1683)?.year).toBe(1997);
  });

  it('given a title ending in a space, when loading, then it is trimmed', async () => {
    const { movies } = await loadDataset(dir);
    expect(movies.get(1635)).toMatchObject({ title: 'Two Friends', year: 1986 });
  });

  it('given genre flags, when loading, then genres are named from u.genre in flag order', async () => {
    const { movies } = await loadDataset(dir);
    expect(movies.get(1)?.genres).toEqual(['Animation', "Children's", 'Comedy']);
  });

  it('given a movie flagged only "unknown" without a date, when loading, then it has no genres and no year', async () => {
    const { movies } = await loadDataset(dir);
    expect(movies.get(267)).toMatchObject({ title: 'unknown', year: null, genres: [] });
  });

  it('given no u.genre, when loading, then the documented genre list is used', async () => {
    const copy = await tempDataset(dir, {});
    await rm(join(copy, 'u.genre'));
    const { movies } = await loadDataset(copy);
    expect(movies.get(543)?.genres).toEqual(['Drama', 'Musical']);
  });

  it('given the u1 split files, when loading the official split, then base is train and test is test', async () => {
    const { train, test } = await loadOfficialSplit(dir, 'u1');
    expect(rows(train)).toEqual([
      [1, 1, 5, 874965758],
      [1, 543, 4, 875071561],
      [2, 1, 3, 888550871],
      [2, 1412, 1, 888551011],
    ]);
    expect(rows(test)).toEqual([
      [3, 267, 2, 889237455],
      [3, 543, 5, 889237269],
    ]);
  });

  it('given a split whose files are absent, when loading it, then the error names the missing file', async () => {
    await expect(loadOfficialSplit(dir, 'ua')).rejects.toMatchObject({
      code: 'DATASET_NOT_FOUND',
      message: `MovieLens file not found: ${join(dir, 'ua.base')}`,
    });
  });

  it('given a name that is not an official split, when loading it, then it is rejected', async () => {
    // @ts-expect-error: checks the run-time guard for callers outside TypeScript.
    await expect(loadOfficialSplit(dir, 'u9')).rejects.toThrow(/unknown ml-100k split "u9"/);
  });

  it('given one split file, when loading it as a ratings file, then it reads in the ml-100k layout', async () => {
    const loaded = await loadRatingsFile(join(dir, 'u1.test'), 'ml-100k');
    expect(loaded.ratings.length).toBe(2);
  });
});
