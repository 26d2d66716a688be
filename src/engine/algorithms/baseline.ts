import { baselineEstimate } from '../baseline.ts';
import { clip } from '../scale.ts';
import type { Algorithm } from './algorithm.ts';

/**
 * The baseline predictor `b_ui = mu + b_u + b_i` (see fitBaseline), an unknown user or
 * item contributing no bias. Ratings: b_ui clipped to the scale. Top-N: every movie by its
 * unclipped b_ui, even for a new user.
 */
export const baseline: Algorithm<'baseline'> = {
  name: 'baseline',
  label: 'Baseline (mu + b_u + b_i)',
  fits: { item: false, user: false, factors: false, blend: false },
  personal: true,
  predict(model, users, items) {
    const n = users.length;
    const estimate = new Float64Array(n);
    const { scale } = model.config;
    for (let t = 0; t < n; t++) {
      estimate[t] = clip(baselineEstimate(model.baseline, users[t], items[t]), scale);
    }
    return { estimate, fromNeighbours: new Uint8Array(n) };
  },
  topN: {
    source: 'baseline',
    candidates: 'all',
    score(model, u, scratch) {
      const { itemScores } = scratch;
      for (let i = 0; i < model.matrix.nItems; i++) {
        itemScores[i] = baselineEstimate(model.baseline, u, i);
      }
      return true;
    },
  },
  explain() {},
  reads: { ratedMovies: false, ownList: false },
};
