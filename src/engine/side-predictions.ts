import { type KnnPredictions, predictKnn } from './knn.ts';
import type { Model, SideModel } from './model.ts';

/** Side predictions of the very same pairs, already made (see fitModelPredicting). */
export interface SidePredictions {
  readonly user?: KnnPredictions | null;
  readonly item?: KnnPredictions | null;
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
