import { describe, expect, it } from 'vitest';
import { emptyNeighbourLists, type NeighbourLists } from '../../src/engine/neighbours.ts';
import {
  itemBasedScores,
  listSum,
  type RankingWeight,
  userBasedScores,
  weightOf,
} from '../../src/engine/ranking.ts';
import { matrixOf } from './helpers.ts';

/*
 *        i0 i1 i2
 *   u0:   4  .  2     mean 3
 *   u1:   .  5  3     mean 4
 *   u2:   1  2  .     mean 1.5
 */
const m = matrixOf([
  [4, null, 2],
  [null, 5, 3],
  [1, 2, null],
]);
const userMeans = Float64Array.from([3, 4, 1.5]);

function lists(rows: ReadonlyArray<ReadonlyArray<readonly [number, number]>>): NeighbourLists {
  const k = Math.max(...rows.map((r) => r.length));
  const out = emptyNeighbourLists(rows.length, k);
  rows.forEach((r, a) => {
    r.forEach(([b, sim], t) => {
      out.idx[a * k + t] = b;
      out.sim[a * k + t] = sim;
      out.support[a * k + t] = 1;
    });
    out.length[a] = r.length;
  });
  return out;
}

// i0 -> (i1 0.5, i2 0.25); i1 -> (i0 0.5); i2 -> (i0 0.25, i1 0.125)
const itemLists = lists([
  [
    [1, 0.5],
    [2, 0.25],
  ],
  [[0, 0.5]],
  [
    [0, 0.25],
    [1, 0.125],
  ],
]);
// u0 -> (u1 0.5, u2 0.25); u1 -> (u0 0.5); u2 -> ()
const userLists = lists([
  [
    [1, 0.5],
    [2, 0.25],
  ],
  [[0, 0.5]],
  [],
]);

function itemScores(
  weight: RankingWeight,
  u = 0,
  normalise = false,
  within = itemLists,
  power = 1,
): number[] {
  const out = new Float64Array(3);
  itemBasedScores(m, within, u, weight, userMeans[u], normalise, power, out);
  return Array.from(out);
}

function userScores(weight: RankingWeight, u = 0, normalise = false, power = 1): number[] {
  const out = new Float64Array(3);
  userBasedScores(m, userLists, u, weight, (v) => userMeans[v], normalise, power, out);
  return Array.from(out);
}

describe('weightOf', () => {
  it('given each kind, when weighting a rating of 4 by a rater with mean 3, then returns 1, 4 and 1', () => {
    expect(weightOf('one', 4, 3)).toBe(1);
    expect(weightOf('rating', 4, 3)).toBe(4);
    expect(weightOf('centred', 4, 3)).toBe(1);
  });

  it('given damped, when weighting a rating of 4 against a damped centre of 3.5, then returns 0.5', () => {
    expect(weightOf('damped', 4, 3.5)).toBe(0.5);
  });
});

describe('itemBasedScores', () => {
  it('given rating weights, when scoring u0 (i0 = 4, i2 = 2), then score(j) = sum over rated i of s_ij * r_ui', () => {
    // i0 spreads 0.5*4 to i1 and 0.25*4 to i2; i2 spreads 0.25*2 to i0 and 0.125*2 to i1
    expect(itemScores('rating')).toEqual([0.5, 2.25, 1]);
  });

  it('given unit weights, when scoring u0, then score(j) = sum of s_ij over the rated items whose list holds j', () => {
    expect(itemScores('one')).toEqual([0.25, 0.625, 0.25]);
  });

  it('given centred weights, when scoring u0 (mean 3), then a disliked movie pushes its neighbours down', () => {
    // w(4) = 1, w(2) = -1
    expect(itemScores('centred')).toEqual([-0.25, 0.375, 0.25]);
  });

  it('given an out array that already holds scores, when scoring, then adds to them', () => {
    const out = Float64Array.from([1, 1, 1]);
    itemBasedScores(m, itemLists, 0, 'rating', 3, false, 1, out);
    expect(Array.from(out)).toEqual([1.5, 3.25, 2]);
  });

  it('given power 2, when scoring u0 (i0 = 4, i2 = 2), then each rated movie spreads s_ij^2 * r_ui', () => {
    // i0 spreads 0.25*4 to i1 and 0.0625*4 to i2; i2 spreads 0.0625*2 to i0 and 0.015625*2 to i1
    expect(itemScores('rating', 0, false, itemLists, 2)).toEqual([0.125, 1.03125, 0.25]);
  });

  it('given normalised lists, when scoring u0, then each rated movie spreads s_ij / S_i with S_i its list sum (i0 0.75, i2 0.375)', () => {
    const got = itemScores('rating', 0, true);
    const expected = [
      (0.25 * 2) / 0.375,
      (0.5 * 4) / 0.75 + (0.125 * 2) / 0.375,
      (0.25 * 4) / 0.75,
    ];
    got.forEach((x, j) => {
      expect(x).toBeCloseTo(expected[j], 12);
    });
  });

  it('given normalised lists and a rated movie with an empty list, when scoring, then that movie spreads nothing and no score is NaN', () => {
    // i1's list is empty; u1 rated i1 = 5 and i2 = 3
    const withEmpty = lists([
      [
        [1, 0.5],
        [2, 0.25],
      ],
      [],
      [
        [0, 0.25],
        [1, 0.125],
      ],
    ]);
    const got = itemScores('rating', 1, true, withEmpty);
    expect(got[0]).toBeCloseTo((0.25 * 3) / 0.375, 12);
    expect(got[1]).toBeCloseTo((0.125 * 3) / 0.375, 12);
    expect(got[2]).toBe(0);
  });
});

describe('listSum', () => {
  it('given hand lists, when summing, then returns the sum of each list and 0 for an empty one', () => {
    expect(listSum(itemLists, 0)).toBe(0.75);
    expect(listSum(itemLists, 2)).toBe(0.375);
    expect(listSum(userLists, 2)).toBe(0);
  });
});

describe('userBasedScores', () => {
  it('given rating weights, when scoring u0, then score(j) = sum over neighbours v who rated j of s_uv * r_vj', () => {
    // u1 (0.5) rated i1 = 5, i2 = 3; u2 (0.25) rated i0 = 1, i1 = 2
    expect(userScores('rating')).toEqual([0.25, 3, 1.5]);
  });

  it('given unit weights, when scoring u0, then score(j) = sum of s_uv over the neighbours who rated j', () => {
    expect(userScores('one')).toEqual([0.25, 0.75, 0.5]);
  });

  it('given centred weights, when scoring u0, then each neighbour rating is centred on that neighbour mean', () => {
    // u1 mean 4: w(5) = 1, w(3) = -1; u2 mean 1.5: w(1) = -0.5, w(2) = 0.5
    expect(userScores('centred')).toEqual([-0.125, 0.625, -0.5]);
  });

  it('given a user with an empty neighbour list, when scoring, then every score stays 0', () => {
    expect(userScores('rating', 2)).toEqual([0, 0, 0]);
    expect(userScores('rating', 2, true)).toEqual([0, 0, 0]);
  });

  it('given power 2, when scoring u0, then each neighbour counts s_uv^2, and a normalised list divides by the sum of the squares', () => {
    // u1 (0.5^2 = 0.25) rated i1 = 5, i2 = 3; u2 (0.25^2 = 0.0625) rated i0 = 1, i1 = 2
    expect(userScores('rating', 0, false, 2)).toEqual([0.0625, 1.375, 0.75]);
    const got = userScores('rating', 0, true, 2);
    [0.0625, 1.375, 0.75].forEach((x, j) => {
      expect(got[j]).toBeCloseTo(x / 0.3125, 12);
    });
  });

  it('given a normalised list, when scoring u0, then every contribution is divided by the list sum 0.75', () => {
    const got = userScores('rating', 0, true);
    [0.25, 3, 1.5].forEach((x, j) => {
      expect(got[j]).toBeCloseTo(x / 0.75, 12);
    });
  });
});
