import { clip } from '../scale.ts';
import type { Algorithm } from './algorithm.ts';

/**
 * The most rated movies. Ratings: the item's damped mean `(sum_u r_ui + d mu) / (n_i + d)`
 * (see computePopularity), mu for an unknown item. Top-N: it scores nothing, so every slot
 * is filled by rating count.
 */
export const popularity: Algorithm<'popularity'> = {
  name: 'popularity',
  label: 'Popularity',
  fits: { item: false, user: false, factors: false, blend: false },
  personal: false,
  predict(model, _users, items) {
    const n = items.length;
    const estimate = new Float64Array(n);
    const { scale } = model.config;
    for (let t = 0; t < n; t++) {
      estimate[t] = clip(
        items[t] >= 0 ? model.popularity.dampedMean[items[t]] : model.baseline.mu,
        scale,
      );
    }
    return { estimate, fromNeighbours: new Uint8Array(n) };
  },
  topN: null,
  explain() {},
  reads: { ratedMovies: false, ownList: false },
};
