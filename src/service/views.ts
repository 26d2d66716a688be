/**
 * What the service hands to the GraphQL layer: plain, immutable records keyed by
 * MovieLens ids. Resolvers turn ids into these through per-request DataLoaders.
 */
import type { AlgorithmName } from '../engine/algorithms.ts';

export interface MovieView {
  readonly id: number;
  readonly title: string;
  readonly year: number | null;
  readonly genres: ReadonlyArray<string>;
  readonly averageRating: number | null;
  readonly ratingCount: number;
  readonly tags: ReadonlyArray<string>;
  readonly imdbId: string | null;
  readonly tmdbId: number | null;
}

export interface UserView {
  readonly id: number;
  readonly ratingCount: number;
  readonly meanRating: number | null;
}

export interface RatingView {
  readonly userId: number;
  readonly movieId: number;
  readonly value: number;
  /** Seconds since the Unix epoch. */
  readonly timestamp: number;
}

export interface ReasonView {
  readonly kind: 'RATED_MOVIE' | 'SIMILAR_USER';
  readonly weight: number;
  readonly movieId: number | null;
  readonly userId: number | null;
  readonly rating: number | null;
}

export interface RecommendationView {
  readonly movieId: number;
  readonly score: number;
  /** What predictedRating needs, computed only when a query asks for it (it costs rows). */
  readonly prediction: PredictionRequest;
  readonly source: 'NEIGHBOURS' | 'POPULARITY';
  readonly reasons: ReadonlyArray<ReasonView>;
}

export interface SimilarMovieView {
  readonly movieId: number;
  readonly similarity: number;
  readonly support: number;
}

export interface SimilarUserView {
  readonly userId: number;
  readonly similarity: number;
  readonly support: number;
}

export interface GenreView {
  readonly name: string;
  readonly movieCount: number;
}

export interface Page<T> {
  readonly nodes: ReadonlyArray<T>;
  /** Offset of the first node in the whole ordered list. */
  readonly offset: number;
  readonly totalCount: number;
}

export type MoviePage = Page<MovieView>;
export type RatingPage = Page<RatingView>;

export interface RateMovieResult {
  readonly rating: RatingView;
  readonly previousValue: number | null;
}

export interface RemoveRatingResult {
  readonly rating: RatingView;
}

/** The arguments of one recommendations request. */
export interface RecommendationRequest {
  readonly userId: number;
  readonly first: number;
  readonly strategy: AlgorithmName;
  /** Genre names; empty for no filter. */
  readonly genres: ReadonlyArray<string>;
  readonly excludeRated: boolean;
}

/** A predicted rating to compute: the user's rating of the movie, by a strategy. */
export interface PredictionRequest {
  readonly userId: number;
  readonly movieId: number;
  readonly strategy: RecommendationRequest['strategy'];
}
