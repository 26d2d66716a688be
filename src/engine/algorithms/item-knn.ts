import type { Algorithm } from './algorithm.ts';
import { hasRatings, itemReasons, itemSideScores, sideRatings } from './knn-sides.ts';

/**
 * Item-based kNN. Ratings: the item side's kNN prediction over the k most similar items
 * the user rated (see predictKnn). Top-N: `score(u, j) = sum_{i in I_u, j in N_k(i)}
 * s_ij / S_i * w(r_ui)` over the lists of the movies u rated (see itemBasedScores).
 */
export const itemKnn: Algorithm<'item'> = {
  name: 'item',
  label: 'Item-based kNN',
  fits: { item: true, user: false, factors: false, blend: false },
  personal: true,
  predict: (model, users, items, precomputed) =>
    sideRatings(model, 'item', users, items, precomputed),
  topN: {
    source: 'neighbours',
    candidates: 'positive',
    score(model, u, scratch) {
      if (!hasRatings(model, u)) return false;
      scratch.scales.item = 1;
      scratch.scales.user = 0;
      scratch.scales.factor = 0;
      scratch.itemScores.fill(0);
      itemSideScores(model, u, scratch.itemScores);
      return true;
    },
  },
  explain: (model, u, items, scales, out) => itemReasons(model, u, items, scales.item, out),
  reads: { ratedMovies: true, ownList: false },
};
