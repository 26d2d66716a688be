import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import type { RatingColumns } from '../../src/data/types.ts';
import {
  kfoldSplit,
  makeFolds,
  parseSplit,
  type SplitSpec,
  temporalSplit,
} from '../../src/eval/splits.ts';
import { fixture, rows } from '../data/helpers.ts';
import { columnsOf, keyOf, keysOf, type Row, ratingsArb, rowsOf } from './helpers.ts';

const sorted = (xs: ReadonlyArray<string>): string[] => [...xs].sort();

describe('parseSplit', () => {
  it.each<[string, SplitSpec]>([
    ['u1..u5', { kind: 'official', names: ['u1', 'u2', 'u3', 'u4', 'u5'] }],
    ['u2..u3', { kind: 'official', names: ['u2', 'u3'] }],
    ['u4..u4', { kind: 'official', names: ['u4'] }],
    ['u1', { kind: 'official', names: ['u1'] }],
    ['ua', { kind: 'official', names: ['ua'] }],
    ['ub', { kind: 'official', names: ['ub'] }],
    ['kfold:5', { kind: 'kfold', k: 5, seed: 42 }],
    ['temporal:0.2', { kind: 'temporal', fraction: 0.2 }],
    ['temporal:.5', { kind: 'temporal', fraction: 0.5 }],
  ])('given the spec %s, when parsing, then returns %o', (text, spec) => {
    expect(parseSplit(text)).toEqual(spec);
  });

  it('given a seed, when parsing a k-fold spec, then the spec carries that seed', () => {
    expect(parseSplit('kfold:3', 7)).toEqual({ kind: 'kfold', k: 3, seed: 7 });
  });

  it.each([
    ['kfold:1', /k-fold needs k >= 2/],
    ['kfold:0', /k-fold needs k >= 2/],
    ['temporal:0.0', /fraction must be in \(0, 1\)/],
    ['temporal:1.5', /unknown split/],
    ['u5..u1', /range must go upwards/],
    ['u0..u6', /unknown split/],
    ['u6', /unknown split/],
    ['kfold:', /unknown split/],
    ['foo', /unknown split/],
  ])('given the bad spec "%s", when parsing, then throws a message naming it', (text, why) => {
    expect(() => parseSplit(text)).toThrow(why);
    expect(() => parseSplit(text)).toThrow(text);
  });

  it('given an empty spec, when parsing, then throws a message showing the empty spec quoted', () => {
    expect(() => parseSplit('')).toThrow('unknown split "": expected u1..u5');
  });
});

describe('kfoldSplit', () => {
  it('given random ratings, when splitting into k folds, then every rating is in exactly one test fold', () => {
    fc.assert(
      fc.property(ratingsArb(), fc.integer({ min: 2, max: 6 }), fc.nat(), (r, k, seed) => {
        const folds = kfoldSplit(r, k, seed);
        expect(folds.map((f) => f.name)).toEqual(
          Array.from({ length: k }, (_, f) => `kfold-${f + 1}`),
        );
        const tested = folds.flatMap((f) => keysOf(f.test));
        expect(sorted(tested)).toEqual(sorted(keysOf(r)));
      }),
    );
  });

  it('given random ratings, when splitting, then each fold is its test set plus the rest as training, with values intact', () => {
    fc.assert(
      fc.property(ratingsArb(), fc.integer({ min: 2, max: 6 }), fc.nat(), (r, k, seed) => {
        const all = rowsOf(r).map((row) => JSON.stringify(row));
        for (const fold of kfoldSplit(r, k, seed)) {
          const train = rowsOf(fold.train).map((row) => JSON.stringify(row));
          const test = rowsOf(fold.test).map((row) => JSON.stringify(row));
          expect(sorted([...train, ...test])).toEqual(sorted(all));
          const inTest = new Set(test);
          expect(train.some((row) => inTest.has(row))).toBe(false);
        }
      }),
    );
  });

  it('given random ratings, when splitting, then the test folds differ in size by at most one', () => {
    fc.assert(
      fc.property(ratingsArb(), fc.integer({ min: 2, max: 6 }), fc.nat(), (r, k, seed) => {
        const sizes = kfoldSplit(r, k, seed).map((f) => f.test.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('given the same seed twice, when splitting, then the folds are identical', () => {
    fc.assert(
      fc.property(ratingsArb(), fc.integer({ min: 2, max: 6 }), fc.nat(), (r, k, seed) => {
        expect(kfoldSplit(r, k, seed)).toEqual(kfoldSplit(r, k, seed));
      }),
    );
  });

  it('given two different seeds and enough ratings, when splitting, then the folds differ', () => {
    // With 40+ ratings two seeds agree on every rating's fold with probability < 1e-11.
    fc.assert(
      fc.property(
        ratingsArb(40, 80),
        fc.integer({ min: 2, max: 6 }),
        fc.nat(),
        fc.nat(),
        (r, k, a, b) => {
          fc.pre(a !== b);
          const testKeys = (seed: number) => kfoldSplit(r, k, seed).map((f) => keysOf(f.test));
          expect(testKeys(a)).not.toEqual(testKeys(b));
        },
      ),
    );
  });
});

describe('temporalSplit', () => {
  // f = 0.2. User 1 has 6 ratings: max(1, floor(1.2)) = 1 held out, and the latest
  // timestamp 300 is shared by movies 2 and 4, so the higher movie id (4) is the latest.
  // User 2 has 4 ratings and stays in training. User 3 has 10: floor(2) = 2 held out,
  // its latest being movies 1 and 2. User 4 has 5 with f = 0.2: exactly 1 held out.
  const example: Row[] = [
    [3, 5, 3, 600],
    [1, 1, 4, 100],
    [1, 2, 3, 300],
    [2, 1, 5, 999],
    [3, 1, 5, 1000],
    [1, 3, 2, 200],
    [3, 2, 4, 900],
    [1, 4, 5, 300],
    [2, 2, 1, 998],
    [3, 3, 1, 800],
    [1, 5, 1, 50],
    [3, 4, 2, 700],
    [1, 6, 3, 10],
    [2, 3, 2, 997],
    [3, 6, 4, 500],
    [3, 7, 5, 400],
    [2, 4, 3, 996],
    [3, 8, 1, 300],
    [3, 9, 2, 200],
    [3, 10, 3, 100],
    [4, 1, 1, 10],
    [4, 2, 2, 50],
    [4, 3, 3, 40],
    [4, 4, 4, 30],
    [4, 5, 5, 20],
  ];

  it('given a hand-built set, when splitting at 0.2, then each user with 5+ ratings holds out their latest max(1, floor(0.2 n))', () => {
    const fold = temporalSplit(columnsOf(example), 0.2);
    expect(fold.name).toBe('temporal-0.2');
    expect(sorted(rowsOf(fold.test).map(keyOf))).toEqual(sorted(['1:4', '3:1', '3:2', '4:2']));
  });

  it('given a hand-built set, when splitting, then a user with fewer than 5 ratings stays wholly in training', () => {
    const fold = temporalSplit(columnsOf(example), 0.2);
    const user2 = rowsOf(fold.train).filter((r) => r[0] === 2);
    expect(user2).toHaveLength(4);
    expect(rowsOf(fold.test).some((r) => r[0] === 2)).toBe(false);
  });

  it('given a hand-built set, when splitting, then training and test together are every rating with its values', () => {
    const fold = temporalSplit(columnsOf(example), 0.2);
    const all = [...rowsOf(fold.train), ...rowsOf(fold.test)].map((r) => JSON.stringify(r));
    expect(sorted(all)).toEqual(sorted(example.map((r) => JSON.stringify(r))));
  });

  /** Brute force: per user, sort by (timestamp, movie id) and take the last ones. */
  function expectedTestKeys(r: RatingColumns, fraction: number): string[] {
    const byUser = new Map<number, Row[]>();
    for (const row of rowsOf(r)) byUser.set(row[0], [...(byUser.get(row[0]) ?? []), row]);
    const out: string[] = [];
    for (const list of byUser.values()) {
      const n = list.length;
      if (n < 5) continue;
      const held = Math.max(1, Math.floor(fraction * n));
      list.sort((a, b) => a[3] - b[3] || a[1] - b[1]);
      out.push(...list.slice(n - held).map(keyOf));
    }
    return out;
  }

  it('given random ratings and a fraction, when splitting, then the test set is each eligible user latest max(1, floor(f n)) ratings', () => {
    fc.assert(
      fc.property(ratingsArb(), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (r, fraction) => {
        const fold = temporalSplit(r, fraction);
        expect(sorted(keysOf(fold.test))).toEqual(sorted(expectedTestKeys(r, fraction)));
        expect(sorted([...keysOf(fold.train), ...keysOf(fold.test)])).toEqual(sorted(keysOf(r)));
      }),
    );
  });
});

describe('makeFolds', () => {
  const tinyMl100k = fixture('ml-100k-tiny');

  it('given an official split on an ml-latest data set, when making folds, then fails naming the split and the data set', async () => {
    const dataset = await loadDataset(fixture('ml-latest-tiny'));
    await expect(makeFolds(dataset, parseSplit('u1'))).rejects.toThrow(
      'the official splits u1 exist only for ml-100k, not ml-latest-tiny',
    );
  });

  it('given the tiny ml-100k fixture, when checking its files, then it has the u1 split', () => {
    expect(existsSync(join(tinyMl100k, 'u1.base'))).toBe(true);
    expect(existsSync(join(tinyMl100k, 'u1.test'))).toBe(true);
  });

  it('given the tiny ml-100k fixture and split u1, when making folds, then u1.base is the training set and u1.test the test set', async () => {
    const dataset = await loadDataset(tinyMl100k);
    const folds = await makeFolds(dataset, parseSplit('u1'));
    expect(folds).toHaveLength(1);
    expect(folds[0].name).toBe('u1');
    expect(rows(folds[0].train)).toEqual([
      [1, 1, 5, 874965758],
      [1, 543, 4, 875071561],
      [2, 1, 3, 888550871],
      [2, 1412, 1, 888551011],
    ]);
    expect(rows(folds[0].test)).toEqual([
      [3, 267, 2, 889237455],
      [3, 543, 5, 889237269],
    ]);
  });

  it('given the tiny ml-100k fixture and a split whose files are absent, when making folds, then fails naming the missing file', async () => {
    const dataset = await loadDataset(tinyMl100k);
    await expect(makeFolds(dataset, parseSplit('u2'))).rejects.toThrow('u2.base');
  });

  it('given a k-fold spec, when making folds, then splits the data set ratings with its seed', async () => {
    const dataset = await loadDataset(tinyMl100k);
    const folds = await makeFolds(dataset, parseSplit('kfold:3', 9));
    expect(folds).toEqual(kfoldSplit(dataset.ratings, 3, 9));
  });

  it('given a temporal spec, when making folds, then returns the one temporal fold of the data set ratings', async () => {
    const dataset = await loadDataset('ml-latest-small');
    const folds = await makeFolds(dataset, parseSplit('temporal:0.2'));
    expect(folds).toEqual([temporalSplit(dataset.ratings, 0.2)]);
  });
});

describe('makeFolds with nothing to test', () => {
  it('given a data set where no user has 5 ratings, when splitting temporally, then it fails naming the empty fold', async () => {
    const dataset = await loadDataset(fixture('ml-100k-tiny'));
    await expect(makeFolds(dataset, parseSplit('temporal:0.2'))).rejects.toThrow(
      /fold temporal-0\.2 of ml-100k-tiny has no test ratings/,
    );
  });
});
