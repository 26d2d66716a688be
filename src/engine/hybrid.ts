import { requireFactors } from './algorithms/factors.ts';
import { blendSideScores } from './algorithms/hybrid.ts';
import { baselineEstimate } from './baseline.ts';
import { factorEstimate, factorScore, type ItemKeys } from './factors.ts';
import { buildRatingMatrix, type RatingMatrix } from './matrix.ts';
import {
  fitModelPredicting,
  type HybridSource,
  type HybridWeights,
  type Model,
  type ModelConfig,
  type ModelWithPredictions,
  requireSide,
} from './model.ts';
import { permutation } from './random.ts';
import { maxScore } from './ranking.ts';
import { rankingScores } from './ranking-metrics.ts';
import { sampleUsers } from './sample-users.ts';
import { clip } from './scale.ts';
import { sidePredictions } from './side-predictions.ts';
import { TopK } from './top-k.ts';

export { sampleUsers } from './sample-users.ts';

export interface HybridFitOptions {
  /** Share of the training ratings held out to fit the weights. */
  readonly holdoutFraction: number;
  readonly seed: number;
  /** A held-out rating at or above this is relevant when tuning the top-N blend. */
  readonly relevantFrom: number;
  readonly topN: number;
  /**
   * Fit on a seeded random sample of whole users holding at most this many ratings
   * (Infinity: on every user). The weights are nine numbers, but the fit's pass builds
   * both sides' lists on the slice, and its user side grows with the square of the data:
   * hours on MovieLens-25M, seconds on a sample (docs/evaluation.md measures the cost).
   */
  readonly maxRatings: number;
}

export const defaultHybridFitOptions: HybridFitOptions = {
  holdoutFraction: 0.1,
  seed: 7,
  relevantFrom: 4,
  topN: 10,
  maxRatings: 2_000_000,
};

/** The options that fit a source's weights, or null when the source gives them. */
export function fitOptionsOf(source: HybridSource): HybridFitOptions | null {
  if (source === 'fit') return defaultHybridFitOptions;
  return 'fitRatings' in source
    ? { ...defaultHybridFitOptions, maxRatings: source.fitRatings }
    : null;
}

/**
 * Fits the hybrid's weights on a held-out slice of the training ratings (never on test
 * data): a model is fitted on the rest, both sides predict the slice, the rating weights
 * are the least-squares solution of the blend in HybridWeights, and the top-N shares
 * are those of a grid with the best nDCG on the slice (see fitShares).
 */
export function fitHybridWeights(
  m: RatingMatrix,
  config: ModelConfig,
  options: HybridFitOptions = defaultHybridFitOptions,
  onProgress: (fraction: number) => void = () => {},
  /** The movies' stable keys (see ItemKeys in factors.ts). */
  itemKeys?: ItemKeys,
): HybridWeights {
  const sample = sampleUsers(m, options.maxRatings, options.seed);
  const { fit, holdout } = splitHoldout(sample, options.holdoutFraction, options.seed);
  // progress in rows of both sides, the bulk of the work
  const rows = fit.nItems + fit.nUsers;
  const fitted = fitModelPredicting(
    fit,
    config,
    { item: true, user: true, factors: true, itemKeys },
    holdout.users,
    holdout.items,
    (side, row) => onProgress((side === 'item' ? row : fit.nItems + row) / rows),
  );
  const weights = {
    ...fitRatingWeights(fitted, holdout),
    ...fitShares(fitted.model, holdout, options),
  };
  onProgress(1);
  return weights;
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
  let t = 0;
  for (let u = 0; u < m.nUsers; u++) {
    for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) {
      if (held[t++]) {
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

type RatingWeights = Omit<HybridWeights, 'itemShare' | 'factorShare'>;

/**
 * Least squares of `r - b = du*wu + di*wi + du/(1+Wu)*vu + di/(1+Wi)*vi + df*wf +
 * df/sqrt(1+n_u)*vfu + df/sqrt(1+n_i)*vfi` on the slice, df being the factor model's
 * deviation from the baseline (see HybridWeights).
 */
function fitRatingWeights(fitted: ModelWithPredictions, h: Holdout): RatingWeights {
  const { model } = fitted;
  const up = fitted.user ?? sidePredictions(model, requireSide(model, 'user'), h.users, h.items);
  const ip = fitted.item ?? sidePredictions(model, requireSide(model, 'item'), h.users, h.items);
  const factors = requireFactors(model);
  const { byUser, byItem } = model.matrix;
  const nf = 7;
  const ata = Array.from({ length: nf }, () => new Float64Array(nf));
  const aty = new Float64Array(nf);
  const f = new Float64Array(nf);
  for (let t = 0; t < h.users.length; t++) {
    const b = clip(baselineEstimate(model.baseline, h.users[t], h.items[t]), model.config.scale);
    const du = up.neighbours[t] > 0 ? up.estimate[t] - b : 0;
    const di = ip.neighbours[t] > 0 ? ip.estimate[t] - b : 0;
    f[0] = du;
    f[1] = di;
    f[2] = du / (1 + up.weight[t]);
    f[3] = di / (1 + ip.weight[t]);
    f[4] = clip(factorEstimate(factors, h.users[t], h.items[t]), model.config.scale) - b;
    f[5] = f[4] / Math.sqrt(1 + byUser.rowEnd[h.users[t]] - byUser.rowPtr[h.users[t]]);
    f[6] = f[4] / Math.sqrt(1 + byItem.rowEnd[h.items[t]] - byItem.rowPtr[h.items[t]]);
    const y = h.values[t] - b;
    for (let a = 0; a < nf; a++) {
      aty[a] += f[a] * y;
      for (let c = 0; c < nf; c++) ata[a][c] += f[a] * f[c];
    }
  }
  const [user, item, userSparse, itemSparse, factor, factorUserSparse, factorItemSparse] =
    solveNormalEquations(ata, aty);
  return { user, item, userSparse, itemSparse, factor, factorUserSparse, factorItemSparse };
}

/**
 * Solves `(A + eps I) x = y` by Gaussian elimination with partial pivoting. The whisker
 * of ridge makes a feature that is always zero (a side that never found neighbours) get
 * weight 0 instead of a singular system.
 */
export function solveNormalEquations(a: ReadonlyArray<Float64Array>, y: Float64Array): number[] {
  const n = y.length;
  const m = a.map((row, r) => {
    const out = Array.from(row);
    out[r] += 1e-6;
    out.push(y[r]);
    return out;
  });
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = c + 1; r < n; r++) {
      const k = m[r][c] / m[c][c];
      for (let j = c; j <= n; j++) m[r][j] -= k * m[c][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let j = r + 1; j < n; j++) s -= m[r][j] * x[j];
    x[r] = s / m[r][r];
  }
  return x;
}

/** The item shares tried: 0, 0.1, ..., 1. */
const ITEM_SHARES = Array.from({ length: 11 }, (_, s) => s / 10);
/** The factor shares tried (its scores spread to [0, share] beside sides scaled to [0, 1]). */
const FACTOR_SHARES = [0, 0.1, 0.2, 0.4, 0.7];
/**
 * Held-out users the shares are fitted on, at most: two numbers need no more, and on
 * MovieLens-25M's sample (13,000 users, 59,000 movies) ranking every one of them on the
 * whole grid took longer than building every movie's list.
 */
const SHARE_USERS = 2000;

/**
 * The top-N shares with the best nDCG on the slice, over a grid, scoring exactly as the
 * hybrid's top-N does (algorithms/hybrid.ts): the sides over their maxima blended by the
 * item share, then the factor model's scores spread to [0, factor share] added over the
 * items the sides found.
 */
function fitShares(
  model: Model,
  h: Holdout,
  options: HybridFitOptions,
): Pick<HybridWeights, 'itemShare' | 'factorShare'> {
  const { nItems, byUser } = model.matrix;
  const factors = requireFactors(model);
  const totals = ITEM_SHARES.map(() => new Float64Array(FACTOR_SHARES.length));
  const relevant = new Uint8Array(nItems);
  const itemScores = new Float64Array(nItems);
  const userScores = new Float64Array(nItems);
  const f = new Float64Array(nItems);
  const blended = new Float64Array(nItems);
  const candidates = new Int32Array(nItems);
  const top = new TopK(options.topN);
  const ids = new Int32Array(options.topN);
  const keys = new Float64Array(options.topN);
  const chosen = chosenUsers(model.matrix.nUsers, SHARE_USERS, options.seed);
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
    if (relevantCount > 0 && chosen[u] === 1 && byUser.rowEnd[u] > byUser.rowPtr[u]) {
      users++;
      blendSideScores(model, u, itemScores, userScores);
      for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) {
        itemScores[byUser.colIdx[p]] = 0;
        userScores[byUser.colIdx[p]] = 0;
      }
      // only items that either side scores can enter a top-N
      let nc = 0;
      for (let i = 0; i < nItems; i++) {
        if (itemScores[i] <= 0 && userScores[i] <= 0) continue;
        candidates[nc++] = i;
        f[i] = factorScore(factors, u, i);
      }
      const im = maxScore(itemScores);
      const um = maxScore(userScores);
      for (let s = 0; s < ITEM_SHARES.length; s++) {
        const wi = im > 0 ? ITEM_SHARES[s] / im : 0;
        const wu = um > 0 ? (1 - ITEM_SHARES[s]) / um : 0;
        let low = Number.POSITIVE_INFINITY;
        let high = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < nc; c++) {
          const i = candidates[c];
          blended[i] = wi * itemScores[i] + wu * userScores[i];
          if (blended[i] <= 0) continue;
          if (f[i] < low) low = f[i];
          if (f[i] > high) high = f[i];
        }
        for (let g = 0; g < FACTOR_SHARES.length; g++) {
          const wf = high > low ? FACTOR_SHARES[g] / (high - low) : 0;
          top.clear();
          for (let c = 0; c < nc; c++) {
            const i = candidates[c];
            if (blended[i] <= 0) continue;
            const score = blended[i] + wf * (f[i] - low);
            if (top.admits(score)) top.offer(score, i);
          }
          const count = top.drainSorted(ids, keys);
          const r = rankingScores(
            ids.subarray(0, count),
            (i) => relevant[i] === 1,
            relevantCount,
            options.topN,
          );
          totals[s][g] += r.ndcg;
        }
      }
    }
    for (let t = start; t < end; t++) relevant[h.items[t]] = 0;
    start = end;
  }
  if (users === 0) return { itemShare: 0.5, factorShare: 0 };
  let best = [0, 0];
  for (let s = 0; s < ITEM_SHARES.length; s++) {
    for (let g = 0; g < FACTOR_SHARES.length; g++) {
      if (totals[s][g] > totals[best[0]][best[1]]) best = [s, g];
    }
  }
  return { itemShare: ITEM_SHARES[best[0]], factorShare: FACTOR_SHARES[best[1]] };
}

/**
 * A seeded random choice of at most `max` of n users (all of them when n <= max), as
 * flags: the users that fit the top-N shares.
 */
function chosenUsers(n: number, max: number, seed: number): Uint8Array {
  const chosen = new Uint8Array(n);
  if (n <= max) return chosen.fill(1);
  const order = permutation(n, seed);
  for (let t = 0; t < max; t++) chosen[order[t]] = 1;
  return chosen;
}
