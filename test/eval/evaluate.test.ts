import { describe, expect, it } from 'vitest';
import { defaultModelConfig } from '../../src/engine/model.ts';
import type { Scale } from '../../src/engine/scale.ts';
import {
  averageResults,
  configFor,
  type EvalOptions,
  evaluateFold,
  type FoldResult,
} from '../../src/eval/evaluate.ts';
import type { Fold } from '../../src/eval/splits.ts';
import { columnsOf, type Row } from './helpers.ts';

const scale: Scale = { min: 1, max: 5 };

// Training: movie 10 is rated by all three users, 20 and 30 by two, 40 by one.
// mu = (5 + 3 + 4 + 4 + 2 + 3 + 5 + 1) / 8 = 27 / 8.
const train: Row[] = [
  [1, 10, 5, 1],
  [1, 20, 3, 2],
  [1, 30, 4, 3],
  [2, 10, 4, 4],
  [2, 20, 2, 5],
  [3, 10, 3, 6],
  [3, 30, 5, 7],
  [3, 40, 1, 8],
];
// Test: users 1 and 3 have nothing relevant (>= 4); user 2 has three relevant movies,
// one of them (50) unknown to training; user 4 is unknown to training.
const test: Row[] = [
  [1, 40, 2, 9],
  [2, 30, 4, 10],
  [2, 40, 5, 11],
  [2, 50, 4, 12],
  [3, 20, 2, 13],
  [4, 30, 5, 14],
];
const fold: Fold = { name: 'hand', train: columnsOf(train), test: columnsOf(test) };

const mu = 27 / 8;

function rmseOf(predicted: ReadonlyArray<number>, actual: ReadonlyArray<number>): number {
  const se = predicted.reduce((s, p, t) => s + (p - actual[t]) ** 2, 0);
  return Math.sqrt(se / predicted.length);
}

function maeOf(predicted: ReadonlyArray<number>, actual: ReadonlyArray<number>): number {
  return predicted.reduce((s, p, t) => s + Math.abs(p - actual[t]), 0) / predicted.length;
}

const actual = test.map((r) => r[2]);

/**
 * Koren's damped baseline straight from the doc comment of baseline.ts, on raw ids:
 * 10 alternating epochs of `b_i = sum (r - mu - b_u) / (10 + |U_i|)` then
 * `b_u = sum (r - mu - b_i) / (15 + |I_u|)`.
 */
function referenceBaseline(rows: ReadonlyArray<Row>) {
  const m = rows.reduce((s, r) => s + r[2], 0) / rows.length;
  const bu = new Map<number, number>();
  const bi = new Map<number, number>();
  for (const r of rows) {
    bu.set(r[0], 0);
    bi.set(r[1], 0);
  }
  for (let epoch = 0; epoch < 10; epoch++) {
    for (const i of bi.keys()) {
      const mine = rows.filter((r) => r[1] === i);
      const s = mine.reduce((acc, r) => acc + r[2] - m - (bu.get(r[0]) ?? 0), 0);
      bi.set(i, s / (10 + mine.length));
    }
    for (const u of bu.keys()) {
      const mine = rows.filter((r) => r[0] === u);
      const s = mine.reduce((acc, r) => acc + r[2] - m - (bi.get(r[1]) ?? 0), 0);
      bu.set(u, s / (15 + mine.length));
    }
  }
  return (u: number, i: number) => m + (bu.get(u) ?? 0) + (bi.get(i) ?? 0);
}

function foldResult(name: string, metrics: Partial<FoldResult>): FoldResult {
  return {
    name,
    testRatings: 10,
    rankedUsers: 3,
    rmse: 0,
    mae: 0,
    neighbourShare: 0,
    precisionAt10: 0,
    recallAt10: 0,
    ndcgAt10: 0,
    mapAt10: 0,
    coverage: 0,
    precisionAt: [],
    recallAt: [],
    fitSeconds: 0,
    predictSeconds: 0,
    ...metrics,
  };
}

describe('evaluateFold: rating accuracy', () => {
  it('given popularity, when evaluating a hand-built fold, then RMSE and MAE are those of the damped item means (sum + 5 mu) / (n + 5)', () => {
    const damped = (sum: number, n: number) => (sum + 5 * mu) / (n + 5);
    const predicted = [
      damped(1, 1), // 40
      damped(9, 2), // 30
      damped(1, 1), // 40
      mu, // 50 is unknown to training
      damped(5, 2), // 20
      damped(9, 2), // 30
    ];
    const r = evaluateFold(fold, { algorithm: 'popularity' }, scale);
    expect(r.name).toBe('hand');
    expect(r.testRatings).toBe(6);
    expect(r.rmse).toBeCloseTo(rmseOf(predicted, actual), 10);
    expect(r.mae).toBeCloseTo(maeOf(predicted, actual), 10);
  });

  it('given baseline, when evaluating a hand-built fold, then RMSE and MAE are those of mu + b_u + b_i with unknown ids contributing no bias', () => {
    const b = referenceBaseline(train);
    const predicted = test.map((r) => Math.max(1, Math.min(5, b(r[0], r[1]))));
    const r = evaluateFold(fold, { algorithm: 'baseline' }, scale);
    expect(r.rmse).toBeCloseTo(rmseOf(predicted, actual), 6);
    expect(r.mae).toBeCloseTo(maeOf(predicted, actual), 6);
  });

  it('given predictions outside the scale, when evaluating, then they are clipped before the errors are taken', () => {
    // Every rating is 5, so every damped mean is 5; on the scale 1..2 the prediction is 2.
    const allFives: Fold = {
      name: 'fives',
      train: columnsOf([
        [1, 1, 5, 1],
        [2, 1, 5, 2],
      ]),
      test: columnsOf([[3, 1, 2, 3]]),
    };
    const r = evaluateFold(allFives, { algorithm: 'popularity' }, { min: 1, max: 2 });
    expect(r.rmse).toBe(0);
    expect(r.mae).toBe(0);
  });

  it.each<EvalOptions['algorithm']>(['popularity', 'baseline'])(
    'given %s, when evaluating, then no prediction comes from neighbours',
    (algorithm) => {
      expect(evaluateFold(fold, { algorithm }, scale).neighbourShare).toBe(0);
    },
  );

  it('given item-knn, when evaluating, then some predictions come from neighbours but none for an unknown user or movie', () => {
    const r = evaluateFold(fold, { algorithm: 'item-knn' }, scale);
    expect(r.neighbourShare).toBeGreaterThan(0);
    // (2, 50) and (4, 30) involve ids training never saw: at most 4 of the 6 can be kNN
    expect(r.neighbourShare).toBeLessThanOrEqual(4 / 6);
  });
});

describe('evaluateFold: top-N quality', () => {
  // Popularity order (count, then damped mean): 10, 30, 20, 40. With top-2 lists of
  // unrated movies: user 2 (rated 10, 20) gets [30, 40], both relevant out of {30, 40, 50};
  // user 4 (unknown) gets [10, 30], relevant {30} found at rank 2.
  const r = evaluateFold(fold, { algorithm: 'popularity', topN: 2 }, scale);

  it('given test users without a relevant rating, when ranking, then they are left out of the ranked users', () => {
    expect(r.rankedUsers).toBe(2);
  });

  it('given a lower relevance threshold, when ranking, then users whose ratings now count are ranked too', () => {
    const lenient = evaluateFold(
      fold,
      { algorithm: 'popularity', topN: 2, relevantFrom: 2 },
      scale,
    );
    expect(lenient.rankedUsers).toBe(4);
  });

  it('given popularity lists, when scoring, then precision, recall, nDCG and MAP are the means over the ranked users', () => {
    expect(r.precisionAt10).toBeCloseTo((2 / 2 + 1 / 2) / 2, 12);
    expect(r.recallAt10).toBeCloseTo((2 / 3 + 1 / 1) / 2, 12);
    expect(r.ndcgAt10).toBeCloseTo((1 + 1 / Math.log2(3)) / 2, 12);
    // AP: user 2 (1/1 + 2/2) / 2 = 1; user 4 (1/2) / min(2, 1) = 1/2
    expect(r.mapAt10).toBeCloseTo((1 + 1 / 2) / 2, 12);
  });

  it('given popularity lists, when measuring coverage, then it is distinct recommended movies over training movies', () => {
    // recommended {30, 40} and {10, 30}: 3 distinct of the 4 training movies
    expect(r.coverage).toBeCloseTo(3 / 4, 12);
  });

  it('given no test user with a relevant rating, when ranking, then the top-N metrics are 0 rather than NaN', () => {
    const none = evaluateFold(
      { ...fold, test: columnsOf(test.filter((row) => row[2] < 4)) },
      { algorithm: 'popularity' },
      scale,
    );
    expect(none.rankedUsers).toBe(0);
    expect([none.precisionAt10, none.recallAt10, none.ndcgAt10, none.mapAt10]).toEqual([
      0, 0, 0, 0,
    ]);
    expect(none.coverage).toBe(0);
  });
});

describe('evaluateFold: precision and recall at cutoffs', () => {
  // Top-2 lists as above, ranked on to 4: user 2 has only [30, 40] left to recommend;
  // unknown user 4 gets the popularity order [10, 30, 20, 40], relevant {30}.
  const r = evaluateFold(fold, { algorithm: 'popularity', topN: 2, maxCutoff: 4 }, scale);

  it('given lists ranked to cutoff 4, when scoring, then precision@c is the mean over users of hits in the first c / c', () => {
    // user 2: 1, 1, 2/3, 2/4; user 4: 0, 1/2, 1/3, 1/4
    const want = [1 / 2, 3 / 4, 1 / 2, 3 / 8];
    expect(r.precisionAt).toHaveLength(4);
    for (let c = 0; c < 4; c++) {
      expect(r.precisionAt[c], `precision@${c + 1}`).toBeCloseTo(want[c], 12);
    }
  });

  it('given lists ranked to cutoff 4, when scoring, then recall@c is the mean over users of hits in the first c / relevant', () => {
    // user 2 (3 relevant): 1/3, 2/3, 2/3, 2/3; user 4 (1 relevant): 0, 1, 1, 1
    const want = [1 / 6, 5 / 6, 5 / 6, 5 / 6];
    expect(r.recallAt).toHaveLength(4);
    for (let c = 0; c < 4; c++) {
      expect(r.recallAt[c], `recall@${c + 1}`).toBeCloseTo(want[c], 12);
    }
  });

  it('given cutoffs beyond the top-N length, when scoring, then the @N metrics and coverage still come from the top-N lists', () => {
    expect(r.precisionAt[1]).toBe(r.precisionAt10);
    expect(r.recallAt[1]).toBe(r.recallAt10);
    // user 4's longer list reaches all 4 movies, but coverage counts the top-2 lists only
    expect(r.coverage).toBeCloseTo(3 / 4, 12);
  });

  it('given no maxCutoff, when scoring, then precision and recall are taken at cutoffs 1..20', () => {
    const d = evaluateFold(fold, { algorithm: 'popularity' }, scale);
    expect(d.precisionAt).toHaveLength(20);
    expect(d.recallAt).toHaveLength(20);
    expect(d.precisionAt[9]).toBe(d.precisionAt10);
    expect(d.recallAt[9]).toBe(d.recallAt10);
  });
});

describe('averageResults', () => {
  const folds = [
    foldResult('a', {
      rmse: 1,
      mae: 0.5,
      neighbourShare: 0.2,
      precisionAt10: 0.1,
      recallAt10: 0.3,
      ndcgAt10: 0.4,
      mapAt10: 0.05,
      coverage: 0.5,
      fitSeconds: 2,
      predictSeconds: 1,
    }),
    foldResult('b', {
      rmse: 0.8,
      mae: 0.7,
      neighbourShare: 0.4,
      precisionAt10: 0.3,
      recallAt10: 0.1,
      ndcgAt10: 0.2,
      mapAt10: 0.15,
      coverage: 0.25,
      fitSeconds: 3,
      predictSeconds: 0.5,
    }),
  ];

  it('given two folds, when averaging, then each quality metric is the mean over the folds', () => {
    const avg = averageResults('item-knn', folds);
    expect(avg.rmse).toBeCloseTo(0.9, 12);
    expect(avg.mae).toBeCloseTo(0.6, 12);
    expect(avg.neighbourShare).toBeCloseTo(0.3, 12);
    expect(avg.precisionAt10).toBeCloseTo(0.2, 12);
    expect(avg.recallAt10).toBeCloseTo(0.2, 12);
    expect(avg.ndcgAt10).toBeCloseTo(0.3, 12);
    expect(avg.mapAt10).toBeCloseTo(0.1, 12);
    expect(avg.coverage).toBeCloseTo(0.375, 12);
  });

  it('given two folds, when averaging, then fit and predict seconds add up to the cost of the whole run', () => {
    const avg = averageResults('item-knn', folds);
    expect(avg.fitSeconds).toBe(5);
    expect(avg.predictSeconds).toBe(1.5);
  });

  it('given two folds with cutoff curves, when averaging, then precision and recall are averaged cutoff by cutoff', () => {
    const avg = averageResults('item-knn', [
      foldResult('a', { precisionAt: [0.4, 0.2], recallAt: [0.1, 0.3] }),
      foldResult('b', { precisionAt: [0.2, 0.1], recallAt: [0.3, 0.5] }),
    ]);
    expect(avg.precisionAt).toHaveLength(2);
    expect(avg.precisionAt[0]).toBeCloseTo(0.3, 12);
    expect(avg.precisionAt[1]).toBeCloseTo(0.15, 12);
    expect(avg.recallAt[0]).toBeCloseTo(0.2, 12);
    expect(avg.recallAt[1]).toBeCloseTo(0.4, 12);
  });

  it('given folds, when averaging, then the result names the algorithm and keeps the folds in order', () => {
    const avg = averageResults('hybrid', folds);
    expect(avg.algorithm).toBe('hybrid');
    expect(avg.folds).toEqual(folds);
  });
});

describe('configFor', () => {
  const options: EvalOptions = {
    algorithm: 'hybrid',
    k: 7,
    similarity: 'cosine',
    shrinkage: 3,
    centring: 'mean',
  };

  it('given --k, --similarity, --shrinkage and --centring, when configuring, then both sides predict with them', () => {
    const { config } = configFor(options, scale);
    for (const side of [config.item, config.user]) {
      expect(side.predictSimilarity.metric).toBe('cosine');
      expect(side.predictSimilarity.shrinkage).toBe(3);
      expect(side.knn.k).toBe(7);
      expect(side.knn.centring).toBe('mean');
    }
  });

  it('given overrides, when configuring, then the unrelated prediction settings keep their defaults', () => {
    const { config } = configFor(options, scale);
    expect(config.item.predictSimilarity.minSupport).toBe(
      defaultModelConfig.item.predictSimilarity.minSupport,
    );
    expect(config.item.knn.minK).toBe(defaultModelConfig.item.knn.minK);
    expect(config.user.knn.minK).toBe(defaultModelConfig.user.knn.minK);
  });

  it('given overrides, when configuring, then the ranking settings of both sides are left alone', () => {
    const { config } = configFor(options, scale);
    for (const name of ['item', 'user'] as const) {
      const { rankSimilarity, listSize, rankWeight, rankNormalise } = config[name];
      const d = defaultModelConfig[name];
      expect({ rankSimilarity, listSize, rankWeight, rankNormalise }).toEqual({
        rankSimilarity: d.rankSimilarity,
        listSize: d.listSize,
        rankWeight: d.rankWeight,
        rankNormalise: d.rankNormalise,
      });
    }
  });

  it('given no overrides, when configuring, then the sides are the defaults with the data set scale', () => {
    const { config } = configFor({ algorithm: 'item-knn' }, scale);
    expect(config.item).toEqual(defaultModelConfig.item);
    expect(config.user).toEqual(defaultModelConfig.user);
    expect(config.scale).toEqual(scale);
    expect(config.hybrid).toEqual(defaultModelConfig.hybrid);
  });

  it('given fixed hybrid weights, when configuring, then the model uses them', () => {
    const weights = {
      user: 0.1,
      item: 0.2,
      userSparse: 0.3,
      itemSparse: 0.4,
      factor: 0.6,
      factorUserSparse: 0.7,
      factorItemSparse: 0.8,
      itemShare: 0.5,
      factorShare: 0.9,
    };
    expect(configFor({ algorithm: 'hybrid', hybridWeights: weights }, scale).config.hybrid).toBe(
      weights,
    );
  });

  it.each([
    ['popularity', { item: false, user: false, factors: false }],
    ['baseline', { item: false, user: false, factors: false }],
    ['item-knn', { item: true, user: false, factors: false }],
    ['user-knn', { item: false, user: true, factors: false }],
    ['mf', { item: false, user: false, factors: true }],
    ['hybrid', { item: true, user: true, factors: true }],
  ] as const)(
    'given %s, when configuring, then fits only the sides it needs',
    (algorithm, parts) => {
      expect(configFor({ algorithm }, scale).parts).toEqual(parts);
    },
  );
});
