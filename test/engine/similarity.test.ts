import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Baseline, fitBaseline } from '../../src/engine/baseline.ts';
import { buildRatingMatrix, type RatingMatrix, type Side } from '../../src/engine/matrix.ts';
import {
  buildNeighbourLists,
  listEnd,
  listStart,
  type NeighbourLists,
} from '../../src/engine/neighbours.ts';
import {
  computeRow,
  rowScratch,
  type SimilarityMetric,
  type SimilarityOptions,
  similarityMetrics,
  similaritySpace,
} from '../../src/engine/similarity.ts';
import { denseSimilarities, type Grid, gridArb, matrixOf, referenceNeighbours } from './helpers.ts';

/*
 * The hand matrix:
 *        i0 i1 i2
 *   u0:   5  3  4
 *   u1:   5  2  .
 *   u2:   2  4  3
 *   u3:   .  1  2
 * User means 4, 3.5, 3, 1.5; item means 4, 2.5, 3 (all exact, so centring is exact).
 */
const grid: Grid = [
  [5, 3, 4],
  [5, 2, null],
  [2, 4, 3],
  [null, 1, 2],
];

/** A hand-made baseline: mu = 3, b_u = (0.5, 0, -0.5, -1), b_i = (0.5, -0.5, 0). */
const handBaseline: Baseline = {
  mu: 3,
  userBias: Float64Array.from([0.5, 0, -0.5, -1]),
  itemBias: Float64Array.from([0.5, -0.5, 0]),
};

function options(metric: SimilarityMetric, shrinkage = 0, minSupport = 1): SimilarityOptions {
  return { metric, shrinkage, minSupport };
}

/** `computeRow` of entity `a`, as a dense array of similarities and one of supports. */
function row(
  m: RatingMatrix,
  side: Side,
  opts: SimilarityOptions,
  a: number,
  baseline?: Baseline,
): { sim: number[]; support: number[] } {
  const space = similaritySpace(m, side, opts, baseline);
  const s = rowScratch(space.rows.rows);
  computeRow(space, a, s);
  return { sim: Array.from(s.sim), support: Array.from(s.support) };
}

interface HandCase {
  readonly metric: SimilarityMetric;
  readonly side: Side;
  readonly a: number;
  /** [b, similarity, co-raters] for every other entity b. */
  readonly expected: ReadonlyArray<readonly [number, number, number]>;
  readonly why: string;
}

const handCases: ReadonlyArray<HandCase> = [
  {
    metric: 'cosine',
    side: 'item',
    a: 0,
    why: 'co-rater sums of raw ratings',
    expected: [
      // i0 (5,5,2) . i1 (3,2,4) over u0,u1,u2
      [1, 33 / Math.sqrt(54 * 29), 3],
      // i0 (5,2) . i2 (4,3) over u0,u2
      [2, 26 / Math.sqrt(29 * 25), 2],
    ],
  },
  {
    metric: 'cosine',
    side: 'item',
    a: 1,
    why: 'co-rater sums of raw ratings',
    // i1 (3,4,1) . i2 (4,3,2) over u0,u2,u3
    expected: [
      [0, 33 / Math.sqrt(54 * 29), 3],
      [2, 26 / Math.sqrt(26 * 29), 3],
    ],
  },
  {
    metric: 'cosine',
    side: 'user',
    a: 0,
    why: 'co-rated sums of raw ratings',
    expected: [
      // u0 (5,3) . u1 (5,2)
      [1, 31 / Math.sqrt(34 * 29), 2],
      // u0 (5,3,4) . u2 (2,4,3)
      [2, 34 / Math.sqrt(50 * 29), 3],
      // u0 (3,4) . u3 (1,2)
      [3, 11 / Math.sqrt(25 * 5), 2],
    ],
  },
  {
    metric: 'cosine',
    side: 'user',
    a: 1,
    why: 'a single co-rated item gives exactly 1',
    expected: [
      [0, 31 / Math.sqrt(34 * 29), 2],
      // u1 (5,2) . u2 (2,4)
      [2, 18 / Math.sqrt(29 * 20), 2],
      [3, 1, 1],
    ],
  },
  {
    metric: 'vector-cosine',
    side: 'item',
    a: 0,
    why: 'co-rater dot product over whole-vector norms (|i0|^2 = 54, |i1|^2 = 30, |i2|^2 = 29)',
    expected: [
      [1, 33 / Math.sqrt(54 * 30), 3],
      [2, 26 / Math.sqrt(54 * 29), 2],
    ],
  },
  {
    metric: 'vector-cosine',
    side: 'item',
    a: 2,
    why: 'co-rater dot product over whole-vector norms',
    expected: [
      [0, 26 / Math.sqrt(54 * 29), 2],
      [1, 26 / Math.sqrt(30 * 29), 3],
    ],
  },
  {
    metric: 'vector-cosine',
    side: 'user',
    a: 0,
    why: 'co-rated dot product over whole-vector norms (|u0|^2 = 50, |u1|^2 = 29, |u2|^2 = 29, |u3|^2 = 5)',
    expected: [
      [1, 31 / Math.sqrt(50 * 29), 2],
      [2, 34 / Math.sqrt(50 * 29), 3],
      [3, 11 / Math.sqrt(50 * 5), 2],
    ],
  },
  {
    metric: 'adjusted-cosine',
    side: 'item',
    a: 1,
    why: 'ratings centred on the user means (x_u0 = 1,-1,0; x_u1 = 1.5,-1.5; x_u2 = -1,1,0; x_u3 = -0.5,0.5)',
    expected: [
      // i1 (-1,-1.5,1) . i0 (1,1.5,-1): perfectly opposite
      [0, -1, 3],
      // i1 (-1,1,-0.5) . i2 (0,0,0.5)
      [2, -0.25 / Math.sqrt(2.25 * 0.25), 3],
    ],
  },
  {
    metric: 'adjusted-cosine',
    side: 'item',
    a: 0,
    why: 'a side whose centred co-ratings are all 0 has similarity 0',
    expected: [
      [1, -1, 3],
      // i2 is (0, 0) over u0, u2
      [2, 0, 2],
    ],
  },
  {
    metric: 'adjusted-cosine',
    side: 'user',
    a: 0,
    why: 'ratings centred on the item means (x_u0 = 1,0.5,1; x_u1 = 1,-0.5; x_u2 = -2,1.5,0; x_u3 = -1.5,-1)',
    expected: [
      [1, 0.75 / Math.sqrt(1.25 * 1.25), 2],
      [2, -1.25 / Math.sqrt(2.25 * 6.25), 3],
      [3, -1.75 / Math.sqrt(1.25 * 3.25), 2],
    ],
  },
  {
    metric: 'pearson',
    side: 'item',
    a: 0,
    why: 'each side centred on its own mean over the co-raters',
    expected: [
      // i0 (5,5,2) -> (1,1,-2); i1 (3,2,4) -> (0,-1,1)
      [1, -3 / Math.sqrt(6 * 2), 3],
      // i0 (5,2) -> (1.5,-1.5); i2 (4,3) -> (0.5,-0.5)
      [2, 1, 2],
    ],
  },
  {
    metric: 'pearson',
    side: 'item',
    a: 2,
    why: 'each side centred on its own mean over the co-raters',
    expected: [
      [0, 1, 2],
      // i2 (4,3,2) -> (1,0,-1); i1 (3,4,1) -> (1/3,4/3,-5/3)
      [1, 2 / Math.sqrt(2 * (42 / 9)), 3],
    ],
  },
  {
    metric: 'pearson',
    side: 'user',
    a: 0,
    why: 'each side centred on its own mean over the co-rated items',
    expected: [
      [1, 1, 2],
      [2, -1, 3],
      [3, 1, 2],
    ],
  },
  {
    metric: 'pearson',
    side: 'user',
    a: 1,
    why: 'a single co-rated item is flat, so its correlation is 0',
    expected: [
      [0, 1, 2],
      // u1 (5,2) -> (1.5,-1.5); u2 (2,4) -> (-1,1)
      [2, -1, 2],
      [3, 0, 1],
    ],
  },
  {
    metric: 'pearson-baseline',
    side: 'item',
    a: 1,
    why: 'cosine of the residuals r - b_ui (u0 = 1,0,0.5; u1 = 1.5,-0.5; u2 = -1,2,0.5; u3 = -0.5,0)',
    expected: [
      // i1 (0,-0.5,2) . i0 (1,1.5,-1)
      [0, -2.75 / Math.sqrt(4.25 * 4.25), 3],
      // i1 (0,2,-0.5) . i2 (0.5,0.5,0)
      [2, 1 / Math.sqrt(4.25 * 0.5), 3],
    ],
  },
  {
    metric: 'pearson-baseline',
    side: 'user',
    a: 0,
    why: 'cosine of the residuals r - b_ui',
    expected: [
      // u0 (1,0) . u1 (1.5,-0.5)
      [1, 1.5 / Math.sqrt(1 * 2.5), 2],
      // u0 (1,0,0.5) . u2 (-1,2,0.5)
      [2, -0.75 / Math.sqrt(1.25 * 5.25), 3],
      // u0 (0,0.5) . u3 (-0.5,0): orthogonal
      [3, 0, 2],
    ],
  },
];

/** `i0`, `u3`: how the grid comment names an entity. */
function entity(side: Side, a: number): string {
  return `${side === 'item' ? 'i' : 'u'}${a}`;
}

describe('similarity on the hand matrix', () => {
  const m = matrixOf(grid);

  for (const { metric, side, a, expected, why } of handCases) {
    it(`given ${side}-side ${metric}, when computing the row of ${entity(side, a)}, then matches the hand computation (${why})`, () => {
      const { sim, support } = row(m, side, options(metric), a, handBaseline);
      expect(sim[a]).toBe(0);
      for (const [b, s, n] of expected) {
        expect(sim[b], `sim(${a}, ${b})`).toBeCloseTo(s, 9);
        expect(support[b], `support(${a}, ${b})`).toBe(n);
      }
    });
  }

  for (const { metric, side, a, expected } of handCases) {
    it(`given ${side}-side ${metric} with shrinkage 2, when computing the row of ${entity(side, a)}, then each similarity is scaled by n / (n + 2)`, () => {
      const { sim } = row(m, side, options(metric, 2), a, handBaseline);
      for (const [b, s, n] of expected)
        expect(sim[b], `sim(${a}, ${b})`).toBeCloseTo((s * n) / (n + 2), 9);
    });
  }

  for (const { metric, side, a, expected } of handCases) {
    it(`given ${side}-side ${metric} with minSupport 3, when computing the row of ${entity(side, a)}, then pairs with fewer co-raters get 0 but keep their support`, () => {
      const { sim, support } = row(m, side, options(metric, 0, 3), a, handBaseline);
      for (const [b, s, n] of expected) {
        expect(sim[b], `sim(${a}, ${b})`).toBeCloseTo(n >= 3 ? s : 0, 9);
        expect(support[b]).toBe(n);
      }
    });
  }

  it('given item-side cosine with shrinkage 3 and minSupport 3, when computing the row of i0, then i1 is halved and i2 is cut', () => {
    const { sim } = row(m, 'item', options('cosine', 3, 3), 0);
    expect(sim[1]).toBeCloseTo((33 / Math.sqrt(54 * 29)) * (3 / 6), 9);
    expect(sim[2]).toBe(0);
  });

  it('given a rating equal to its baseline estimate, when computing item-side pearson-baseline, then its zero residual gives similarity 0 to every item, not +-1 from rounding noise', () => {
    // One user: mu = 2.5 and, exactly, b_u = 0 and b_i0 = 0, so r(u0, i0) - b(u0, i0) = 0
    // and i0's residual vector over its single co-rater is the zero vector. The ALS sweeps
    // leave b_i0 ~ 2e-18; the cosine form then divides that noise by its own magnitude.
    const single = matrixOf([[2.5, 1, 4.5, null, 3.5, 1]]);
    const baseline = fitBaseline(single);
    const space = similaritySpace(single, 'item', options('pearson-baseline'), baseline);
    const s = rowScratch(space.rows.rows);
    computeRow(space, 0, s);
    expect(Array.from(s.sim)).toEqual([0, 0, 0, 0, 0, 0]);
    const lists = buildNeighbourLists(space, 5);
    expect(listOf(lists, 0)).toEqual([]);
  });

  it('given pearson-baseline without a baseline, when building the space, then throws naming the baseline', () => {
    expect(() => similaritySpace(m, 'item', options('pearson-baseline'))).toThrow(/baseline/);
  });

  it('given one scratch reused across rows, when computing a later row, then nothing of the earlier row leaks in', () => {
    const space = similaritySpace(m, 'user', options('cosine'));
    const s = rowScratch(space.rows.rows);
    computeRow(space, 0, s);
    computeRow(space, 3, s);
    const fresh = rowScratch(space.rows.rows);
    computeRow(space, 3, fresh);
    expect(Array.from(s.sim)).toEqual(Array.from(fresh.sim));
    expect(Array.from(s.support)).toEqual(Array.from(fresh.support));
  });
});

function listOf(lists: NeighbourLists, a: number): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let q = listStart(lists, a); q < listEnd(lists, a); q++) {
    out.push([lists.idx[q], lists.sim[q], lists.support[q]]);
  }
  return out;
}

describe('buildNeighbourLists on the hand matrix', () => {
  const m = matrixOf(grid);
  const s01 = 33 / Math.sqrt(54 * 29);
  const s02 = 26 / Math.sqrt(29 * 25);
  const s12 = 26 / Math.sqrt(26 * 29);

  it('given item-side cosine and k = 2, when building, then each list is sorted by descending similarity', () => {
    const lists = buildNeighbourLists(similaritySpace(m, 'item', options('cosine')), 2);
    expect(lists.k).toBe(2);
    expect(Array.from(lists.length)).toEqual([2, 2, 2]);
    expect(Array.from(lists.idx)).toEqual([2, 1, 2, 0, 0, 1]);
    const expected = [s02, s01, s12, s01, s02, s12];
    expected.forEach((s, q) => {
      expect(lists.sim[q]).toBeCloseTo(s, 6);
    });
    expect(Array.from(lists.support)).toEqual([2, 3, 3, 3, 2, 3]);
  });

  it('given item-side cosine and k = 1, when building, then each list keeps only its most similar item', () => {
    const lists = buildNeighbourLists(similaritySpace(m, 'item', options('cosine')), 1);
    expect(Array.from(lists.length)).toEqual([1, 1, 1]);
    expect(Array.from(lists.idx)).toEqual([2, 2, 0]);
  });

  it('given item-side adjusted cosine where every similarity is 0 or negative, when building, then every list is empty', () => {
    const lists = buildNeighbourLists(similaritySpace(m, 'item', options('adjusted-cosine')), 5);
    expect(Array.from(lists.length)).toEqual([0, 0, 0]);
  });

  it('given 1.1M list entries in all, when building, then every list is complete', () => {
    // One user rates 1100 items alike: every item pair has cosine exactly 1, so each list
    // is the 1000 lowest other indexes, 1.1M entries in all.
    const nItems = 1100;
    const k = 1000;
    const big = buildRatingMatrix(
      new Int32Array(nItems),
      Int32Array.from({ length: nItems }, (_, i) => i),
      new Float32Array(nItems).fill(3),
      1,
      nItems,
    );
    const lists = buildNeighbourLists(similaritySpace(big, 'item', options('cosine')), k);
    expect(lists.length.every((n) => n === k)).toBe(true);
    const expectedFirst = Array.from({ length: k }, (_, t) => t + 1);
    const expectedLast = Array.from({ length: k }, (_, t) => t);
    expect(Array.from(lists.idx.subarray(0, k))).toEqual(expectedFirst);
    expect(Array.from(lists.idx.subarray((nItems - 1) * k, nItems * k))).toEqual(expectedLast);
    expect(lists.sim.every((s) => s === 1)).toBe(true);
  });

  it('given user-side pearson with two neighbours at exactly 1, when building, then the tie goes to the lower index and the -1 is dropped', () => {
    const lists = buildNeighbourLists(similaritySpace(m, 'user', options('pearson')), 3);
    expect(listOf(lists, 0)).toEqual([
      [1, 1, 2],
      [3, 1, 2],
    ]);
  });
});

/*
 * Property tests against the dense reference in helpers.ts. Similarities within 1e-9 of
 * each other may come out in either order (the engine accumulates in a different order
 * than the reference), and so may near-zero ones at the tail of a list.
 */
const EPS = 1e-9;

const similarityCase = fc.record({
  grid: gridArb(8, 8),
  shrinkage: fc.constantFrom(0, 5, 100),
  minSupport: fc.constantFrom(1, 2, 3),
  k: fc.integer({ min: 1, max: 8 }),
});

function baselineFor(metric: SimilarityMetric, m: RatingMatrix): Baseline | undefined {
  return metric === 'pearson-baseline' ? fitBaseline(m) : undefined;
}

function expectListMatchesReference(
  lists: NeighbourLists,
  a: number,
  refSim: ReadonlyArray<number>,
  refSupport: ReadonlyArray<number>,
  k: number,
): void {
  const got = listOf(lists, a);
  // Candidates the engine may legitimately list: anything not clearly <= 0.
  const candidates: number[] = [];
  for (let b = 0; b < refSim.length; b++) if (b !== a && refSim[b] > -EPS) candidates.push(b);
  candidates.sort((p, q) => refSim[q] - refSim[p] || p - q);
  const clear = referenceNeighbours(refSim, a).filter((b) => refSim[b] > EPS);
  const expectedOrder = referenceNeighbours(refSim, a).slice(0, k);
  const context = `list of ${a}: got ${JSON.stringify(got.map(([b]) => b))}, reference ${JSON.stringify(expectedOrder)}`;
  expect(got.length, context).toBeLessThanOrEqual(k);
  expect(got.length, context).toBeGreaterThanOrEqual(Math.min(k, clear.length));
  expect(new Set(got.map(([b]) => b)).size, context).toBe(got.length);
  got.forEach(([b, s, n], t) => {
    expect(b, context).not.toBe(a);
    // Position t must hold a similarity equal (within EPS) to the t-th best of the reference.
    expect(Math.abs(refSim[b] - refSim[candidates[t]]), context).toBeLessThanOrEqual(EPS);
    // Lists store Float32: ~7 significant digits.
    expect(s, context).toBeCloseTo(refSim[b], 6);
    expect(n, context).toBe(refSupport[b]);
  });
}

for (const metric of similarityMetrics) {
  for (const side of ['user', 'item'] as const) {
    describe(`${side}-side ${metric} against the dense reference`, () => {
      it('given a random small sparse matrix, when computing every row, then similarities and supports equal the dense co-rater formulas', () => {
        fc.assert(
          fc.property(similarityCase, ({ grid: g, shrinkage, minSupport }) => {
            const m = matrixOf(g);
            const opts = options(metric, shrinkage, minSupport);
            const baseline = baselineFor(metric, m);
            const ref = denseSimilarities(g, side, opts, baseline);
            const space = similaritySpace(m, side, opts, baseline);
            const s = rowScratch(space.rows.rows);
            // Descending order too, so that the scratch is reused across unrelated rows.
            const n = space.rows.rows;
            const order = [
              ...Array.from({ length: n }, (_, a) => a),
              ...Array.from({ length: n }, (_, a) => n - 1 - a),
            ];
            for (const a of order) {
              computeRow(space, a, s);
              for (let b = 0; b < n; b++) {
                expect(s.sim[b], `sim(${a}, ${b})`).toBeCloseTo(ref.sim[a][b], 9);
                expect(s.support[b], `support(${a}, ${b})`).toBe(ref.support[a][b]);
              }
            }
          }),
          { numRuns: 60 },
        );
      });

      it('given a random small sparse matrix, when building neighbour lists, then each is the reference top-k of positive similarities', () => {
        fc.assert(
          fc.property(similarityCase, ({ grid: g, shrinkage, minSupport, k }) => {
            const m = matrixOf(g);
            const opts = options(metric, shrinkage, minSupport);
            const baseline = baselineFor(metric, m);
            const ref = denseSimilarities(g, side, opts, baseline);
            const lists = buildNeighbourLists(similaritySpace(m, side, opts, baseline), k);
            expect(lists.length.length).toBe(ref.sim.length);
            for (let a = 0; a < ref.sim.length; a++) {
              expectListMatchesReference(lists, a, ref.sim[a], ref.support[a], k);
            }
          }),
          { numRuns: 60 },
        );
      });
    });
  }
}
