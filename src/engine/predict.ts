import type { RatingPredictions } from './algorithms/algorithm.ts';
import { type AlgorithmName, algorithmByName } from './algorithms.ts';
import type { Model } from './model.ts';
import type { SidePredictions } from './side-predictions.ts';

export type { RatingPredictions } from './algorithms/algorithm.ts';
export { requireSide } from './model.ts';
export { type SidePredictions, sidePredictions } from './side-predictions.ts';

/**
 * Predicts ratings with one algorithm (its formula is in its file under algorithms/).
 * Users or items unknown to the model are index -1 and get the baseline (which is then
 * the global mean plus whichever bias is known). `precomputed` holds side predictions of
 * the very same pairs when fitting already made them (see fitModelPredicting).
 */
export function predictRatings(
  model: Model,
  strategy: AlgorithmName,
  users: Int32Array,
  items: Int32Array,
  precomputed: SidePredictions = {},
): RatingPredictions {
  return algorithmByName[strategy].predict(model, users, items, precomputed);
}
