import {
  type Baseline,
  type BaselineOptions,
  defaultBaselineOptions,
  fitBaseline,
} from './baseline.ts';
import {
  defaultFactorOptions,
  type FactorOptions,
  type Factors,
  fitFactors,
  type ItemKeys,
} from './factors.ts';
import { type KnnOptions, type KnnPredictions, pairPredictor } from './knn.ts';
import { type RatingMatrix, rowMeans, type Side } from './matrix.ts';
import { buildNeighbourLists, emptyNeighbourLists, type NeighbourLists } from './neighbours.ts';
import { computePopularity, type Popularity } from './popularity.ts';
import type { RankingWeight } from './ranking.ts';
import type { Scale } from './scale.ts';
import { type SimilarityOptions, type SimilaritySpace, similaritySpace } from './similarity.ts';

/**
 * One side (user-based or item-based) of the hybrid. Rating prediction and top-N ranking
 * may use different similarities: residual correlations predict ratings best, while
 * co-occurrence (cosine) finds what a user will watch next.
 */
export interface SideConfig {
  readonly predictSimilarity: SimilarityOptions;
  readonly knn: KnnOptions;
  readonly rankSimilarity: SimilarityOptions;
  /** Length of each stored neighbour list (the k of top-N scoring). */
  readonly listSize: number;
  readonly rankWeight: RankingWeight;
  /** Divide each spread list by the sum of its similarities (see ranking.ts). */
  readonly rankNormalise: boolean;
  /**
   * The power of each neighbour's similarity in the side's top-N score (case
   * amplification, Breese et al. 1998): above 1, the closest neighbours outvote the many
   * weak ones at the end of the list. 4 for users, 1 for movies.
   */
  readonly rankPower: number;
  /**
   * rankWeight when the hybrid blends this side: the item side alone ranks best with
   * `rating`, but beside the user side, which already spreads the ratings of similar
   * raters, it adds most with `damped` (disliked movies push their neighbours down).
   */
  readonly blendRankWeight: RankingWeight;
}

/**
 * The hybrid's blend. For rating prediction each side's deviation from the baseline,
 * `d_s = knn_s - b_ui`, is weighted by how much evidence was behind it (`W_s`, the sum of
 * the neighbours' similarities), since a side that found one weak neighbour deserves less:
 * `r = b_ui + sum_s d_s * (w_s + v_s / (1 + W_s)) + d_f * (w_f + v_fu / sqrt(1 + n_u) +
 * v_fi / sqrt(1 + n_i))` for s in {user, item}, where `d_f = mf_ui - b_ui` is the factor
 * model's deviation (factors.ts), which the user's and the movie's numbers of ratings
 * vouch for: a movie with few ratings has factors that say little.
 * Top-N: `score = itemShare * itemScore / max itemScore + (1 - itemShare) * userScore /
 * max userScore`, and for each item either side scored, `factorShare * (f - min f) /
 * (max f - min f)` over those items, f being the factor model's `p_u . q_i + b_i`.
 */
export interface HybridWeights {
  /** w_user */
  readonly user: number;
  /** w_item */
  readonly item: number;
  /** v_user: the extra weight of a user-based deviation backed by little similarity */
  readonly userSparse: number;
  /** v_item */
  readonly itemSparse: number;
  /** w_factor: the weight of the factor model's deviation `mf_ui - b_ui` */
  readonly factor: number;
  /** v_factor,user: its extra weight over `sqrt(1 + n_u)`, n_u the user's ratings */
  readonly factorUserSparse: number;
  /** v_factor,item: its extra weight over `sqrt(1 + n_i)`, n_i the movie's ratings */
  readonly factorItemSparse: number;
  readonly itemShare: number;
  /** Top-N: the factor model's share, added over the candidates the sides found */
  readonly factorShare: number;
}

/**
 * Where the hybrid's weights come from: given, or fitted at start on held-out ratings
 * ('fit': with the default options of hybrid.ts; `fitRatings`: on whole users holding at
 * most that many ratings).
 */
export type HybridSource = 'fit' | { readonly fitRatings: number } | HybridWeights;

export interface ModelConfig {
  readonly scale: Scale;
  readonly baseline: BaselineOptions;
  readonly popularityDamping: number;
  readonly item: SideConfig;
  readonly user: SideConfig;
  readonly factors: FactorOptions;
  readonly hybrid: HybridWeights;
}

export const defaultModelConfig: ModelConfig = {
  scale: { min: 0.5, max: 5 },
  baseline: defaultBaselineOptions,
  popularityDamping: 5,
  item: {
    predictSimilarity: { metric: 'pearson-baseline', shrinkage: 100, minSupport: 1 },
    knn: { k: 40, minK: 1, centring: 'baseline' },
    rankSimilarity: { metric: 'vector-cosine', shrinkage: 0, minSupport: 1 },
    listSize: 50,
    rankWeight: 'rating',
    rankNormalise: true,
    rankPower: 1,
    blendRankWeight: 'damped',
  },
  user: {
    predictSimilarity: { metric: 'pearson-baseline', shrinkage: 100, minSupport: 1 },
    knn: { k: 40, minK: 1, centring: 'baseline' },
    rankSimilarity: { metric: 'vector-cosine', shrinkage: 0, minSupport: 1 },
    listSize: 50,
    rankWeight: 'rating',
    rankNormalise: false,
    rankPower: 4,
    blendRankWeight: 'rating',
  },
  factors: defaultFactorOptions,
  hybrid: {
    user: 0.4,
    item: 0.6,
    userSparse: 0,
    itemSparse: 0,
    factor: 0,
    factorUserSparse: 0,
    factorItemSparse: 0,
    itemShare: 0.3,
    factorShare: 0,
  },
};

/** A fitted side: its similarity spaces and, once built, its neighbour lists. */
export interface SideModel {
  readonly side: Side;
  readonly config: SideConfig;
  readonly predictSpace: SimilaritySpace;
  readonly rankSpace: SimilaritySpace;
  readonly lists: NeighbourLists;
}

export interface Model {
  readonly config: ModelConfig;
  readonly matrix: RatingMatrix;
  readonly baseline: Baseline;
  readonly popularity: Popularity;
  readonly userMeans: Float64Array;
  readonly item: SideModel | null;
  readonly user: SideModel | null;
  /** The latent-factor model, when fitted. */
  readonly factors: Factors | null;
}

export interface FitParts {
  readonly item: boolean;
  readonly user: boolean;
  /** The latent-factor model (default false). */
  readonly factors?: boolean;
  /** The movies' stable keys, which seed the factor model's start (see ItemKeys). */
  readonly itemKeys?: ItemKeys;
  /**
   * Build the neighbour lists (default true), or those of one side only. Without them the
   * lists start empty, for a caller that fills them from elsewhere (a store holding this
   * model version's lists) or computes each when first needed.
   */
  readonly lists?: boolean | { readonly item: boolean; readonly user: boolean };
}

/** Whether a fit builds one side's lists. */
function buildsLists(parts: FitParts, side: Side): boolean {
  return typeof parts.lists === 'object' ? parts.lists[side] : (parts.lists ?? true);
}

export function fitModel(
  matrix: RatingMatrix,
  config: ModelConfig,
  parts: FitParts = { item: true, user: true, factors: true },
): Model {
  return fitModelPredicting(matrix, config, parts).model;
}

/** A model and, for each fitted side, its kNN predictions of the requested pairs. */
export interface ModelWithPredictions {
  readonly model: Model;
  readonly item: KnnPredictions | null;
  readonly user: KnnPredictions | null;
}

/**
 * Fits a model and predicts the given (user, item) pairs with each kNN side during the
 * same pass that builds the neighbour lists, which is how evaluation and the hybrid's
 * weight fitting avoid walking the inverted index twice.
 */
export function fitModelPredicting(
  matrix: RatingMatrix,
  config: ModelConfig,
  parts: FitParts,
  users: Int32Array = new Int32Array(0),
  items: Int32Array = new Int32Array(0),
  onRow?: (side: Side, row: number) => void,
): ModelWithPredictions {
  const baseline = fitBaseline(matrix, config.baseline);
  const item = parts.item
    ? fitSide(
        matrix,
        'item',
        config.item,
        baseline,
        config.scale,
        users,
        items,
        buildsLists(parts, 'item'),
        onRow && ((row) => onRow('item', row)),
      )
    : null;
  const user = parts.user
    ? fitSide(
        matrix,
        'user',
        config.user,
        baseline,
        config.scale,
        users,
        items,
        buildsLists(parts, 'user'),
        onRow && ((row) => onRow('user', row)),
      )
    : null;
  const factors = parts.factors
    ? fitFactors(matrix, config.factors, undefined, parts.itemKeys)
    : null;
  return {
    model: assembleModel(matrix, config, baseline, item?.side ?? null, user?.side ?? null, factors),
    item: item?.predictions ?? null,
    user: user?.predictions ?? null,
  };
}

function assembleModel(
  matrix: RatingMatrix,
  config: ModelConfig,
  baseline: Baseline,
  item: SideModel | null,
  user: SideModel | null,
  factors: Factors | null,
): Model {
  return {
    config,
    matrix,
    baseline,
    popularity: computePopularity(matrix, baseline.mu, config.popularityDamping),
    userMeans: rowMeans(matrix.byUser, baseline.mu),
    item,
    user,
    factors,
  };
}

/**
 * fitModel of both sides without their lists, one step at a time (the baseline, then
 * each side's similarity spaces), awaiting `between` after each: on MovieLens-25M each
 * step holds the thread for seconds, the whole for half a minute.
 */
export async function fitModelInSteps(
  matrix: RatingMatrix,
  config: ModelConfig,
  between: (done: number) => Promise<void>,
  /** The baseline, when already fitted on the same ratings. */
  fitted?: Baseline,
  /** The factor model, when already fitted on the same ratings. */
  factors: Factors | null = null,
): Promise<Model> {
  const baseline = fitted ?? fitBaseline(matrix, config.baseline);
  await between(0.3);
  const side = (s: Side) =>
    fitSide(matrix, s, config[s], baseline, config.scale, undefined, undefined, false).side;
  const item = side('item');
  await between(0.65);
  const user = side('user');
  await between(1);
  return assembleModel(matrix, config, baseline, item, user, factors);
}

function sameSimilarity(a: SimilarityOptions, b: SimilarityOptions): boolean {
  return a.metric === b.metric && a.shrinkage === b.shrinkage && a.minSupport === b.minSupport;
}

/** Fits one side: its similarity spaces and lists, predicting the given pairs on the way. */
export function fitSide(
  matrix: RatingMatrix,
  side: Side,
  config: SideConfig,
  baseline: Baseline,
  scale: Scale,
  users: Int32Array = new Int32Array(0),
  items: Int32Array = new Int32Array(0),
  withLists = true,
  onRow?: (row: number) => void,
): { side: SideModel; predictions: KnnPredictions } {
  const predictSpace = similaritySpace(matrix, side, config.predictSimilarity, baseline);
  const rankSpace = sameSimilarity(config.predictSimilarity, config.rankSimilarity)
    ? predictSpace
    : similaritySpace(matrix, side, config.rankSimilarity, baseline);
  const predictor = pairPredictor(predictSpace, baseline, config.knn, scale, users, items);
  return {
    side: {
      side,
      config,
      predictSpace,
      rankSpace,
      lists: withLists
        ? buildNeighbourLists(
            rankSpace,
            config.listSize,
            users.length > 0 ? predictor : undefined,
            onRow,
          )
        : emptyNeighbourLists(rankSpace.rows.rows, config.listSize),
    },
    predictions: predictor.result,
  };
}

/** The fitted side, or an error naming it when the model was fitted without it. */
export function requireSide(model: Model, side: Side): SideModel {
  const s = model[side];
  if (!s) throw new Error(`the model was fitted without its ${side}-based side`);
  return s;
}
