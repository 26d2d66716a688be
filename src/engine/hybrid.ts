import { baselineEstimate } from './baseline.ts';
import { buildRatingMatrix, type RatingMatrix } from './matrix.ts';
import { fitModel, type HybridWeights, type Model, type ModelConfig } from './model.ts';
import { requireSide, sidePredictions } from './predict.ts';
import { permutation } from './random.ts';
import { itemBasedScores, userBasedScores } from './ranking.ts';
import { rankingScores } from './ranking-metrics.ts';
import { clip } from './scale.ts';
import { TopK } from './top-k.ts';

export interface HybridFitOptions {
  /** Share of the training ratings held out to fit the weights. */
  readonly holdoutFraction: number;
  readonly seed: number;
  /** A held-out rating at or above this is relevant when tuning the top-N blend. */
  readonly relevantFrom: number;
  readonly topN: number;
}

export const defaultHybridFitOptions: HybridFitOptions = {
  holdoutFraction: 0.1,
  seed: 7,
  relevantFrom: 4,
  topN: 10,
};

/**
 * Fits the hybrid's weights on a held-out slice of the training ratings (never on test
 * data): a model is fitted on the rest, both sides predict the slice, the rating weights
 * are the least-squares solution of `r - b = wu * (userKnn - b) + wi * (itemKnn - b)`, and
 * the top-N item share is the one of 0, 0.1, ..., 1 with the best nDCG on the slice.
 */
export function fitHybridWeights(
  m: RatingMatrix,
  config: ModelConfig,
  options: HybridFitOptions = defaultHybridFitOptions,
): HybridWeights {
  const { fit, holdout } = splitHoldout(m, options.holdoutFraction, options.seed);
  const model = fitModel(fit, config);
  const { user, item } = fitRatingWeights(model, holdout);
  const itemShare = fitItemShare(model, holdout, options);
  return { user, item, itemShare };
}

interface Holdout {
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly values: Float32Array;
}

/** Moves a seeded random fraction of the ratings out; indexes keep their meaning. */
export function splitHoldout(
  m: RatingMatrix,
  fraction: number,
  seed: number,
): { fit: RatingMatrix; holdout: Holdout } {
  const perm = permutation(m.nnz, seed);
  const held = new Uint8Array(m.nnz);
  const nHeld = Math.floor(m.nnz * fraction);
  for (let t = 0; t < nHeld; t++) held[perm[t]] = 1;
  const fu = new Int32Array(m.nnz - nHeld);
  const fi = new Int32Array(m.nnz - nHeld);
  const fv = new Float32Array(m.nnz - nHeld);
  const hu = new Int32Array(nHeld);
  const hi = new Int32Array(nHeld);
  const hv = new Float32Array(nHeld);
  let f = 0;
  let h = 0;
  const { byUser } = m;
  for (let u = 0; u < m.nUsers; u++) {
    for (let p = byUser.rowPtr[u]; p < byUser.rowPtr[u + 1]; p++) {
      if (held[p]) {
        hu[h] = u;
        hi[h] = byUser.colIdx[p];
        hv[h++] = byUser.values[p];
      } else {
        fu[f] = u;
        fi[f] = byUser.colIdx[p];
        fv[f++] = byUser.values[p];
      }
    }
  }
  return {
    fit: buildRatingMatrix(fu, fi, fv, m.nUsers, m.nItems),
    holdout: { users: hu, items: hi, values: hv },
  };
}

function fitRatingWeights(model: Model, h: Holdout): { user: number; item: number } {
  const up = sidePredictions(model, requireSide(model, 'user'), h.users, h.items);
  const ip = sidePredictions(model, requireSide(model, 'item'), h.users, h.items);
  // Normal equations of the two-feature least squares, with a whisker of ridge so a side
  // that never found neighbours gets weight 0 instead of a singular system.
  let suu = 1e-6;
  let sii = 1e-6;
  let sui = 0;
  let suy = 0;
  let siy = 0;
  for (let t = 0; t < h.users.length; t++) {
    const b = clip(baselineEstimate(model.baseline, h.users[t], h.items[t]), model.config.scale);
    const du = up.neighbours[t] > 0 ? up.estimate[t] - b : 0;
    const di = ip.neighbours[t] > 0 ? ip.estimate[t] - b : 0;
    const y = h.values[t] - b;
    suu += du * du;
    sii += di * di;
    sui += du * di;
    suy += du * y;
    siy += di * y;
  }
  const det = suu * sii - sui * sui;
  return { user: (suy * sii - siy * sui) / det, item: (siy * suu - suy * sui) / det };
}

function fitItemShare(model: Model, h: Holdout, options: HybridFitOptions): number {
  const { nItems, byUser } = model.matrix;
  const shares = Array.from({ length: 11 }, (_, s) => s / 10);
  const totals = new Float64Array(shares.length);
  const relevant = new Uint8Array(nItems);
  const itemScores = new Float64Array(nItems);
  const userScores = new Float64Array(nItems);
  const blended = new Float64Array(nItems);
  const top = new TopK(options.topN);
  const ids = new Int32Array(options.topN);
  const keys = new Float64Array(options.topN);
  const item = requireSide(model, 'item');
  const user = requireSide(model, 'user');
  // holdout entries are in user order, so each user's slice is contiguous
  let users = 0;
  for (let start = 0; start < h.users.length; ) {
    const u = h.users[start];
    let end = start;
    let relevantCount = 0;
    while (end < h.users.length && h.users[end] === u) {
      if (h.values[end] >= options.relevantFrom) {
        relevant[h.items[end]] = 1;
        relevantCount++;
      }
      end++;
    }
    if (relevantCount > 0 && byUser.rowPtr[u + 1] > byUser.rowPtr[u]) {
      users++;
      itemScores.fill(0);
      userScores.fill(0);
      itemBasedScores(
        model.matrix,
        item.lists,
        u,
        item.config.rankWeight,
        model.userMeans[u],
        itemScores,
      );
      userBasedScores(
        model.matrix,
        user.lists,
        u,
        user.config.rankWeight,
        model.userMeans,
        userScores,
      );
      for (let p = byUser.rowPtr[u]; p < byUser.rowPtr[u + 1]; p++) {
        itemScores[byUser.colIdx[p]] = 0;
        userScores[byUser.colIdx[p]] = 0;
      }
      const im = maxOf(itemScores);
      const um = maxOf(userScores);
      for (let s = 0; s < shares.length; s++) {
        const wi = im > 0 ? shares[s] / im : 0;
        const wu = um > 0 ? (1 - shares[s]) / um : 0;
        top.clear();
        for (let i = 0; i < nItems; i++) {
          blended[i] = wi * itemScores[i] + wu * userScores[i];
          if (blended[i] > 0) top.offer(blended[i], i);
        }
        const count = top.drainSorted(ids, keys);
        const r = rankingScores(
          ids.subarray(0, count),
          (i) => relevant[i] === 1,
          relevantCount,
          options.topN,
        );
        totals[s] += r.ndcg;
      }
    }
    for (let t = start; t < end; t++) relevant[h.items[t]] = 0;
    start = end;
  }
  if (users === 0) return 0.5;
  let best = 0;
  for (let s = 1; s < shares.length; s++) if (totals[s] > totals[best]) best = s;
  return shares[best];
}

function maxOf(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}
