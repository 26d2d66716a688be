import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requireFactors } from '../../src/engine/algorithms/factors.ts';
import { baselineEstimate } from '../../src/engine/baseline.ts';
import { factorEstimate } from '../../src/engine/factors.ts';
import {
  defaultHybridFitOptions,
  fitHybridWeights,
  sampleUsers,
  solveNormalEquations,
  splitHoldout,
} from '../../src/engine/hybrid.ts';
import type { Csr, RatingMatrix } from '../../src/engine/matrix.ts';
import {
  defaultModelConfig,
  fitModel,
  type HybridWeights,
  type ModelConfig,
} from '../../src/engine/model.ts';
import { predictRatings, requireSide, sidePredictions } from '../../src/engine/predict.ts';
import { clip } from '../../src/engine/scale.ts';
import { type Grid, gridArb, matrixOf } from './helpers.ts';

function triplesOfMatrix(m: RatingMatrix): string[] {
  const out: string[] = [];
  for (let u = 0; u < m.nUsers; u++) {
    for (let p = m.byUser.rowPtr[u]; p < m.byUser.rowEnd[u]; p++) {
      out.push(`${u}:${m.byUser.colIdx[p]}:${m.byUser.values[p]}`);
    }
  }
  return out;
}

const config: ModelConfig = {
  ...defaultModelConfig,
  item: { ...defaultModelConfig.item, listSize: 10 },
  user: { ...defaultModelConfig.user, listSize: 10 },
};

/** Every (user, item) pair of the grid, rated or not, plus unknown ones. */
function allPairs(g: Grid): { users: Int32Array; items: Int32Array } {
  const users: number[] = [];
  const items: number[] = [];
  for (let u = -1; u < g.length; u++) {
    for (let i = -1; i < g[0].length; i++) {
      users.push(u);
      items.push(i);
    }
  }
  return { users: Int32Array.from(users), items: Int32Array.from(items) };
}

describe('splitHoldout', () => {
  it('given a matrix, a fraction and a seed, when splitting, then every rating lands exactly once in fit or holdout', () => {
    fc.assert(
      fc.property(
        gridArb(),
        fc.constantFrom(0, 0.1, 0.25, 0.5, 1),
        fc.integer(),
        (g, fraction, seed) => {
          const m = matrixOf(g);
          const { fit, holdout } = splitHoldout(m, fraction, seed);
          const held = Array.from(
            holdout.users,
            (u, t) => `${u}:${holdout.items[t]}:${holdout.values[t]}`,
          );
          const kept = triplesOfMatrix(fit);
          expect(held.length).toBe(Math.floor(m.nnz * fraction));
          expect(kept.length + held.length).toBe(m.nnz);
          expect([...kept, ...held].sort()).toEqual(triplesOfMatrix(m).sort());
          expect(fit.nUsers).toBe(m.nUsers);
          expect(fit.nItems).toBe(m.nItems);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('given the same seed twice, when splitting, then the holdout is the same and in user order', () => {
    fc.assert(
      fc.property(gridArb(), fc.integer(), (g, seed) => {
        const m = matrixOf(g);
        const a = splitHoldout(m, 0.3, seed).holdout;
        const b = splitHoldout(m, 0.3, seed).holdout;
        expect(Array.from(a.users)).toEqual(Array.from(b.users));
        expect(Array.from(a.items)).toEqual(Array.from(b.items));
        for (let t = 1; t < a.users.length; t++)
          expect(a.users[t]).toBeGreaterThanOrEqual(a.users[t - 1]);
      }),
      { numRuns: 50 },
    );
  });
});

describe('sampleUsers', () => {
  /** Each user's ratings as one string, the key of a whole user whatever its index. */
  function usersOf(m: RatingMatrix): string[] {
    const out: string[] = [];
    for (let u = 0; u < m.nUsers; u++) {
      const row: string[] = [];
      for (let p = m.byUser.rowPtr[u]; p < m.byUser.rowEnd[u]; p++) {
        row.push(`${m.byUser.colIdx[p]}:${m.byUser.values[p]}`);
      }
      out.push(row.join(' '));
    }
    return out;
  }

  it('given a budget below the ratings, when sampling, then it keeps whole users of the matrix, within the budget, the same for the same seed', () => {
    fc.assert(
      fc.property(gridArb(12, 8), fc.integer({ min: 1, max: 60 }), fc.nat(), (g, budget, seed) => {
        const m = matrixOf(g);
        const s = sampleUsers(m, budget, seed);
        if (m.nnz <= budget) {
          expect(s).toBe(m);
          return;
        }
        expect(s.nnz).toBeLessThanOrEqual(budget);
        expect(s.nItems).toBe(m.nItems);
        const all = usersOf(m);
        const kept = usersOf(s);
        // whole users: every sampled row is one of the matrix's rows, each used once
        for (const row of kept) {
          const at = all.indexOf(row);
          expect(at).toBeGreaterThanOrEqual(0);
          all.splice(at, 1);
        }
        // no user left out would still have fitted
        const spare = budget - s.nnz;
        for (const row of all) {
          if (row !== '') expect(row.split(' ').length).toBeGreaterThan(spare);
        }
        expect(usersOf(sampleUsers(m, budget, seed))).toEqual(kept);
      }),
      { numRuns: 200 },
    );
  });
});

describe('solveNormalEquations', () => {
  it('given a diagonal system, when solving, then returns y / a (up to the whisker of ridge)', () => {
    const x = solveNormalEquations(
      [Float64Array.from([2, 0]), Float64Array.from([0, 4])],
      Float64Array.from([4, 2]),
    );
    expect(x[0]).toBeCloseTo(2, 5);
    expect(x[1]).toBeCloseTo(0.5, 5);
  });

  it('given a system that needs a row swap, when solving, then pivots and solves it', () => {
    const x = solveNormalEquations(
      [Float64Array.from([0, 1]), Float64Array.from([1, 0])],
      Float64Array.from([2, 3]),
    );
    expect(x[0]).toBeCloseTo(3, 5);
    expect(x[1]).toBeCloseTo(2, 5);
  });

  it('given a feature that is always zero, when solving, then its weight is 0 instead of a singular system', () => {
    const x = solveNormalEquations(
      [Float64Array.from([2, 0]), Float64Array.from([0, 0])],
      Float64Array.from([4, 0]),
    );
    expect(x[0]).toBeCloseTo(2, 5);
    expect(x[1]).toBe(0);
  });
});

describe('fitHybridWeights', () => {
  it('given a small random matrix, when fitting the weights, then they are finite and itemShare is a tenth in [0, 1]', () => {
    fc.assert(
      fc.property(gridArb(10, 8), fc.integer({ min: 0, max: 1000 }), (g, seed) => {
        const w = fitHybridWeights(matrixOf(g), config, {
          ...defaultHybridFitOptions,
          holdoutFraction: 0.3,
          seed,
        });
        expect(Number.isFinite(w.user)).toBe(true);
        expect(Number.isFinite(w.item)).toBe(true);
        expect(Number.isFinite(w.userSparse)).toBe(true);
        expect(Number.isFinite(w.itemSparse)).toBe(true);
        expect(w.itemShare).toBeGreaterThanOrEqual(0);
        expect(w.itemShare).toBeLessThanOrEqual(1);
        expect(Math.round(w.itemShare * 10) / 10).toBe(w.itemShare);
      }),
      { numRuns: 25 },
    );
  });

  it('given the same matrix and options twice, when fitting, then the weights are identical', () => {
    const m = matrixOf([
      [5, 4, null, 1, 3],
      [4, null, 4, 2, 3],
      [null, 2, 5, 4, 4],
      [1, 1, 4, 5, null],
      [3, 4, null, 2, 2],
      [5, 5, 2, null, 4],
    ]);
    expect(fitHybridWeights(m, config)).toEqual(fitHybridWeights(m, config));
  });
});

/** Entries in row r (0 for an unknown index). */
function ratingsOf(rows: Csr, r: number): number {
  return r >= 0 ? rows.rowEnd[r] - rows.rowPtr[r] : 0;
}

describe('predictRatings with the hybrid', () => {
  it('given weights {user: 0, item: 1}, when predicting, then the hybrid equals item-based wherever the item side found neighbours, and the baseline elsewhere', () => {
    fc.assert(
      fc.property(gridArb(), (g) => {
        const hybrid: HybridWeights = {
          ...config.hybrid,
          user: 0,
          item: 1,
          userSparse: 0,
          itemSparse: 0,
          factor: 0,
          factorUserSparse: 0,
          factorItemSparse: 0,
        };
        const model = fitModel(matrixOf(g), { ...config, hybrid });
        const { users, items } = allPairs(g);
        const h = predictRatings(model, 'hybrid', users, items);
        const itemBased = predictRatings(model, 'item', users, items);
        const b = predictRatings(model, 'baseline', users, items);
        for (let t = 0; t < users.length; t++) {
          const where = `(${users[t]}, ${items[t]})`;
          if (itemBased.fromNeighbours[t])
            expect(h.estimate[t], where).toBeCloseTo(itemBased.estimate[t], 12);
          else expect(h.estimate[t], where).toBeCloseTo(b.estimate[t], 12);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('given any weights, when predicting, then r = clip(b + sum_s d_s (w_s + v_s / (1 + W_s))) with d_s = 0 for a side without neighbours', () => {
    fc.assert(
      fc.property(
        gridArb(),
        fc.record({
          user: fc.double({ min: -1, max: 2, noNaN: true }),
          item: fc.double({ min: -1, max: 2, noNaN: true }),
          userSparse: fc.double({ min: -1, max: 2, noNaN: true }),
          itemSparse: fc.double({ min: -1, max: 2, noNaN: true }),
          factor: fc.double({ min: -1, max: 2, noNaN: true }),
          factorUserSparse: fc.double({ min: -1, max: 2, noNaN: true }),
          factorItemSparse: fc.double({ min: -1, max: 2, noNaN: true }),
        }),
        (g, w) => {
          const model = fitModel(matrixOf(g), {
            ...config,
            hybrid: { ...w, itemShare: 0.5, factorShare: 0 },
          });
          const { users, items } = allPairs(g);
          const h = predictRatings(model, 'hybrid', users, items);
          const up = sidePredictions(model, requireSide(model, 'user'), users, items);
          const ip = sidePredictions(model, requireSide(model, 'item'), users, items);
          const { scale } = model.config;
          for (let t = 0; t < users.length; t++) {
            const base = clip(baselineEstimate(model.baseline, users[t], items[t]), scale);
            const du = up.neighbours[t] > 0 ? up.estimate[t] - base : 0;
            const di = ip.neighbours[t] > 0 ? ip.estimate[t] - base : 0;
            const expected = clip(
              base +
                du * (w.user + w.userSparse / (1 + up.weight[t])) +
                di * (w.item + w.itemSparse / (1 + ip.weight[t])) +
                (w.factor +
                  w.factorUserSparse / Math.sqrt(1 + ratingsOf(model.matrix.byUser, users[t])) +
                  w.factorItemSparse / Math.sqrt(1 + ratingsOf(model.matrix.byItem, items[t]))) *
                  (clip(factorEstimate(requireFactors(model), users[t], items[t]), scale) - base),
              scale,
            );
            expect(h.estimate[t]).toBeCloseTo(expected, 12);
            expect(h.fromNeighbours[t]).toBe(up.neighbours[t] > 0 || ip.neighbours[t] > 0 ? 1 : 0);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
