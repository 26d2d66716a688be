import { baselineEstimate } from './baseline.ts';
import { findInRow } from './matrix.ts';
import type { Model } from './model.ts';
import { listEnd, listStart } from './neighbours.ts';
import { requireSide, type Strategy } from './predict.ts';
import { itemBasedScores, listSum, maxScore, userBasedScores, weightOf } from './ranking.ts';
import { TopK } from './top-k.ts';

export interface RecommendOptions {
  readonly strategy: Strategy;
  readonly n: number;
  /** Leave out the movies the user has rated (default true). */
  readonly excludeRated?: boolean;
  /** When given, only items with `allowed[i] === 1` are recommended (e.g. a genre filter). */
  readonly allowed?: Uint8Array;
}

export interface Recommendation {
  readonly item: number;
  readonly score: number;
  /** `neighbours` when the strategy scored it; `popularity` when it filled an empty slot. */
  readonly source: 'neighbours' | 'baseline' | 'popularity';
}

/** Reusable buffers for many top-N calls on one model (one per thread). */
export interface RecommendScratch {
  readonly itemScores: Float64Array;
  readonly userScores: Float64Array;
  readonly blocked: Uint8Array;
  /**
   * What the last call multiplied each side's raw score by (1 for a single side; for the
   * hybrid, its share over the side's maximum): explain() uses it so that reasons from
   * both sides are on the scale of the final score.
   */
  readonly scales: { item: number; user: number };
}

export function recommendScratch(model: Model): RecommendScratch {
  const n = model.matrix.nItems;
  return {
    itemScores: new Float64Array(n),
    userScores: new Float64Array(n),
    blocked: new Uint8Array(n),
    scales: { item: 1, user: 1 },
  };
}

/**
 * Top-N movies for user `u` (dense index, or -1 for a user the model has never seen).
 * Scores come from neighbourhood mass rather than predicted ratings, which would favour
 * movies with one enthusiastic rater. Ties go to the lower index. Slots the strategy
 * cannot fill (a new user, a user whose neighbours saw nothing new) are filled with the
 * most popular allowed movies, flagged as such.
 */
export function recommendForUser(
  model: Model,
  u: number,
  options: RecommendOptions,
  scratch: RecommendScratch = recommendScratch(model),
): Recommendation[] {
  const { nItems, byUser } = model.matrix;
  const { itemScores, blocked } = scratch;
  const excludeRated = options.excludeRated ?? true;
  blocked.fill(0);
  if (options.allowed) for (let i = 0; i < nItems; i++) blocked[i] = options.allowed[i] ? 0 : 1;
  if (u >= 0 && excludeRated) {
    for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) blocked[byUser.colIdx[p]] = 1;
  }
  const top = new TopK(options.n);
  const strategy = options.strategy;
  const known = u >= 0 && byUser.rowEnd[u] > byUser.rowPtr[u];
  let source: Recommendation['source'] = 'neighbours';
  if (known && (strategy === 'item' || strategy === 'user' || strategy === 'hybrid')) {
    fillScores(model, u, strategy, scratch);
    for (let i = 0; i < nItems; i++) {
      const s = itemScores[i];
      if (s > 0 && blocked[i] === 0) top.offer(s, i);
    }
  } else if (strategy === 'baseline') {
    source = 'baseline';
    for (let i = 0; i < nItems; i++) {
      if (blocked[i] === 0) top.offer(baselineEstimate(model.baseline, u, i), i);
    }
  }
  const ids = new Int32Array(options.n);
  const scores = new Float64Array(options.n);
  const count = top.drainSorted(ids, scores);
  const out: Recommendation[] = [];
  for (let t = 0; t < count; t++) {
    out.push({ item: ids[t], score: scores[t], source });
    blocked[ids[t]] = 1;
  }
  const { order, count: ratingCount } = model.popularity;
  for (let r = 0; r < order.length && out.length < options.n; r++) {
    const i = order[r];
    if (blocked[i] === 0) out.push({ item: i, score: ratingCount[i], source: 'popularity' });
  }
  return out;
}

/**
 * Leaves the strategy's final score of every item in `itemScores`. For the hybrid each
 * side is normalised by its maximum before blending, so neither side's scale dominates.
 */
function fillScores(
  model: Model,
  u: number,
  strategy: 'item' | 'user' | 'hybrid',
  scratch: RecommendScratch,
): void {
  const { itemScores, userScores, blocked, scales } = scratch;
  scales.item = strategy === 'user' ? 0 : 1;
  scales.user = strategy === 'item' ? 0 : 1;
  itemScores.fill(0);
  if (strategy !== 'user') {
    const side = requireSide(model, 'item');
    itemBasedScores(
      model.matrix,
      side.lists,
      u,
      side.config.rankWeight,
      model.userMeans[u],
      side.config.rankNormalise,
      itemScores,
    );
  }
  if (strategy === 'item') return;
  const side = requireSide(model, 'user');
  const target = strategy === 'user' ? itemScores : userScores;
  if (strategy === 'hybrid') userScores.fill(0);
  userBasedScores(
    model.matrix,
    side.lists,
    u,
    side.config.rankWeight,
    model.userMeans,
    side.config.rankNormalise,
    target,
  );
  if (strategy === 'user') return;
  // the maxima are taken over the candidates only, as when the share was fitted
  const share = model.config.hybrid.itemShare;
  const itemMax = maxScore(itemScores, blocked);
  const userMax = maxScore(userScores, blocked);
  const wi = itemMax > 0 ? share / itemMax : 0;
  const wu = userMax > 0 ? (1 - share) / userMax : 0;
  scales.item = wi;
  scales.user = wu;
  for (let i = 0; i < itemScores.length; i++) {
    itemScores[i] = wi * itemScores[i] + wu * userScores[i];
  }
}

/** Why an item was recommended: a rated movie (item-based) or a similar user (user-based). */
export interface Reason {
  readonly kind: 'item' | 'user';
  /** Dense index of the rated movie or of the neighbour user. */
  readonly index: number;
  /** Its contribution to the item's (unnormalised) side score. */
  readonly weight: number;
}

/**
 * The contributions behind `score(u, item)`, largest first, at most `max` of them:
 * rated movies whose neighbour list holds `item` (`s_ij / S_i * w(r_ui)`), and neighbour
 * users who rated it (`s_uv / S_u * w(r_v,item)`), with the list sums `S` as in ranking.ts.
 */
export function explain(
  model: Model,
  u: number,
  item: number,
  strategy: Strategy,
  max: number,
  scales: { readonly item: number; readonly user: number } = { item: 1, user: 1 },
): Reason[] {
  const reasons: Reason[] = [];
  if (u < 0) return reasons;
  const { byUser } = model.matrix;
  if ((strategy === 'item' || strategy === 'hybrid') && model.item) {
    const { lists, config } = model.item;
    for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) {
      const i = byUser.colIdx[p];
      for (let q = listStart(lists, i), qEnd = listEnd(lists, i); q < qEnd; q++) {
        if (lists.idx[q] !== item) continue;
        const w = weightOf(config.rankWeight, byUser.values[p], model.userMeans[u]);
        const total = config.rankNormalise ? listSum(lists, i) : 1;
        if (w !== 0) {
          reasons.push({
            kind: 'item',
            index: i,
            weight: (scales.item * lists.sim[q] * w) / total,
          });
        }
        break;
      }
    }
  }
  if ((strategy === 'user' || strategy === 'hybrid') && model.user) {
    const { lists, config } = model.user;
    const total = config.rankNormalise ? listSum(lists, u) : 1;
    for (let q = listStart(lists, u), qEnd = listEnd(lists, u); q < qEnd; q++) {
      const v = lists.idx[q];
      const p = findInRow(byUser, v, item);
      if (p < 0) continue;
      const w = weightOf(config.rankWeight, byUser.values[p], model.userMeans[v]);
      if (w !== 0) {
        reasons.push({ kind: 'user', index: v, weight: (scales.user * lists.sim[q] * w) / total });
      }
    }
  }
  reasons.sort((a, b) => b.weight - a.weight || a.index - b.index);
  return reasons.slice(0, max);
}
