import { describe, expect, it } from 'vitest';
import { defaultModelConfig, fitModel } from '../../src/engine/model.ts';
import { predictRatings } from '../../src/engine/predict.ts';
import { matrixOf } from './helpers.ts';

/*
 *        i0 i1 i2
 *   u0:   5  3  .
 *   u1:   4  .  1
 *   u2:   .  2  2
 * mu = 17/6; item i0 has 2 ratings summing to 9.
 */
const m = matrixOf([
  [5, 3, null],
  [4, null, 1],
  [null, 2, 2],
]);
const model = fitModel(m, defaultModelConfig);

describe('predictRatings', () => {
  it('given the popularity strategy, when predicting, then returns the damped item mean (sum + 5 mu) / (n + 5), mu for an unknown item', () => {
    const mu = 17 / 6;
    const p = predictRatings(
      model,
      'popularity',
      Int32Array.from([0, 2, -1]),
      Int32Array.from([0, 0, -1]),
    );
    expect(p.estimate[0]).toBeCloseTo((9 + 5 * mu) / 7, 12);
    expect(p.estimate[1]).toBeCloseTo((9 + 5 * mu) / 7, 12);
    expect(p.estimate[2]).toBeCloseTo(mu, 12);
    expect(Array.from(p.fromNeighbours)).toEqual([0, 0, 0]);
  });

  it('given the baseline strategy, when predicting, then returns mu + b_u + b_i and never claims neighbours', () => {
    const p = predictRatings(model, 'baseline', Int32Array.from([1, -1]), Int32Array.from([2, 1]));
    const { mu, userBias, itemBias } = model.baseline;
    expect(p.estimate[0]).toBeCloseTo(mu + userBias[1] + itemBias[2], 12);
    expect(p.estimate[1]).toBeCloseTo(mu + itemBias[1], 12);
    expect(Array.from(p.fromNeighbours)).toEqual([0, 0]);
  });

  it('given a model fitted without its user side, when predicting user-based, then throws naming the missing side', () => {
    const itemOnly = fitModel(m, defaultModelConfig, { item: true, user: false });
    expect(() =>
      predictRatings(itemOnly, 'user', Int32Array.from([0]), Int32Array.from([2])),
    ).toThrow(/user-based/);
    expect(() =>
      predictRatings(itemOnly, 'hybrid', Int32Array.from([0]), Int32Array.from([2])),
    ).toThrow(/user-based/);
  });

  it('given unknown users and items, when predicting with any neighbour strategy, then estimates fall back and are flagged so', () => {
    for (const strategy of ['user', 'item', 'hybrid'] as const) {
      const p = predictRatings(model, strategy, Int32Array.from([-1, 0]), Int32Array.from([0, -1]));
      expect(Array.from(p.fromNeighbours)).toEqual([0, 0]);
      expect(p.estimate[0]).toBeCloseTo(model.baseline.mu + model.baseline.itemBias[0], 12);
      expect(p.estimate[1]).toBeCloseTo(model.baseline.mu + model.baseline.userBias[0], 12);
    }
  });
});
