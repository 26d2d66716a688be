import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Baseline, baselineEstimate, fitBaseline } from '../../src/engine/baseline.ts';
import { type KnnCentring, type KnnOptions, predictKnn } from '../../src/engine/knn.ts';
import type { RatingMatrix, Side } from '../../src/engine/matrix.ts';
import type { Scale } from '../../src/engine/scale.ts';
import {
  computeRow,
  rowScratch,
  type SimilarityOptions,
  type SimilaritySpace,
  similarityMetrics,
  similaritySpace,
} from '../../src/engine/similarity.ts';
import { type Grid, gridArb, itemMeansOf, matrixOf, userMeansOf } from './helpers.ts';

/*
 *        i0 i1 i2 i3
 *   u0:   4  4  2  1
 *   u1:   2  2  4  4
 *   u2:   5  5  3  .
 *   u3:   .  .  2  4      <- the target: r(u3, i0)
 *   u4:   .  3  4  2
 *
 * Item-side cosine of i0: i1 = 1 (identical over u0,u1,u2), i2 = 31/sqrt(45*29),
 * i3 = 12/sqrt(20*17). u3 rated only i2 and i3, so i0's best neighbour i1 is no use.
 * User-side cosine of u3 among the raters of i0: u2 = 1 (one co-rated item),
 * u1 = 24/sqrt(20*32), u0 = 8/sqrt(20*5) = 0.8.
 */
const grid: Grid = [
  [4, 4, 2, 1],
  [2, 2, 4, 4],
  [5, 5, 3, null],
  [null, null, 2, 4],
  [null, 3, 4, 2],
];
const m = matrixOf(grid);
const s2 = 31 / Math.sqrt(45 * 29);
const s3 = 12 / Math.sqrt(20 * 17);
const t2 = 1;
const t1 = 24 / Math.sqrt(20 * 32);

/** mu = 3, b_u = (0, 0, 0.5, -0.5, 0), b_i = (0.5, 0.5, -0.5, 0). */
const handBaseline: Baseline = {
  mu: 3,
  userBias: Float64Array.from([0, 0, 0.5, -0.5, 0]),
  itemBias: Float64Array.from([0.5, 0.5, -0.5, 0]),
};
const scale: Scale = { min: 0.5, max: 5 };
const cosine: SimilarityOptions = { metric: 'cosine', shrinkage: 0, minSupport: 1 };

function predictOne(
  side: Side,
  knn: KnnOptions,
  u: number,
  i: number,
  opts: { baseline?: Baseline; scale?: Scale } = {},
): { estimate: number; neighbours: number; weight: number } {
  const space = similaritySpace(m, side, cosine);
  const p = predictKnn(
    space,
    opts.baseline ?? handBaseline,
    knn,
    opts.scale ?? scale,
    Int32Array.from([u]),
    Int32Array.from([i]),
  );
  return { estimate: p.estimate[0], neighbours: p.neighbours[0], weight: p.weight[0] };
}

describe('item-based predictKnn on the hand matrix', () => {
  it('given plain centring and k = 2, when predicting r(u3, i0), then returns sum s r / sum s over i2 and i3', () => {
    const p = predictOne('item', { k: 2, minK: 1, centring: 'plain' }, 3, 0);
    expect(p.estimate).toBeCloseTo((s2 * 2 + s3 * 4) / (s2 + s3), 9);
    expect(p.neighbours).toBe(2);
    expect(p.weight).toBeCloseTo(s2 + s3, 9);
  });

  it('given mean centring and k = 2, when predicting r(u3, i0), then centres on the item means (i0 11/3, i2 3, i3 11/4)', () => {
    const p = predictOne('item', { k: 2, minK: 1, centring: 'mean' }, 3, 0);
    expect(p.estimate).toBeCloseTo(11 / 3 + (s2 * (2 - 3) + s3 * (4 - 11 / 4)) / (s2 + s3), 9);
    expect(p.neighbours).toBe(2);
  });

  it('given baseline centring and k = 2, when predicting r(u3, i0), then centres on b_ui (b(u3,i0) 3, b(u3,i2) 2, b(u3,i3) 2.5)', () => {
    const p = predictOne('item', { k: 2, minK: 1, centring: 'baseline' }, 3, 0);
    expect(p.estimate).toBeCloseTo(3 + (s2 * (2 - 2) + s3 * (4 - 2.5)) / (s2 + s3), 9);
    expect(p.neighbours).toBe(2);
  });

  it('given k = 1, when predicting r(u3, i0), then uses the most similar item the user rated (i2), not the most similar overall (i1)', () => {
    const p = predictOne('item', { k: 1, minK: 1, centring: 'plain' }, 3, 0);
    expect(p.estimate).toBe(2);
    expect(p.neighbours).toBe(1);
    expect(p.weight).toBeCloseTo(s2, 9);
  });

  it('given k larger than the rated items, when predicting, then uses every positively similar rated item', () => {
    const p = predictOne('item', { k: 40, minK: 1, centring: 'plain' }, 3, 0);
    expect(p.neighbours).toBe(2);
    expect(p.estimate).toBeCloseTo((s2 * 2 + s3 * 4) / (s2 + s3), 9);
  });

  it('given fewer neighbours than minK, when predicting, then falls back to the baseline and reports 0 neighbours', () => {
    const p = predictOne('item', { k: 40, minK: 3, centring: 'plain' }, 3, 0);
    expect(p.estimate).toBe(3);
    expect(p.neighbours).toBe(0);
    expect(p.weight).toBe(0);
  });

  it('given an estimate above the scale, when predicting, then clips it to the maximum', () => {
    const p = predictOne('item', { k: 2, minK: 1, centring: 'plain' }, 3, 0, {
      scale: { min: 0.5, max: 2.5 },
    });
    expect(p.estimate).toBe(2.5);
    expect(p.neighbours).toBe(2);
  });

  it('given an estimate below the scale, when predicting, then clips it to the minimum', () => {
    const p = predictOne('item', { k: 2, minK: 1, centring: 'plain' }, 3, 0, {
      scale: { min: 3, max: 5 },
    });
    expect(p.estimate).toBe(3);
  });

  it('given a fallback outside the scale, when predicting, then the baseline is clipped too', () => {
    const high: Baseline = { ...handBaseline, mu: 7 };
    const p = predictOne('item', { k: 2, minK: 3, centring: 'plain' }, 3, 0, { baseline: high });
    expect(p.estimate).toBe(5);
    expect(p.neighbours).toBe(0);
  });

  it('given an unknown user (-1), when predicting, then returns mu + b_i with no neighbours', () => {
    const p = predictOne('item', { k: 2, minK: 1, centring: 'plain' }, -1, 0);
    expect(p.estimate).toBe(3.5);
    expect(p.neighbours).toBe(0);
  });

  it('given an unknown item (-1), when predicting, then returns mu + b_u with no neighbours', () => {
    const p = predictOne('item', { k: 2, minK: 1, centring: 'plain' }, 3, -1);
    expect(p.estimate).toBe(2.5);
    expect(p.neighbours).toBe(0);
  });
});

describe('user-based predictKnn on the hand matrix', () => {
  it('given plain centring and k = 2, when predicting r(u3, i0), then uses the two most similar raters u2 and u1', () => {
    const p = predictOne('user', { k: 2, minK: 1, centring: 'plain' }, 3, 0);
    expect(p.estimate).toBeCloseTo((t2 * 5 + t1 * 2) / (t2 + t1), 9);
    expect(p.neighbours).toBe(2);
    expect(p.weight).toBeCloseTo(t2 + t1, 9);
  });

  it('given mean centring and k = 2, when predicting r(u3, i0), then centres on the user means (u3 3, u2 13/3, u1 3)', () => {
    const p = predictOne('user', { k: 2, minK: 1, centring: 'mean' }, 3, 0);
    expect(p.estimate).toBeCloseTo(3 + (t2 * (5 - 13 / 3) + t1 * (2 - 3)) / (t2 + t1), 9);
  });

  it('given baseline centring and k = 2, when predicting r(u3, i0), then centres on b_vi (b(u2,i0) 4, b(u1,i0) 3.5)', () => {
    const p = predictOne('user', { k: 2, minK: 1, centring: 'baseline' }, 3, 0);
    expect(p.estimate).toBeCloseTo(3 + (t2 * (5 - 4) + t1 * (2 - 3.5)) / (t2 + t1), 9);
  });

  it('given k = 3, when predicting r(u3, i0), then all three raters count and u4, who did not rate i0, does not', () => {
    const t0 = 0.8;
    const p = predictOne('user', { k: 3, minK: 1, centring: 'plain' }, 3, 0);
    expect(p.neighbours).toBe(3);
    expect(p.estimate).toBeCloseTo((t2 * 5 + t1 * 2 + t0 * 4) / (t2 + t1 + t0), 9);
  });

  it('given fewer raters than minK, when predicting, then falls back to the baseline', () => {
    const p = predictOne('user', { k: 5, minK: 4, centring: 'mean' }, 3, 0);
    expect(p.estimate).toBe(3);
    expect(p.neighbours).toBe(0);
  });

  it('given an unknown user and an unknown item, when predicting, then returns mu', () => {
    const p = predictOne('user', { k: 2, minK: 1, centring: 'plain' }, -1, -1);
    expect(p.estimate).toBe(3);
    expect(p.neighbours).toBe(0);
  });
});

/** Brute force of the formulas in knn.ts, on top of the (separately specified) similarity rows. */
function referenceKnn(
  g: Grid,
  space: SimilaritySpace,
  baseline: Baseline,
  options: KnnOptions,
  sc: Scale,
  u: number,
  i: number,
): { estimate: number; neighbours: number; weight: number } {
  const clip = (x: number) => Math.min(sc.max, Math.max(sc.min, x));
  const fallback = { estimate: clip(baselineEstimate(baseline, u, i)), neighbours: 0, weight: 0 };
  if (u < 0 || i < 0) return fallback;
  const itemSide = space.side === 'item';
  const a = itemSide ? i : u;
  const s = rowScratch(space.rows.rows);
  computeRow(space, a, s);
  const candidates: number[] = [];
  if (itemSide) {
    for (let j = 0; j < g[u].length; j++)
      if (j !== i && g[u][j] !== null && s.sim[j] > 0) candidates.push(j);
  } else {
    for (let v = 0; v < g.length; v++)
      if (v !== u && g[v][i] !== null && s.sim[v] > 0) candidates.push(v);
  }
  candidates.sort((p, q) => s.sim[q] - s.sim[p] || p - q);
  const picked = candidates.slice(0, options.k);
  if (picked.length === 0 || picked.length < options.minK) return fallback;
  const means = itemSide ? itemMeansOf(g) : userMeansOf(g);
  const rating = (c: number) => (itemSide ? g[u][c] : g[c][i]) as number;
  const baseOf = (c: number) =>
    itemSide ? baselineEstimate(baseline, u, c) : baselineEstimate(baseline, c, i);
  let num = 0;
  let den = 0;
  for (const c of picked) {
    const offset =
      options.centring === 'mean' ? means[c] : options.centring === 'baseline' ? baseOf(c) : 0;
    num += s.sim[c] * (rating(c) - offset);
    den += s.sim[c];
  }
  const centre =
    options.centring === 'mean'
      ? means[a]
      : options.centring === 'baseline'
        ? baselineEstimate(baseline, u, i)
        : 0;
  return { estimate: clip(centre + num / den), neighbours: picked.length, weight: den };
}

const knnCase = gridArb(8, 8).chain((g) =>
  fc.record({
    grid: fc.constant(g),
    side: fc.constantFrom<Side>('user', 'item'),
    metric: fc.constantFrom(...similarityMetrics),
    shrinkage: fc.constantFrom(0, 5, 100),
    minSupport: fc.constantFrom(1, 2, 3),
    centring: fc.constantFrom<KnnCentring>('plain', 'mean', 'baseline'),
    k: fc.integer({ min: 1, max: 8 }),
    minK: fc.integer({ min: 0, max: 3 }),
    scale: fc.constantFrom<Scale>({ min: 0.5, max: 5 }, { min: 2, max: 4 }),
    pairs: fc.array(
      fc.tuple(
        fc.integer({ min: -1, max: g.length - 1 }),
        fc.integer({ min: -1, max: g[0].length - 1 }),
      ),
      { minLength: 1, maxLength: 12 },
    ),
  }),
);

describe('predictKnn against a brute-force reference', () => {
  it('given a random small matrix, metric, centring, k and minK, when predicting random pairs, then every estimate, neighbour count and weight equals the brute force', () => {
    fc.assert(
      fc.property(knnCase, (c) => {
        const mat: RatingMatrix = matrixOf(c.grid);
        const baseline = fitBaseline(mat);
        const space = similaritySpace(
          mat,
          c.side,
          { metric: c.metric, shrinkage: c.shrinkage, minSupport: c.minSupport },
          baseline,
        );
        const options: KnnOptions = { k: c.k, minK: c.minK, centring: c.centring };
        const users = Int32Array.from(c.pairs.map(([u]) => u));
        const items = Int32Array.from(c.pairs.map(([, i]) => i));
        const p = predictKnn(space, baseline, options, c.scale, users, items);
        c.pairs.forEach(([u, i], t) => {
          const ref = referenceKnn(c.grid, space, baseline, options, c.scale, u, i);
          const where = `pair ${t}: (${u}, ${i})`;
          expect(p.neighbours[t], where).toBe(ref.neighbours);
          expect(p.estimate[t], where).toBeCloseTo(ref.estimate, 9);
          expect(p.weight[t], where).toBeCloseTo(ref.weight, 9);
        });
      }),
      { numRuns: 300 },
    );
  });
});
