import type { RatingMatrix } from './matrix.ts';
import type { NeighbourLists } from './neighbours.ts';

/**
 * How much a rating counts when it spreads to neighbours in a top-N score:
 * `one` (implicit: having rated is the signal), `rating` (r), or `centred` (r - mean of
 * the rater), which lets disliked movies push their neighbours down.
 */
export type RankingWeight = 'one' | 'rating' | 'centred';

export function weightOf(kind: RankingWeight, r: number, mean: number): number {
  return kind === 'one' ? 1 : kind === 'rating' ? r : r - mean;
}

/**
 * Item-based neighbourhood score (Sarwar et al.; Deshpande & Karypis):
 * `score(u, j) = sum_{i in I_u, j in N_k(i)} s_ij * w(r_ui)`.
 * Adds into `out` (indexed by item) and returns the number of rated items that spread.
 */
export function itemBasedScores(
  m: RatingMatrix,
  itemLists: NeighbourLists,
  u: number,
  weight: RankingWeight,
  userMean: number,
  out: Float64Array,
): void {
  const { byUser } = m;
  for (let p = byUser.rowPtr[u]; p < byUser.rowPtr[u + 1]; p++) {
    const i = byUser.colIdx[p];
    const w = weightOf(weight, byUser.values[p], userMean);
    if (w === 0) continue;
    for (let q = itemLists.rowPtr[i]; q < itemLists.rowPtr[i + 1]; q++) {
      out[itemLists.idx[q]] += itemLists.sim[q] * w;
    }
  }
}

/**
 * User-based neighbourhood score: `score(u, j) = sum_{v in N_k(u), j in I_v} s_uv * w(r_vj)`.
 * `userMeans` is needed only for the `centred` weight.
 */
export function userBasedScores(
  m: RatingMatrix,
  userLists: NeighbourLists,
  u: number,
  weight: RankingWeight,
  userMeans: Float64Array,
  out: Float64Array,
): void {
  const { byUser } = m;
  for (let q = userLists.rowPtr[u]; q < userLists.rowPtr[u + 1]; q++) {
    const v = userLists.idx[q];
    const s = userLists.sim[q];
    const mean = userMeans[v];
    for (let p = byUser.rowPtr[v]; p < byUser.rowPtr[v + 1]; p++) {
      out[byUser.colIdx[p]] += s * weightOf(weight, byUser.values[p], mean);
    }
  }
}
