import DataLoader from 'dataloader';
import type { RecommenderService } from '../service/recommender-service.ts';
import type {
  MovieView,
  PredictionRequest,
  RecommendationRequest,
  RecommendationView,
  SimilarMovieView,
  SimilarUserView,
  UserView,
} from '../service/views.ts';

/**
 * The per-request DataLoaders. Every field that needs a movie, a user, a neighbour list or
 * a recommendation list goes through one of these, so a query touching hundreds of them
 * costs one service call per kind per tick, and repeated keys in a request are served from
 * the request's cache. Built anew for each request: a module-wide loader would serve one
 * user's cached data to another and never see new ratings.
 */
export interface Loaders {
  readonly movie: DataLoader<number, MovieView | null>;
  readonly user: DataLoader<number, UserView | null>;
  readonly similarMovies: DataLoader<
    { movieId: number; first: number },
    SimilarMovieView[],
    string
  >;
  readonly similarUsers: DataLoader<{ userId: number; first: number }, SimilarUserView[], string>;
  readonly recommendations: DataLoader<RecommendationRequest, RecommendationView[], string>;
  readonly predictedRating: DataLoader<PredictionRequest, number | null, string>;
}

export function createLoaders(service: RecommenderService): Loaders {
  return {
    movie: new DataLoader(async (ids) => service.movies(ids)),
    user: new DataLoader(async (ids) => service.users(ids)),
    similarMovies: new DataLoader(async (keys) => service.similarMovies(keys), {
      cacheKeyFn: (k) => `${k.movieId}:${k.first}`,
    }),
    similarUsers: new DataLoader(async (keys) => service.similarUsers(keys), {
      cacheKeyFn: (k) => `${k.userId}:${k.first}`,
    }),
    recommendations: new DataLoader(async (keys) => service.recommendations(keys), {
      cacheKeyFn: (k) =>
        JSON.stringify([k.userId, k.first, k.strategy, [...k.genres].sort(), k.excludeRated]),
    }),
    predictedRating: new DataLoader(async (keys) => service.predictedRatings(keys), {
      cacheKeyFn: (k) => `${k.userId}:${k.movieId}:${k.strategy}`,
    }),
  };
}

/**
 * Empties every loader's cache: after a write, a later field of the same request (the
 * mutation's payload, a second mutation's payload) must see the change, not what an
 * earlier field loaded. Writes are rare, so forgetting everything costs nothing worth a
 * finer rule.
 */
export function forgetAll(loaders: Loaders): void {
  loaders.movie.clearAll();
  loaders.user.clearAll();
  loaders.similarMovies.clearAll();
  loaders.similarUsers.clearAll();
  loaders.recommendations.clearAll();
  loaders.predictedRating.clearAll();
}
