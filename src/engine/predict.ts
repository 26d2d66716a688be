import { baselineEstimate } from './baseline.ts';
import { type KnnPredictions, predictKnn } from './knn.ts';
import type { Model, SideModel } from './model.ts';
import { clip } from './scale.ts';

export type Strategy = 'popularity' | 'baseline' | 'user' | 'item' | 'hybrid';

/** Side predictions of the very same pairs, already made (see fitModelPredicting). */
export interface SidePredictions {
  readonly user?: KnnPredictions | null;
  readonly item?: KnnPredictions | null;
}

export interface RatingPredictions {
  readonly estimate: Float64Array;
  /** 1 where neighbours produced the estimate, 0 where it is a fallback. */
  readonly fromNeighbours: Uint8Array;
}

/** kNN predictions of one side, for many (user, item) pairs at once. */
export function sidePredictions(
  model: Model,
  side: SideModel,
  users: Int32Array,
  items: Int32Array,
): KnnPredictions {
  return predictKnn(
    side.predictSpace,
    model.baseline,
    side.config.knn,
    model.config.scale,
    users,
    items,
  );
}

/**
 * Predicts ratings with one strategy. Users or items unknown to the model are index -1
 * and get the baseline (which is then the global mean plus whichever bias is known).
 * Hybrid: `r = b_ui + sum_s d_s * (w_s + v_s / (1 + W_s))` (see HybridWeights), where a
 * side that found no neighbours contributes nothing.
 */
export function predictRatings(
  model: Model,
  strategy: Strategy,
  users: Int32Array,
  items: Int32Array,
  precomputed: SidePredictions = {},
): RatingPredictions {
  const n = users.length;
  const estimate = new Float64Array(n);
  const fromNeighbours = new Uint8Array(n);
  const { scale } = model.config;
  if (strategy === 'popularity') {
    for (let t = 0; t < n; t++) {
      estimate[t] = clip(
        items[t] >= 0 ? model.popularity.dampedMean[items[t]] : model.baseline.mu,
        scale,
      );
    }
    return { estimate, fromNeighbours };
  }
  if (strategy === 'baseline') {
    for (let t = 0; t < n; t++) {
      estimate[t] = clip(baselineEstimate(model.baseline, users[t], items[t]), scale);
    }
    return { estimate, fromNeighbours };
  }
  if (strategy === 'user' || strategy === 'item') {
    const p =
      precomputed[strategy] ?? sidePredictions(model, requireSide(model, strategy), users, items);
    for (let t = 0; t < n; t++) fromNeighbours[t] = p.neighbours[t] > 0 ? 1 : 0;
    return { estimate: p.estimate, fromNeighbours };
  }
  const up = precomputed.user ?? sidePredictions(model, requireSide(model, 'user'), users, items);
  const ip = precomputed.item ?? sidePredictions(model, requireSide(model, 'item'), users, items);
  const w = model.config.hybrid;
  for (let t = 0; t < n; t++) {
    const b = clip(baselineEstimate(model.baseline, users[t], items[t]), scale);
    const du = up.neighbours[t] > 0 ? up.estimate[t] - b : 0;
    const di = ip.neighbours[t] > 0 ? ip.estimate[t] - b : 0;
    const blend =
      du * (w.user + w.userSparse / (1 + up.weight[t])) +
      di * (w.item + w.itemSparse / (1 + ip.weight[t]));
    estimate[t] = clip(b + blend, scale);
    fromNeighbours[t] = up.neighbours[t] > 0 || ip.neighbours[t] > 0 ? 1 : 0;
  }
  return { estimate, fromNeighbours };
}

export function requireSide(model: Model, side: 'user' | 'item'): SideModel {
  const s = model[side];
  if (!s) throw new Error(`the model was fitted without its ${side}-based side`);
  return s;
}
