import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { keepLatestRatings } from '../../src/data/keep-latest.ts';
import { loadDataset } from '../../src/data/movielens.ts';
import type { RatingColumns } from '../../src/data/types.ts';
import { fixture, rows, useTempDatasets } from './helpers.ts';

type Rating = [user: number, movie: number, value: number, timestamp: number];

function columns(ratings: ReadonlyArray<Rating>): RatingColumns {
  return {
    length: ratings.length,
    userIds: Int32Array.from(ratings, (r) => r[0]),
    movieIds: Int32Array.from(ratings, (r) => r[1]),
    values: Float32Array.from(ratings, (r) => r[2]),
    timestamps: Float64Array.from(ratings, (r) => r[3]),
  };
}

/** The rule stated plainly: for each pair, the last line among those with the largest timestamp. */
function referenceKeepLatest(ratings: ReadonlyArray<Rating>): { kept: Rating[]; dropped: number } {
  const winner = new Map<string, number>();
  ratings.forEach((r, i) => {
    const key = `${r[0]}/${r[1]}`;
    const j = winner.get(key);
    if (j === undefined || r[3] >= ratings[j][3]) winner.set(key, i);
  });
  const keep = new Set(winner.values());
  return { kept: ratings.filter((_, i) => keep.has(i)), dropped: ratings.length - keep.size };
}

describe('repeated (user, movie) ratings', () => {
  const tempDataset = useTempDatasets();
  const uData = (...lines: ReadonlyArray<Rating>): string =>
    lines.map((r) => `${r.join('\t')}\n`).join('');

  it('given a pair rated again later further down, when loading, then the later rating replaces the first', async () => {
    const dir = await tempDataset(fixture('ml-100k-tiny'), {
      'u.data': uData([1, 1, 2, 100], [2, 1, 3, 100], [1, 1, 5, 200]),
    });
    const dataset = await loadDataset(dir);
    expect(rows(dataset.ratings)).toEqual([
      [2, 1, 3, 100],
      [1, 1, 5, 200],
    ]);
    expect(dataset.duplicatesReplaced).toBe(1);
  });

  it('given a repeat further down with an earlier timestamp, when loading, then the first line is kept in place', async () => {
    const dir = await tempDataset(fixture('ml-100k-tiny'), {
      'u.data': uData([1, 1, 5, 200], [2, 1, 3, 100], [1, 1, 2, 100]),
    });
    const dataset = await loadDataset(dir);
    expect(rows(dataset.ratings)).toEqual([
      [1, 1, 5, 200],
      [2, 1, 3, 100],
    ]);
    expect(dataset.duplicatesReplaced).toBe(1);
  });

  it('given a pair rated twice with the same timestamp, when loading, then the later line wins', async () => {
    const dir = await tempDataset(fixture('ml-100k-tiny'), {
      'u.data': uData([1, 1, 2, 100], [1, 1, 4, 100]),
    });
    const dataset = await loadDataset(dir);
    expect(rows(dataset.ratings)).toEqual([[1, 1, 4, 100]]);
    expect(dataset.duplicatesReplaced).toBe(1);
  });

  it('given a pair rated three times, when loading, then two are counted as replaced', async () => {
    const dir = await tempDataset(fixture('ml-1m-tiny'), {
      'ratings.dat': '1::1::1::300\n1::2::4::100\n1::1::2::100\n1::1::3::200\n',
    });
    const dataset = await loadDataset(dir);
    expect(rows(dataset.ratings)).toEqual([
      [1, 1, 1, 300],
      [1, 2, 4, 100],
    ]);
    expect(dataset.duplicatesReplaced).toBe(2);
  });

  it('given ratings sorted by user then movie, when reducing, then they come back untouched', () => {
    const sorted = columns([
      [1, 1, 4, 10],
      [1, 2, 3, 11],
      [2, 1, 5, 12],
    ]);
    expect(keepLatestRatings(sorted)).toEqual({ ratings: sorted, duplicatesReplaced: 0 });
  });

  test.prop([
    fc.array(
      fc.tuple(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 3 }),
      ),
      { maxLength: 40 },
    ),
  ])(
    'given random ratings with many repeats, when reducing, then the result matches the plain rule',
    (ratings) => {
      const expected = referenceKeepLatest(ratings);
      const actual = keepLatestRatings(columns(ratings));
      expect(rows(actual.ratings)).toEqual(expected.kept);
      expect(actual.duplicatesReplaced).toBe(expected.dropped);
    },
  );
});
