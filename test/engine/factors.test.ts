import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { factorShares } from '../../src/engine/algorithms/factors.ts';
import { fitFactorsOnThreads } from '../../src/engine/factor-pool.ts';
import {
  defaultFactorOptions,
  type FactorOptions,
  type Factors,
  factorEstimate,
  fitFactors,
  foldInUser,
  initialFactors,
  solveRows,
  solveScratch,
} from '../../src/engine/factors.ts';
import { solveNormalEquations } from '../../src/engine/hybrid.ts';
import type { RatingMatrix } from '../../src/engine/matrix.ts';
import { sampleUsers } from '../../src/engine/sample-users.ts';
import { gridArb, matrixOf } from './helpers.ts';

const options: FactorOptions = { ...defaultFactorOptions, factors: 3, iterations: 4 };

/** User u's (p_u, b_u) by a dense solve written straight from the objective in factors.ts. */
function directSolve(m: RatingMatrix, f: Factors, u: number): number[] {
  const k = f.k;
  const { byUser } = m;
  const n = byUser.rowEnd[u] - byUser.rowPtr[u];
  const a = Array.from({ length: k + 1 }, () => new Float64Array(k + 1));
  const y = new Float64Array(k + 1);
  for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) {
    const i = byUser.colIdx[p];
    const z = [...f.itemFactors.subarray(i * k, i * k + k), 1];
    const target = byUser.values[p] - f.mu - f.itemBias[i];
    for (let r = 0; r <= k; r++) {
      y[r] += z[r] * target;
      for (let c = 0; c <= k; c++) a[r][c] += z[r] * z[c];
    }
  }
  for (let r = 0; r < k; r++) a[r][r] += f.options.lambda * n;
  a[k][k] += f.options.biasLambda;
  // solveNormalEquations adds a ridge of 1e-6; remove it so the system is the objective's own
  for (let r = 0; r <= k; r++) a[r][r] -= 1e-6;
  return solveNormalEquations(a, y);
}

/** The regularised squared error ALS minimises, over the whole matrix. */
function objective(m: RatingMatrix, f: Factors): number {
  const { byUser, byItem } = m;
  let total = 0;
  for (let u = 0; u < m.nUsers; u++) {
    for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) {
      total += (byUser.values[p] - factorEstimate(f, u, byUser.colIdx[p])) ** 2;
    }
  }
  const ridge = (rows: typeof byUser, vectors: Float32Array, bias: Float32Array) => {
    let s = 0;
    for (let r = 0; r < rows.rows; r++) {
      const n = rows.rowEnd[r] - rows.rowPtr[r];
      let norm = 0;
      for (let x = 0; x < f.k; x++) norm += vectors[r * f.k + x] ** 2;
      s += f.options.lambda * n * norm + f.options.biasLambda * bias[r] ** 2;
    }
    return s;
  };
  return (
    total + ridge(byUser, f.userFactors, f.userBias) + ridge(byItem, f.itemFactors, f.itemBias)
  );
}

describe('the factor model', () => {
  it('given random ratings and movie factors, when folding a user in, then its factors and bias are the direct solve of its ridge regression', () => {
    fc.assert(
      fc.property(gridArb(6, 6), fc.integer({ min: 0, max: 5 }), (g, pick) => {
        const m = matrixOf(g);
        const f = fitFactors(m, options);
        const u = pick % m.nUsers;
        f.userFactors.fill(7, u * f.k, u * f.k + f.k);
        foldInUser(m.byUser, u, f);
        const expected = m.byUser.rowEnd[u] > m.byUser.rowPtr[u] ? directSolve(m, f, u) : null;
        for (let x = 0; x <= f.k; x++) {
          const got = x < f.k ? f.userFactors[u * f.k + x] : f.userBias[u];
          expect(got).toBeCloseTo(expected ? expected[x] : 0, 5);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('given random ratings, when alternating, then no half-step raises the regularised error', () => {
    fc.assert(
      fc.property(gridArb(7, 7), (g) => {
        const m = matrixOf(g);
        const f = initialFactors(m, options);
        const scratch = solveScratch(f.k);
        let before = objective(m, f);
        for (let it = 0; it < 4; it++) {
          for (const side of ['user', 'item'] as const) {
            const rows = side === 'user' ? m.byUser : m.byItem;
            solveRows(rows, f, side, 0, rows.rows, scratch);
            const after = objective(m, f);
            // factors are stored as float32: allow its rounding
            expect(after).toBeLessThanOrEqual(before * (1 + 1e-5) + 1e-6);
            before = after;
          }
        }
      }),
      { numRuns: 80 },
    );
  });

  it('given a fitted model, when a rated movie is explained, then the shares of the user ratings add up to its personal part p_u . q_i + b_u', () => {
    fc.assert(
      fc.property(gridArb(6, 6), (g) => {
        const m = matrixOf(g);
        const f = fitFactors(m, options);
        for (let u = 0; u < m.nUsers; u++) {
          if (m.byUser.rowEnd[u] === m.byUser.rowPtr[u]) continue;
          const items = Array.from({ length: m.nItems }, (_, i) => i);
          const shares = factorShares(f, m.byUser, u, items);
          for (const i of items) {
            const personal = factorEstimate(f, u, i) - f.mu - f.itemBias[i];
            const sum = shares[i].reduce((s, x) => s + x, 0);
            expect(sum).toBeCloseTo(personal, 4);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  const grid40 = Array.from({ length: 40 }, (_, u) =>
    Array.from({ length: 25 }, (_, i) =>
      (u * 7 + i * 3) % 5 === 0 ? null : 1 + ((u + i) % 9) / 2,
    ),
  );

  it.each([
    ['every rating', Number.POSITIVE_INFINITY],
    ['a sample of users', 300],
  ])(
    'given the same ratings and %s, when fitting on worker threads, then the factors are the same numbers as on one thread',
    async (_, maxRatings) => {
      const m = matrixOf(grid40);
      const one = fitFactors(m, { ...options, maxRatings });
      const many = await fitFactorsOnThreads(m, { ...options, maxRatings }, 2);
      expect(Array.from(many.userFactors)).toEqual(Array.from(one.userFactors));
      expect(Array.from(many.itemFactors)).toEqual(Array.from(one.itemFactors));
      expect(Array.from(many.userBias)).toEqual(Array.from(one.userBias));
      expect(Array.from(many.itemBias)).toEqual(Array.from(one.itemBias));
    },
  );

  it('given more ratings than the budget, when fitting, then the movies come from a fit on a sample of users and every user is solved against them', () => {
    const m = matrixOf(grid40);
    const budget = 300;
    const sampled = fitFactors(m, { ...options, maxRatings: budget });
    const onSample = fitFactors(sampleUsers(m, budget, options.seed), {
      ...options,
      maxRatings: Number.POSITIVE_INFINITY,
    });
    expect(Array.from(sampled.itemFactors)).toEqual(Array.from(onSample.itemFactors));
    expect(Array.from(sampled.itemBias)).toEqual(Array.from(onSample.itemBias));
    expect(sampled.userBias).toHaveLength(m.nUsers);
    for (let u = 0; u < m.nUsers; u++) {
      const expected = directSolve(m, sampled, u);
      for (let x = 0; x <= sampled.k; x++) {
        const got = x < sampled.k ? sampled.userFactors[u * sampled.k + x] : sampled.userBias[u];
        expect(got).toBeCloseTo(expected[x], 5);
      }
    }
  });

  it('given a user and a movie nobody knows, when estimating, then each unknown side adds no term', () => {
    const m = matrixOf([
      [4, 5, null],
      [3, null, 1],
    ]);
    const f = fitFactors(m, options);
    expect(factorEstimate(f, -1, -1)).toBe(f.mu);
    expect(factorEstimate(f, -1, 1)).toBeCloseTo(f.mu + f.itemBias[1], 12);
    expect(factorEstimate(f, 0, -1)).toBeCloseTo(f.mu + f.userBias[0], 12);
  });
});
