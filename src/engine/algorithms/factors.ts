import {
  choleskyFactor,
  choleskySubstitute,
  type Factors,
  factorEstimate,
  factorScore,
  userSystem,
} from '../factors.ts';
import type { Csr } from '../matrix.ts';
import type { Model } from '../model.ts';
import { clip } from '../scale.ts';
import type { Algorithm, Reason } from './algorithm.ts';
import { hasRatings } from './knn-sides.ts';

/**
 * Biased matrix factorisation alone (factors.ts). Ratings: `mu + b_u + b_i + p_u . q_i`
 * clipped to the scale. Top-N: every movie by that estimate, for a user with ratings.
 * Reasons: the user's factors are a ridge solve over their ratings, so each rated movie's
 * share of a score is exact (see factorReasons).
 */
export const factors: Algorithm<'mf'> = {
  name: 'mf',
  label: 'Matrix factorisation (ALS)',
  fits: { item: false, user: false, factors: true, blend: false },
  personal: true,
  predict(model, users, items) {
    const f = requireFactors(model);
    const n = users.length;
    const estimate = new Float64Array(n);
    const fromNeighbours = new Uint8Array(n);
    for (let t = 0; t < n; t++) {
      estimate[t] = clip(factorEstimate(f, users[t], items[t]), model.config.scale);
      // the estimate is personal and item-specific only when both are known
      fromNeighbours[t] = users[t] >= 0 && items[t] >= 0 ? 1 : 0;
    }
    return { estimate, fromNeighbours };
  },
  topN: {
    source: 'neighbours',
    candidates: 'all',
    score(model, u, scratch) {
      if (!hasRatings(model, u)) return false;
      const f = requireFactors(model);
      scratch.scales.item = 0;
      scratch.scales.user = 0;
      scratch.scales.factor = 1;
      for (let i = 0; i < scratch.itemScores.length; i++) {
        scratch.itemScores[i] = factorScore(f, u, i);
      }
      return true;
    },
  },
  explain: (model, u, items, scales, out) => factorReasons(model, u, items, scales.factor, out),
  reads: { ratedMovies: false, ownList: false },
};

/** The fitted factor model, or an error saying the model was fitted without it. */
export function requireFactors(model: Model): Factors {
  if (!model.factors) throw new Error('the model was fitted without its factor model');
  return model.factors;
}

/**
 * For each `items[k]`, the movies u rated whose share of the score is positive, each
 * times `scale` (see factorShares).
 */
export function factorReasons(
  model: Model,
  u: number,
  items: ArrayLike<number>,
  scale: number,
  out: Reason[][],
): void {
  if (!model.factors || scale === 0 || !hasRatings(model, u)) return;
  const { byUser } = model.matrix;
  const shares = factorShares(model.factors, byUser, u, items);
  for (let t = 0; t < items.length; t++) {
    const row = shares[t];
    for (let p = byUser.rowPtr[u], s = 0; p < byUser.rowEnd[u]; p++, s++) {
      if (row[s] > 0)
        out[t].push({ kind: 'item', index: byUser.colIdx[p], weight: scale * row[s] });
    }
  }
}

/**
 * Each rated movie's exact share of user u's personal part of the score of each
 * `items[t]`, `p_u . q_i + b_u`, in the order of u's row: since
 * `(p_u, b_u) = A^-1 sum_j z_j y_j` with `z_j = (q_j, 1)` and `y_j = r_uj - mu - b_j`
 * (factors.ts), the share of j is `(z_i^T A^-1 z_j) y_j`, and the shares add up to the
 * personal part wherever u's factors are the solve over u's current ratings.
 */
export function factorShares(
  f: Factors,
  byUser: Csr,
  u: number,
  items: ArrayLike<number>,
): Float64Array[] {
  const k = f.k;
  const n = k + 1;
  const { a } = userSystem(byUser, u, f);
  choleskyFactor(a, n);
  const w = new Float64Array(n);
  const start = byUser.rowPtr[u];
  const end = byUser.rowEnd[u];
  return Array.from(items, (i) => {
    // w = A^-1 z_i
    for (let x = 0; x < k; x++) w[x] = f.itemFactors[i * k + x];
    w[k] = 1;
    choleskySubstitute(a, w, n);
    const shares = new Float64Array(end - start);
    for (let p = start; p < end; p++) {
      const j = byUser.colIdx[p];
      let dot = w[k];
      for (let x = 0; x < k; x++) dot += w[x] * f.itemFactors[j * k + x];
      shares[p - start] = dot * (byUser.values[p] - f.mu - f.itemBias[j]);
    }
    return shares;
  });
}
