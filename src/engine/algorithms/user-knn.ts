import type { Algorithm } from './algorithm.ts';
import { hasRatings, sideRatings, userReasons, userSideScores } from './knn-sides.ts';

/**
 * User-based kNN. Ratings: the user side's kNN prediction over the k most similar users
 * who rated the item (see predictKnn). Top-N: `score(u, j) = sum_{v in N_k(u), j in I_v}
 * s_uv / S_u * w(r_vj)` over u's own neighbour list (see userBasedScores).
 */
export const userKnn: Algorithm<'user'> = {
  name: 'user',
  label: 'User-based kNN',
  fits: { item: false, user: true, factors: false, blend: false },
  personal: true,
  predict: (model, users, items, precomputed) =>
    sideRatings(model, 'user', users, items, precomputed),
  topN: {
    source: 'neighbours',
    candidates: 'positive',
    score(model, u, scratch) {
      if (!hasRatings(model, u)) return false;
      scratch.scales.item = 0;
      scratch.scales.user = 1;
      scratch.scales.factor = 0;
      scratch.itemScores.fill(0);
      userSideScores(model, u, scratch.itemScores);
      return true;
    },
  },
  explain: (model, u, items, scales, out) => userReasons(model, u, items, scales.user, out),
  reads: { ratedMovies: false, ownList: true },
};
