import type { RatingMatrix } from './matrix.ts';
import { listEnd, listStart, type NeighbourLists } from './neighbours.ts';

/**
 * How much a rating counts when it spreads to neighbours in a top-N score:
 * `one` (implicit: having rated is the signal), `rating` (r), or `centred` (r - mean of
 * the rater), which lets disliked movies push their neighbours down.
 */
export type RankingWeight = 'one' | 'rating' | 'centred' | 'damped';

/**
 * `damped` is centred too, on the rater's mean pulled toward the middle of the scale, so
 * that a user with one rating, or all alike, still says which movies are liked (centred
 * on the user's own mean, such a rating weighs nothing). `centre` is the rater's mean for
 * `centred` and its damped mean for `damped` (see centreOf in algorithms/knn-sides.ts).
 */
export function weightOf(kind: RankingWeight, r: number, centre: number): number {
  return kind === 'one' ? 1 : kind === 'rating' ? r : r - centre;
}

/**
 * Item-based neighbourhood score (Sarwar et al.; Deshpande & Karypis):
 * `score(u, j) = sum_{i in I_u, j in N_k(i)} s_ij^p / S_i * w(r_ui)`, where `S_i` is the
 * sum of i's list (each `s^p`) when `normalise` is set (else 1). Normalising keeps a
 * movie with many strong neighbours from outvoting the rest of the user's history.
 * Adds into `out` (indexed by item).
 */
export function itemBasedScores(
  m: RatingMatrix,
  itemLists: NeighbourLists,
  u: number,
  weight: RankingWeight,
  userMean: number,
  normalise: boolean,
  power: number,
  out: Float64Array,
): void {
  const { byUser } = m;
  for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) {
    const i = byUser.colIdx[p];
    const w =
      weightOf(weight, byUser.values[p], userMean) / (normalise ? listSum(itemLists, i, power) : 1);
    if (w === 0 || !Number.isFinite(w)) continue;
    for (let q = listStart(itemLists, i), qEnd = listEnd(itemLists, i); q < qEnd; q++) {
      out[itemLists.idx[q]] += similarityTo(itemLists.sim[q], power) * w;
    }
  }
}

/**
 * User-based neighbourhood score:
 * `score(u, j) = sum_{v in N_k(u), j in I_v} s_uv^p / S_u * w(r_vj)`, with `S_u` the sum
 * of u's list (each `s^p`) when `normalise` is set (a constant per user, so it changes
 * only how the hybrid blends). `centres` is read only for the `centred` and `residual`
 * weights.
 */
export function userBasedScores(
  m: RatingMatrix,
  userLists: NeighbourLists,
  u: number,
  weight: RankingWeight,
  centres: (v: number) => number,
  normalise: boolean,
  power: number,
  out: Float64Array,
): void {
  const { byUser } = m;
  const total = normalise ? listSum(userLists, u, power) : 1;
  if (!(total > 0)) return;
  for (let q = listStart(userLists, u), qEnd = listEnd(userLists, u); q < qEnd; q++) {
    const v = userLists.idx[q];
    const s = similarityTo(userLists.sim[q], power) / total;
    const mean = centres(v);
    for (let p = byUser.rowPtr[v]; p < byUser.rowEnd[v]; p++) {
      out[byUser.colIdx[p]] += s * weightOf(weight, byUser.values[p], mean);
    }
  }
}

/** The largest positive score, among the items not blocked when a mask is given; 0 if none. */
export function maxScore(scores: Float64Array, blocked?: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] > m && (!blocked || blocked[i] === 0)) m = scores[i];
  }
  return m;
}

/** Sum of the similarities in entity a's list, each to the power `power`. */
export function listSum(lists: NeighbourLists, a: number, power = 1): number {
  let s = 0;
  for (let q = listStart(lists, a), qEnd = listEnd(lists, a); q < qEnd; q++) {
    s += similarityTo(lists.sim[q], power);
  }
  return s;
}

/** `s^power`, without the power call in the common case of 1. */
export function similarityTo(s: number, power: number): number {
  return power === 1 ? s : s ** power;
}
