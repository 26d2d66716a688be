import { describe, expect, it } from 'vitest';
import { algorithmByName, algorithmNames } from '../../src/engine/algorithms.ts';
import { defaultModelConfig, fitModel } from '../../src/engine/model.ts';
import { predictRatings } from '../../src/engine/predict.ts';
import { explain, recommendForUser, recommendScratch } from '../../src/engine/recommend.ts';
import { matrixOf } from './helpers.ts';

/*
 *        i0 i1 i2 i3
 *   u0:   5  4  .  1
 *   u1:   4  5  2  .
 *   u2:   .  2  5  4
 */
const m = matrixOf([
  [5, 4, null, 1],
  [4, 5, 2, null],
  [null, 2, 5, 4],
]);

describe('the algorithm registry', () => {
  it('given the registry, when each algorithm is looked up by its name, then it is the algorithm of that name, once', () => {
    expect(new Set(algorithmNames).size).toBe(algorithmNames.length);
    for (const name of algorithmNames) expect(algorithmByName[name].name).toBe(name);
    expect(Object.keys(algorithmByName).sort()).toEqual([...algorithmNames].sort());
  });

  it.each(algorithmNames)(
    'given a model fitted with only the sides %s fits, when it predicts, recommends and explains, then nothing it needs is missing',
    (name) => {
      const { fits } = algorithmByName[name];
      const model = fitModel(m, defaultModelConfig, {
        item: fits.item,
        user: fits.user,
        factors: fits.factors,
      });
      const users = Int32Array.from([0, 1, 2, -1]);
      const items = Int32Array.from([2, 3, 0, 1]);
      expect(predictRatings(model, name, users, items).estimate).toHaveLength(4);
      const scratch = recommendScratch(model);
      for (let u = -1; u < m.nUsers; u++) {
        for (const r of recommendForUser(model, u, { strategy: name, n: 4 }, scratch)) {
          explain(model, u, r.item, name, 3, scratch.scales);
        }
      }
    },
  );

  it.each(algorithmNames)(
    'given %s, when it reads no list of a side, then it fits no such side and explains nothing from it',
    (name) => {
      const { fits, reads } = algorithmByName[name];
      const model = fitModel(m, defaultModelConfig);
      const kinds = new Set<string>();
      for (let u = 0; u < m.nUsers; u++) {
        for (let i = 0; i < m.nItems; i++) {
          for (const r of explain(model, u, i, name, 10)) kinds.add(r.kind);
        }
      }
      // the factor model names rated movies too, from the user's own ratings, not from lists
      if (!reads.ratedMovies && !fits.factors) expect(kinds.has('item')).toBe(false);
      if (!reads.ownList) expect(kinds.has('user')).toBe(false);
      if (!fits.item) expect(reads.ratedMovies).toBe(false);
      if (!fits.user) expect(reads.ownList).toBe(false);
    },
  );
});
