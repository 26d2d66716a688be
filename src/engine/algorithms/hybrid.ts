import { baselineEstimate } from '../baseline.ts';
import { factorEstimate, factorScore } from '../factors.ts';
import { type HybridWeights, type Model, requireSide } from '../model.ts';
import { maxScore } from '../ranking.ts';
import { clip } from '../scale.ts';
import { sidePredictions } from '../side-predictions.ts';
import type { Algorithm } from './algorithm.ts';
import { factorReasons, requireFactors } from './factors.ts';
import {
  hasRatings,
  itemReasons,
  itemSideScores,
  userReasons,
  userSideScores,
} from './knn-sides.ts';

/**
 * Both kNN sides and the factor model blended with the weights of HybridWeights. Ratings:
 * `r = b_ui + sum_s d_s * (w_s + v_s / (1 + W_s)) + d_f * (w_f + v_fu / sqrt(1 + n_u) +
 * v_fi / sqrt(1 + n_i))` (see HybridWeights), where a side that found no neighbours
 * contributes nothing. Top-N: `itemShare * itemScore / max itemScore + (1 - itemShare) *
 * userScore / max userScore`, each side normalised by its maximum so that neither side's
 * scale dominates; then, over the items either side found, the factor model's scores
 * spread to [0, factorShare] are added (see HybridWeights). Evaluation fits the weights
 * on held-out training ratings first.
 */
export const hybrid: Algorithm<'hybrid'> = {
  name: 'hybrid',
  label: 'Hybrid of user- and item-based kNN and factors',
  fits: { item: true, user: true, factors: true, blend: true },
  personal: true,
  predict(model, users, items, precomputed) {
    const n = users.length;
    const estimate = new Float64Array(n);
    const fromNeighbours = new Uint8Array(n);
    const { scale } = model.config;
    const up = precomputed.user ?? sidePredictions(model, requireSide(model, 'user'), users, items);
    const ip = precomputed.item ?? sidePredictions(model, requireSide(model, 'item'), users, items);
    const w = model.config.hybrid;
    const factors = requireFactors(model);
    for (let t = 0; t < n; t++) {
      const b = clip(baselineEstimate(model.baseline, users[t], items[t]), scale);
      const du = up.neighbours[t] > 0 ? up.estimate[t] - b : 0;
      const di = ip.neighbours[t] > 0 ? ip.estimate[t] - b : 0;
      const blend =
        du * (w.user + w.userSparse / (1 + up.weight[t])) +
        di * (w.item + w.itemSparse / (1 + ip.weight[t])) +
        factorWeight(model, w, users[t], items[t]) *
          (clip(factorEstimate(factors, users[t], items[t]), scale) - b);
      estimate[t] = clip(b + blend, scale);
      fromNeighbours[t] = up.neighbours[t] > 0 || ip.neighbours[t] > 0 ? 1 : 0;
    }
    return { estimate, fromNeighbours };
  },
  topN: {
    source: 'neighbours',
    candidates: 'positive',
    score(model, u, scratch) {
      if (!hasRatings(model, u)) return false;
      const { itemScores, userScores, blocked, scales } = scratch;
      blendSideScores(model, u, itemScores, userScores);
      // the maxima are taken over the candidates only, as when the share was fitted
      const { itemShare, factorShare } = model.config.hybrid;
      const itemMax = maxScore(itemScores, blocked);
      const userMax = maxScore(userScores, blocked);
      const wi = itemMax > 0 ? itemShare / itemMax : 0;
      const wu = userMax > 0 ? (1 - itemShare) / userMax : 0;
      scales.item = wi;
      scales.user = wu;
      scales.factor = 0;
      for (let i = 0; i < itemScores.length; i++) {
        itemScores[i] = wi * itemScores[i] + wu * userScores[i];
      }
      if (factorShare === 0 || !model.factors) return true;
      // the factor model reorders what the sides found: userScores now holds its score of
      // each of them (of those only: on 59,000 movies, scoring all would cost a millisecond)
      const f = userScores;
      let low = Number.POSITIVE_INFINITY;
      let high = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < itemScores.length; i++) {
        if (itemScores[i] <= 0 || blocked[i] === 1) continue;
        f[i] = factorScore(model.factors, u, i);
        if (f[i] < low) low = f[i];
        if (f[i] > high) high = f[i];
      }
      if (!(high > low)) return true;
      const wf = factorShare / (high - low);
      scales.factor = wf;
      for (let i = 0; i < itemScores.length; i++) {
        if (itemScores[i] > 0 && blocked[i] === 0) itemScores[i] += wf * (f[i] - low);
      }
      return true;
    },
  },
  explain(model, u, items, scales, out) {
    const { item, user } = model.config;
    itemReasons(model, u, items, scales.item, out, item.blendRankWeight);
    userReasons(model, u, items, scales.user, out, user.blendRankWeight);
    factorReasons(model, u, items, scales.factor, out);
  },
  reads: { ratedMovies: true, ownList: true },
};

/**
 * The weight of the factor model's deviation for (u, i): `w_f + v_fu / sqrt(1 + n_u) +
 * v_fi / sqrt(1 + n_i)`, with n the ratings in the model (0 for an unknown index).
 */
export function factorWeight(model: Model, w: HybridWeights, u: number, i: number): number {
  const { byUser, byItem } = model.matrix;
  const nu = u >= 0 ? byUser.rowEnd[u] - byUser.rowPtr[u] : 0;
  const ni = i >= 0 ? byItem.rowEnd[i] - byItem.rowPtr[i] : 0;
  return w.factor + w.factorUserSparse / Math.sqrt(1 + nu) + w.factorItemSparse / Math.sqrt(1 + ni);
}

/**
 * Leaves u's item-side and user-side scores as the hybrid blends them (each side's
 * blendRankWeight) in `itemScores` and `userScores`.
 */
export function blendSideScores(
  model: Model,
  u: number,
  itemScores: Float64Array,
  userScores: Float64Array,
): void {
  const { item, user } = model.config;
  itemScores.fill(0);
  itemSideScores(model, u, itemScores, item.blendRankWeight);
  userScores.fill(0);
  userSideScores(model, u, userScores, user.blendRankWeight);
}
