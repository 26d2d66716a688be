import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { centreOf } from '../../src/engine/algorithms/knn-sides.ts';
import { findInRow } from '../../src/engine/matrix.ts';
import {
  defaultModelConfig,
  fitModel,
  type Model,
  type ModelConfig,
} from '../../src/engine/model.ts';
import { requireSide } from '../../src/engine/predict.ts';
import { itemBasedScores, userBasedScores } from '../../src/engine/ranking.ts';
import { explain, explainAll, recommendForUser } from '../../src/engine/recommend.ts';
import { type Grid, matrixOf, matrixOfTriples, shuffledTriplesArb } from './helpers.ts';

/*
 *        i0 i1 i2 i3 i4
 *   u0:   5  4  1  .  .
 *   u1:   4  5  .  2  .
 *   u2:   .  2  5  4  4
 *   u3:   .  .  4  5  5
 *   u4:   3  .  .  .  2
 *   u5:   5  5  .  .  .
 *
 * Popularity: i0 and i1 have 4 ratings (sums 17 and 16), i2, i3 and i4 have 3 (sums 10,
 * 11 and 11), so the order is i0, i1, i3, i4 (tied with i3, lower index first), i2.
 */
const grid: Grid = [
  [5, 4, 1, null, null],
  [4, 5, null, 2, null],
  [null, 2, 5, 4, 4],
  [null, null, 4, 5, 5],
  [3, null, null, null, 2],
  [5, 5, null, null, null],
];

/** The grid plus a new user u6 whose only rating is i2 = 5. */
const withNewcomer: Grid = [...grid, [null, null, 5, null, null]];

// Pinned rather than taken from the defaults, which are tuned over time: vector-cosine
// lists, rating weights for items (alone and in the hybrid), unit weights for users, each
// similarity to the power 1, no list normalisation.
const config: ModelConfig = {
  ...defaultModelConfig,
  item: {
    ...defaultModelConfig.item,
    rankSimilarity: { metric: 'vector-cosine', shrinkage: 0, minSupport: 1 },
    listSize: 50,
    rankWeight: 'rating',
    rankNormalise: false,
    rankPower: 1,
    blendRankWeight: 'rating',
  },
  user: {
    ...defaultModelConfig.user,
    rankSimilarity: { metric: 'vector-cosine', shrinkage: 0, minSupport: 1 },
    listSize: 50,
    rankWeight: 'one',
    rankNormalise: false,
    rankPower: 1,
    blendRankWeight: 'one',
  },
};

/** The same with rating weights on both sides and both sides' lists normalised. */
const normalisedConfig: ModelConfig = {
  ...config,
  item: { ...config.item, rankNormalise: true },
  user: { ...config.user, rankWeight: 'rating', blendRankWeight: 'rating', rankNormalise: true },
};
const model = fitModel(matrixOf(grid), config);

function items(recs: ReadonlyArray<{ item: number }>): number[] {
  return recs.map((r) => r.item);
}

function ratedBy(m: Model, u: number): number[] {
  const { byUser } = m.matrix;
  return Array.from(byUser.colIdx.subarray(byUser.rowPtr[u], byUser.rowEnd[u]));
}

describe('recommendForUser', () => {
  it('given a new user (-1), when recommending, then returns the most popular movies flagged as popularity, scored by count', () => {
    const recs = recommendForUser(model, -1, { strategy: 'hybrid', n: 3 });
    expect(recs).toEqual([
      { item: 0, score: 4, source: 'popularity' },
      { item: 1, score: 4, source: 'popularity' },
      { item: 3, score: 3, source: 'popularity' },
    ]);
  });

  it('given a new user and an allowed filter, when recommending, then only allowed popular movies come back', () => {
    const allowed = Uint8Array.from([0, 1, 1, 0, 1]);
    const recs = recommendForUser(model, -1, { strategy: 'item', n: 3, allowed });
    expect(items(recs)).toEqual([1, 4, 2]);
  });

  it('given the new user rated one movie, when the model is rebuilt and asked again, then the list comes from that movie neighbours', () => {
    const before = recommendForUser(model, -1, { strategy: 'item', n: 3 });
    const rebuilt = fitModel(matrixOf(withNewcomer), config);
    const after = recommendForUser(rebuilt, 6, { strategy: 'item', n: 3 });
    // vector-cosine to i2 (|i2|^2 = 67): i3 and i4 40/sqrt(67*45), i1 14/sqrt(67*70), i0 5/sqrt(67*75)
    expect(items(after)).toEqual([3, 4, 1]);
    expect(after.every((r) => r.source === 'neighbours')).toBe(true);
    expect(after[0].score).toBeCloseTo((40 / Math.sqrt(67 * 45)) * 5, 5);
    expect(items(after)).not.toEqual(items(before));
  });

  it('given normalised item lists, when the newcomer asks, then each score is divided by the sum of i2 list', () => {
    const rebuilt = fitModel(matrixOf(withNewcomer), normalisedConfig);
    const s23 = 40 / Math.sqrt(67 * 45);
    const listSumOfI2 = 2 * s23 + 14 / Math.sqrt(67 * 70) + 5 / Math.sqrt(67 * 75);
    const recs = recommendForUser(rebuilt, 6, { strategy: 'item', n: 3 });
    expect(items(recs)).toEqual([3, 4, 1]);
    expect(recs[0].score).toBeCloseTo((s23 * 5) / listSumOfI2, 5);
  });

  it('given two movies with exactly equal scores, when recommending, then the lower index comes first', () => {
    const rebuilt = fitModel(matrixOf(withNewcomer), config);
    const [first, second] = recommendForUser(rebuilt, 6, { strategy: 'item', n: 2 });
    expect(first.score).toBe(second.score);
    expect([first.item, second.item]).toEqual([3, 4]);
  });

  it.each(['item', 'user', 'hybrid'] as const)(
    'given a known user and the %s strategy, when recommending, then no movie the user rated comes back',
    (strategy) => {
      for (let u = 0; u < model.matrix.nUsers; u++) {
        const recs = recommendForUser(model, u, { strategy, n: 5 });
        const rated = ratedBy(model, u);
        for (const r of recs) expect(rated).not.toContain(r.item);
        expect(recs.length).toBe(5 - rated.length);
      }
    },
  );

  it('given excludeRated false, when recommending for u0, then movies u0 rated may come back', () => {
    const recs = recommendForUser(model, 0, { strategy: 'item', n: 5, excludeRated: false });
    expect(recs.length).toBe(5);
    expect(items(recs).some((i) => ratedBy(model, 0).includes(i))).toBe(true);
  });

  it('given an allowed filter, when recommending for a known user, then only allowed unrated movies come back', () => {
    const allowed = Uint8Array.from([1, 0, 0, 0, 1]);
    const recs = recommendForUser(model, 0, { strategy: 'item', n: 5, allowed });
    expect(items(recs)).toEqual([4]);
  });

  it('given neighbours that cover fewer than n movies, when recommending, then the rest is filled with popular movies', () => {
    // Two disconnected blocks: u0 rated only i0, whose only neighbour is i1. Popularity:
    // i0 (2 ratings), i3 (2, sum 7), i2 (2, sum 5), i1 (1).
    const split = fitModel(
      matrixOf([
        [5, null, null, null],
        [4, 4, null, null],
        [null, null, 3, 3],
        [null, null, 2, 4],
      ]),
      config,
    );
    const recs = recommendForUser(split, 0, { strategy: 'item', n: 3 });
    expect(recs.map((r) => [r.item, r.source])).toEqual([
      [1, 'neighbours'],
      [3, 'popularity'],
      [2, 'popularity'],
    ]);
  });

  it('given the same model twice, when recommending, then the lists are identical', () => {
    for (let u = -1; u < model.matrix.nUsers; u++) {
      for (const strategy of ['item', 'user', 'hybrid', 'baseline', 'popularity'] as const) {
        expect(recommendForUser(model, u, { strategy, n: 4 })).toEqual(
          recommendForUser(model, u, { strategy, n: 4 }),
        );
      }
    }
  });

  it('given the same ratings in any input order, when recommending, then every list is identical', () => {
    fc.assert(
      fc.property(shuffledTriplesArb(grid), (triples) => {
        const shuffled = fitModel(matrixOfTriples(triples), config);
        for (let u = 0; u < grid.length; u++) {
          for (const strategy of ['item', 'user', 'hybrid'] as const) {
            expect(recommendForUser(shuffled, u, { strategy, n: 4 })).toEqual(
              recommendForUser(model, u, { strategy, n: 4 }),
            );
          }
        }
      }),
      { numRuns: 20 },
    );
  });

  it('given the hybrid with itemShare 1, when recommending, then the order is the item-based order', () => {
    const itemOnly = fitModel(matrixOf(grid), {
      ...config,
      hybrid: { ...config.hybrid, itemShare: 1 },
    });
    for (let u = 0; u < grid.length; u++) {
      expect(items(recommendForUser(itemOnly, u, { strategy: 'hybrid', n: 3 }))).toEqual(
        items(recommendForUser(itemOnly, u, { strategy: 'item', n: 3 })),
      );
    }
  });

  it('given the baseline strategy, when recommending, then movies are ranked by b_ui and flagged as baseline', () => {
    const recs = recommendForUser(model, 0, { strategy: 'baseline', n: 2 });
    const { mu, userBias, itemBias } = model.baseline;
    const expected = [3, 4]
      .map((i) => ({ item: i, score: mu + userBias[0] + itemBias[i], source: 'baseline' }))
      .sort((a, b) => b.score - a.score || a.item - b.item);
    expect(recs).toEqual(expected);
  });
});

describe('explain', () => {
  it('given the newcomer who rated only i2, when explaining i3 item-based, then the reason is i2 with weight s(i2,i3) * 5', () => {
    const rebuilt = fitModel(matrixOf(withNewcomer), config);
    const reasons = explain(rebuilt, 6, 3, 'item', 10);
    expect(reasons).toHaveLength(1);
    expect(reasons[0].kind).toBe('item');
    expect(reasons[0].index).toBe(2);
    expect(reasons[0].weight).toBeCloseTo((40 / Math.sqrt(67 * 45)) * 5, 5);
  });

  it('given the newcomer, when explaining i3 user-based, then the reasons are the neighbours who rated i3, largest first', () => {
    const rebuilt = fitModel(matrixOf(withNewcomer), config);
    const reasons = explain(rebuilt, 6, 3, 'user', 10);
    // vector-cosine of u6 (i2 = 5): u2 25/(5*sqrt 61), u3 20/(5*sqrt 66); u1 shares nothing with u6
    expect(reasons.map((r) => [r.kind, r.index])).toEqual([
      ['user', 2],
      ['user', 3],
    ]);
    expect(reasons[0].weight).toBeCloseTo(5 / Math.sqrt(61), 6);
    expect(reasons[1].weight).toBeCloseTo(4 / Math.sqrt(66), 6);
  });

  it('given a new user (-1), when explaining, then there are no reasons', () => {
    expect(explain(model, -1, 0, 'hybrid', 10)).toEqual([]);
  });

  it('given max, when explaining, then at most max reasons come back', () => {
    const rebuilt = fitModel(matrixOf(withNewcomer), config);
    expect(explain(rebuilt, 6, 3, 'user', 1)).toHaveLength(1);
  });

  for (const [label, cfg] of [
    ['plain', config],
    ['normalised', normalisedConfig],
  ] as const) {
    for (const strategy of ['item', 'user'] as const) {
      it(`given every recommendation of every user with the ${strategy} strategy and ${label} lists, when explaining it, then the weights sum to its score`, () => {
        const fitted = fitModel(matrixOf(grid), cfg);
        const side = requireSide(fitted, strategy);
        let checked = 0;
        for (let u = 0; u < fitted.matrix.nUsers; u++) {
          const scores = new Float64Array(fitted.matrix.nItems);
          const { rankWeight, rankNormalise } = side.config;
          if (strategy === 'item') {
            itemBasedScores(
              fitted.matrix,
              side.lists,
              u,
              rankWeight,
              fitted.userMeans[u],
              rankNormalise,
              side.config.rankPower,
              scores,
            );
          } else {
            userBasedScores(
              fitted.matrix,
              side.lists,
              u,
              rankWeight,
              (v) => fitted.userMeans[v],
              rankNormalise,
              side.config.rankPower,
              scores,
            );
          }
          const recs = recommendForUser(fitted, u, { strategy, n: 5 }).filter(
            (rec) => rec.source === 'neighbours',
          );
          // a whole list explained at once, as the service does
          const explained = explainAll(
            fitted,
            u,
            recs.map((rec) => rec.item),
            strategy,
            100,
          );
          for (const [k, rec] of recs.entries()) {
            const reasons = explained[k];
            const total = reasons.reduce((sum, r) => sum + r.weight, 0);
            expect(total).toBeCloseTo(rec.score, 9);
            expect(total).toBeCloseTo(scores[rec.item], 9);
            for (const r of reasons) {
              expect(r.kind).toBe(strategy);
              if (strategy === 'item') {
                // a movie u rated, whose neighbour list holds the recommendation
                expect(findInRow(fitted.matrix.byUser, u, r.index)).toBeGreaterThanOrEqual(0);
              } else {
                // a neighbour of u who rated the recommendation
                expect(findInRow(fitted.matrix.byUser, r.index, rec.item)).toBeGreaterThanOrEqual(
                  0,
                );
              }
            }
            checked++;
          }
        }
        expect(checked).toBeGreaterThan(0);
      });
    }
  }

  it('given the default blend and a newcomer whose one rating is a 5, when explaining its hybrid recommendations, then that rated movie is among the reasons', () => {
    // centred on the user's own mean, a lone rating would weigh nothing; damped, it does
    const rebuilt = fitModel(matrixOf(withNewcomer), defaultModelConfig);
    expect(rebuilt.config.item.blendRankWeight).toBe('damped');
    const recs = recommendForUser(rebuilt, 6, { strategy: 'hybrid', n: 4 });
    const reasons = explainAll(
      rebuilt,
      6,
      recs.map((r) => r.item),
      'hybrid',
      10,
    ).flat();
    expect(reasons).toContainEqual(expect.objectContaining({ kind: 'item', index: 2 }));
    // its centre: one 5 and five of the scale's middle, (0.5 + 5) / 2
    expect(centreOf(rebuilt, 'damped', 6)).toBeCloseTo((5 + 5 * 2.75) / 6, 12);
  });

  it('given the hybrid strategy, when explaining, then item and user reasons both appear, largest first', () => {
    const rebuilt = fitModel(matrixOf(withNewcomer), config);
    const reasons = explain(rebuilt, 6, 3, 'hybrid', 10);
    expect(reasons.map((r) => r.kind).sort()).toEqual(['item', 'user', 'user']);
    for (let t = 1; t < reasons.length; t++) {
      expect(reasons[t].weight).toBeLessThanOrEqual(reasons[t - 1].weight);
    }
  });
});
