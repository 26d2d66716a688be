import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import type { Dataset } from '../../src/data/types.ts';

const bundled = join(fileURLToPath(new URL('../../', import.meta.url)), 'data', 'ml-latest-small');

/** Counts from the data's SOURCES.md, checked there with Python's csv module. */
describe('the bundled ml-latest-small', () => {
  let dataset: Dataset;
  beforeAll(async () => {
    // An empty MOVIELENS_DIR is ignored, so this always reads the copy in the project.
    vi.stubEnv('MOVIELENS_DIR', '');
    dataset = await loadDataset('ml-latest-small');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it('given the name ml-latest-small, when loading, then the project copy is read as ml-latest', () => {
    expect(dataset.dir).toBe(bundled);
    expect(dataset.format).toBe('ml-latest');
  });

  it('given the full file, when loading, then it holds 100,836 ratings and no repeated pairs', () => {
    expect(dataset.ratings.length).toBe(100_836);
    expect(dataset.duplicatesReplaced).toBe(0);
  });

  it('given the full file, when counting, then 610 users rated 9,724 of the 9,742 movies', () => {
    expect(new Set(dataset.ratings.userIds).size).toBe(610);
    expect(new Set(dataset.ratings.movieIds).size).toBe(9_724);
    expect(dataset.movies.size).toBe(9_742);
  });

  it('given the full file, when checking ratings, then all lie on the half-star scale', () => {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of dataset.ratings.values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max]).toEqual([0.5, 5]);
  });

  it('given every rated movie, when looking it up, then movies.csv lists it', () => {
    const unknown = dataset.ratings.movieIds.filter((id) => !dataset.movies.has(id));
    expect(unknown.length).toBe(0);
  });
});
