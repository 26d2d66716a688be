import { findInRow, type Side } from '../matrix.ts';
import { type Model, requireSide } from '../model.ts';
import { listEnd, listStart } from '../neighbours.ts';
import {
  itemBasedScores,
  listSum,
  type RankingWeight,
  similarityTo,
  userBasedScores,
  weightOf,
} from '../ranking.ts';
import { type SidePredictions, sidePredictions } from '../side-predictions.ts';
import type { RatingPredictions, Reason } from './algorithm.ts';

/*
 * The two kNN sides as building blocks: user-knn and item-knn are one side each, the
 * hybrid is both.
 */

/** Whether u is a known user with ratings: neighbourhood scores have nothing to go on else. */
export function hasRatings(model: Model, u: number): boolean {
  const { byUser } = model.matrix;
  return u >= 0 && byUser.rowEnd[u] > byUser.rowPtr[u];
}

/** One side's kNN estimates, each flagged as a fallback where no neighbour was found. */
export function sideRatings(
  model: Model,
  side: Side,
  users: Int32Array,
  items: Int32Array,
  precomputed: SidePredictions,
): RatingPredictions {
  const p = precomputed[side] ?? sidePredictions(model, requireSide(model, side), users, items);
  const fromNeighbours = new Uint8Array(users.length);
  for (let t = 0; t < users.length; t++) fromNeighbours[t] = p.neighbours[t] > 0 ? 1 : 0;
  return { estimate: p.estimate, fromNeighbours };
}

/**
 * What a rating of user u is weighed against (see weightOf): its mean, or for `damped`
 * its mean pulled toward the middle of the scale as if the user had also given it
 * DAMPED_CENTRE_WEIGHT ratings. Both are functions of u's current ratings alone, so an
 * answer stays a function of the ratings (the service keeps answers on that ground).
 */
export function centreOf(model: Model, weight: RankingWeight, u: number): number {
  if (weight !== 'damped') return model.userMeans[u];
  const { byUser } = model.matrix;
  const n = u >= 0 ? byUser.rowEnd[u] - byUser.rowPtr[u] : 0;
  const middle = (model.config.scale.min + model.config.scale.max) / 2;
  if (n === 0) return middle;
  return (model.userMeans[u] * n + DAMPED_CENTRE_WEIGHT * middle) / (n + DAMPED_CENTRE_WEIGHT);
}

/** The ratings' worth of the scale's middle in a `damped` centre (as popularity's damping). */
export const DAMPED_CENTRE_WEIGHT = 5;

/**
 * Adds u's item-based neighbourhood scores into `out` (see itemBasedScores), the ratings
 * weighted by `weight` (default: the side's own).
 */
export function itemSideScores(
  model: Model,
  u: number,
  out: Float64Array,
  weight: RankingWeight = requireSide(model, 'item').config.rankWeight,
): void {
  const side = requireSide(model, 'item');
  itemBasedScores(
    model.matrix,
    side.lists,
    u,
    weight,
    centreOf(model, weight, u),
    side.config.rankNormalise,
    side.config.rankPower,
    out,
  );
}

/**
 * Adds u's user-based neighbourhood scores into `out` (see userBasedScores), the ratings
 * weighted by `weight` (default: the side's own).
 */
export function userSideScores(
  model: Model,
  u: number,
  out: Float64Array,
  weight: RankingWeight = requireSide(model, 'user').config.rankWeight,
): void {
  const side = requireSide(model, 'user');
  userBasedScores(
    model.matrix,
    side.lists,
    u,
    weight,
    (v) => centreOf(model, weight, v),
    side.config.rankNormalise,
    side.config.rankPower,
    out,
  );
}

/**
 * Where each explained item sits in the call's `items` (k + 1; 0: not asked), one slot per
 * movie. Kept between calls and zeroed after each, so explaining a top-N list costs one
 * scan of the user's rated movies' lists, not one per item.
 */
let itemSlots = new Int32Array(0);

/**
 * For each `items[k]`, the rated movies whose neighbour list holds it, each
 * `scale * s_ij^p / S_i * w(r_ui)` (S as in ranking.ts), onto `out[k]`. Nothing when the
 * model has no item side. `weight` as in itemSideScores.
 */
export function itemReasons(
  model: Model,
  u: number,
  items: ArrayLike<number>,
  scale: number,
  out: Reason[][],
  weight: RankingWeight = model.item?.config.rankWeight ?? 'rating',
): void {
  if (!model.item) return;
  const { byUser } = model.matrix;
  const { lists, config } = model.item;
  if (itemSlots.length < model.matrix.nItems) itemSlots = new Int32Array(model.matrix.nItems);
  const slots = itemSlots;
  for (let k = 0; k < items.length; k++) slots[items[k]] = k + 1;
  const centre = centreOf(model, weight, u);
  const power = config.rankPower;
  for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) {
    const i = byUser.colIdx[p];
    const w = weightOf(weight, byUser.values[p], centre);
    if (w === 0) continue;
    const total = config.rankNormalise ? listSum(lists, i, power) : 1;
    for (let q = listStart(lists, i), qEnd = listEnd(lists, i); q < qEnd; q++) {
      const k = slots[lists.idx[q]];
      const sim = similarityTo(lists.sim[q], power);
      if (k > 0) out[k - 1].push({ kind: 'item', index: i, weight: (scale * sim * w) / total });
    }
  }
  for (let k = 0; k < items.length; k++) slots[items[k]] = 0;
}

/**
 * For each `items[k]`, the neighbour users who rated it, each
 * `scale * s_uv^p / S_u * w(r_v,item)`, onto `out[k]`. Nothing when the model has no user
 * side. `weight` as in userSideScores.
 */
export function userReasons(
  model: Model,
  u: number,
  items: ArrayLike<number>,
  scale: number,
  out: Reason[][],
  weight: RankingWeight = model.user?.config.rankWeight ?? 'rating',
): void {
  if (!model.user) return;
  const { byUser } = model.matrix;
  const { lists, config } = model.user;
  const total = config.rankNormalise ? listSum(lists, u, config.rankPower) : 1;
  for (let q = listStart(lists, u), qEnd = listEnd(lists, u); q < qEnd; q++) {
    const v = lists.idx[q];
    const sim = similarityTo(lists.sim[q], config.rankPower);
    for (let k = 0; k < items.length; k++) {
      const p = findInRow(byUser, v, items[k]);
      if (p < 0) continue;
      const w = weightOf(weight, byUser.values[p], centreOf(model, weight, v));
      if (w !== 0) out[k].push({ kind: 'user', index: v, weight: (scale * sim * w) / total });
    }
  }
}
