import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  baselineEstimate,
  defaultBaselineOptions,
  fitBaseline,
} from '../../src/engine/baseline.ts';
import { globalMean } from '../../src/engine/matrix.ts';
import { gridArb, matrixOf } from './helpers.ts';

// u0: i0=4 i1=2; u1: i0=3. mu = 3.
const grid = [
  [4, 2],
  [3, null],
];

describe('fitBaseline', () => {
  it('given one epoch, when fitting, then item biases come first (with user biases 0) and user biases use them', () => {
    const b = fitBaseline(matrixOf(grid), { regItem: 1, regUser: 2, epochs: 1 });
    expect(b.mu).toBe(3);
    // b_i0 = ((4-3) + (3-3)) / (1 + 2), b_i1 = (2-3) / (1 + 1)
    expect(b.itemBias[0]).toBeCloseTo(1 / 3, 12);
    expect(b.itemBias[1]).toBeCloseTo(-1 / 2, 12);
    // b_u0 = ((4-3-1/3) + (2-3+1/2)) / (2 + 2), b_u1 = (3-3-1/3) / (2 + 1)
    expect(b.userBias[0]).toBeCloseTo(1 / 24, 12);
    expect(b.userBias[1]).toBeCloseTo(-1 / 9, 12);
  });

  it('given two epochs, when fitting, then the second item pass uses the first pass user biases', () => {
    const b = fitBaseline(matrixOf(grid), { regItem: 1, regUser: 2, epochs: 2 });
    // b_i0 = ((4-3-1/24) + (3-3+1/9)) / 3, b_i1 = (2-3-1/24) / 2
    const bi0 = (1 - 1 / 24 + 1 / 9) / 3;
    const bi1 = (-1 - 1 / 24) / 2;
    expect(b.itemBias[0]).toBeCloseTo(bi0, 12);
    expect(b.itemBias[1]).toBeCloseTo(bi1, 12);
    expect(b.userBias[0]).toBeCloseTo((1 - bi0 + (-1 - bi1)) / 4, 12);
    expect(b.userBias[1]).toBeCloseTo(-bi0 / 3, 12);
  });

  it('given zero epochs, when fitting, then every bias is 0 and mu is the global mean', () => {
    const b = fitBaseline(matrixOf(grid), { regItem: 1, regUser: 1, epochs: 0 });
    expect(b.mu).toBe(3);
    expect(Array.from(b.itemBias)).toEqual([0, 0]);
    expect(Array.from(b.userBias)).toEqual([0, 0]);
  });

  it('given users and items without ratings, when fitting, then their biases stay 0', () => {
    const b = fitBaseline(
      matrixOf([
        [5, null, null],
        [null, null, null],
        [1, 3, null],
      ]),
    );
    expect(b.userBias[1]).toBe(0);
    expect(b.itemBias[2]).toBe(0);
  });

  it('given zero damping and a user and an item without ratings, when fitting, then their biases are 0 rather than 0/0 = NaN', () => {
    // b_i = sum / (regItem + |U_i|) is 0/0 for an unrated item when regItem = 0; a NaN bias
    // turns every baseline (and every kNN fallback) involving that index into NaN.
    const b = fitBaseline(
      matrixOf([
        [4, 2, null],
        [3, null, null],
        [null, null, null],
      ]),
      { regItem: 0, regUser: 0, epochs: 3 },
    );
    expect(b.itemBias[2]).toBe(0);
    expect(b.userBias[2]).toBe(0);
  });

  it('given huge regularisation, when fitting, then every bias shrinks to about 0 and mu stays the global mean', () => {
    fc.assert(
      fc.property(gridArb(), (g) => {
        const m = matrixOf(g);
        const b = fitBaseline(m, { regItem: 1e9, regUser: 1e9, epochs: 10 });
        expect(b.mu).toBe(globalMean(m.byUser));
        for (const x of b.itemBias) expect(Math.abs(x)).toBeLessThan(1e-7);
        for (const x of b.userBias) expect(Math.abs(x)).toBeLessThan(1e-7);
      }),
      { numRuns: 100 },
    );
  });

  it('given growing regularisation, when fitting one epoch, then no item bias grows in magnitude', () => {
    fc.assert(
      fc.property(gridArb(), (g) => {
        const m = matrixOf(g);
        const weak = fitBaseline(m, { regItem: 1, regUser: 1, epochs: 1 });
        const strong = fitBaseline(m, { regItem: 50, regUser: 50, epochs: 1 });
        for (let i = 0; i < m.nItems; i++) {
          expect(Math.abs(strong.itemBias[i])).toBeLessThanOrEqual(
            Math.abs(weak.itemBias[i]) + 1e-12,
          );
        }
      }),
      { numRuns: 100 },
    );
  });

  it('given the defaults, when reading them, then they are regUser 15, regItem 10 and 10 epochs', () => {
    expect(defaultBaselineOptions).toEqual({ regUser: 15, regItem: 10, epochs: 10 });
  });
});

describe('baselineEstimate', () => {
  const b = { mu: 3, userBias: Float64Array.from([0.5, -1]), itemBias: Float64Array.from([0.25]) };

  it('given a known user and item, when estimating, then returns mu + b_u + b_i', () => {
    expect(baselineEstimate(b, 0, 0)).toBe(3.75);
    expect(baselineEstimate(b, 1, 0)).toBe(2.25);
  });

  it('given an unknown user or item (-1), when estimating, then that bias is left out', () => {
    expect(baselineEstimate(b, -1, 0)).toBe(3.25);
    expect(baselineEstimate(b, 1, -1)).toBe(2);
    expect(baselineEstimate(b, -1, -1)).toBe(3);
  });
});
