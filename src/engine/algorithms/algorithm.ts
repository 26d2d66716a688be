import type { Model } from '../model.ts';
import type { SidePredictions } from '../side-predictions.ts';

/**
 * What one recommendation algorithm is, defined once (see ../algorithms.ts for the
 * registry): predictRatings, recommendForUser, explain, evaluation and the service
 * dispatch through these fields rather than switching on names.
 */
export interface Algorithm<Name extends string = string> {
  /** The engine's name: the registry key, and RecommendOptions' `strategy`. */
  readonly name: Name;
  /** A human name, for charts and reports. */
  readonly label: string;
  readonly fits: AlgorithmFits;
  /**
   * Whether its rating estimate depends on the user. The service shows no predicted rating
   * for an algorithm that is not personal (popularity's damped mean says nothing about
   * this user).
   */
  readonly personal: boolean;
  /**
   * Predicts the ratings of many (user, item) pairs; index -1 is a user or item the model
   * has never seen. `precomputed` holds side predictions of the very same pairs when the
   * fitting pass already made them (see fitModelPredicting).
   */
  predict(
    model: Model,
    users: Int32Array,
    items: Int32Array,
    precomputed: SidePredictions,
  ): RatingPredictions;
  /** How it fills a top-N list; null when it scores nothing (popularity fills every slot). */
  readonly topN: TopNScorer | null;
  /**
   * Pushes onto `out[k]` the contributions behind its top-N score of `items[k]` for user
   * `u` (u >= 0), in any order, each multiplied by its side's scale. The items are
   * distinct; one call explains a whole top-N list, so what they share is read once.
   */
  explain(
    model: Model,
    u: number,
    items: ArrayLike<number>,
    scales: Readonly<SideScales>,
    out: Reason[][],
  ): void;
  readonly reads: ListReads;
}

/** What fitting a model must build for the algorithm. */
export interface AlgorithmFits {
  /** The item-based kNN side (fitModel's FitParts.item). */
  readonly item: boolean;
  /** The user-based kNN side (fitModel's FitParts.user). */
  readonly user: boolean;
  /** The latent-factor model (fitModel's FitParts.factors). */
  readonly factors: boolean;
  /**
   * A blend of its own fitted on held-out training ratings before the model (the hybrid's
   * HybridWeights, see fitHybridWeights); without it the configured weights are used.
   */
  readonly blend: boolean;
}

/**
 * The neighbour lists a top-N call for user u reads, which a service that shares lists
 * through a store must make current first.
 */
export interface ListReads {
  /** The item lists of the movies u rated. */
  readonly ratedMovies: boolean;
  /** u's own user list. */
  readonly ownList: boolean;
}

export interface TopNScorer {
  /** What a slot it fills is flagged as. */
  readonly source: 'neighbours' | 'baseline';
  /**
   * Which items are candidates: `positive` where a score of 0 means nothing spoke for the
   * item (neighbourhood mass), `all` where every score is an estimate.
   */
  readonly candidates: 'positive' | 'all';
  /**
   * Leaves user u's score of every item in `scratch.itemScores` (u may be -1) and sets
   * `scratch.scales` for explain. Returns false, scoring nothing, when it has nothing to go
   * on (a user without ratings), so that popularity fills the list.
   */
  score(model: Model, u: number, scratch: RecommendScratch): boolean;
}

export interface RatingPredictions {
  readonly estimate: Float64Array;
  /** 1 where neighbours produced the estimate, 0 where it is a fallback. */
  readonly fromNeighbours: Uint8Array;
}

/**
 * What a top-N call multiplied each side's raw score by (1 for a single side; for the
 * hybrid, its share over the side's maximum), so that reasons from both sides are on the
 * scale of the final score.
 */
export interface SideScales {
  item: number;
  user: number;
  /** The factor model's share over the spread of its scores (hybrid only; else 0). */
  factor: number;
}

/** Reusable buffers for many top-N calls on one model (one per thread). */
export interface RecommendScratch {
  readonly itemScores: Float64Array;
  readonly userScores: Float64Array;
  readonly blocked: Uint8Array;
  /** The scales of the last call's scores, for explain(). */
  readonly scales: SideScales;
}

/** Why an item was recommended: a rated movie (item-based) or a similar user (user-based). */
export interface Reason {
  readonly kind: 'item' | 'user';
  /** Dense index of the rated movie or of the neighbour user. */
  readonly index: number;
  /** Its contribution to the item's (unnormalised) side score. */
  readonly weight: number;
}
