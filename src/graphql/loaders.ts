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
  /** Empties every loader's cache (after a write: read-your-writes for the rest of the request). */
  forgetAll(): void;
}

/**
 * The loaders of one request, each made when a field first asks for it: most requests
 * need one or two of the six, and making all six cost a trivial request measurable CPU.
 */
export function createLoaders(service: RecommenderService): Loaders {
  return new RequestLoaders(service);
}

class RequestLoaders implements Loaders {
  #movie: Loaders['movie'] | null = null;
  #user: Loaders['user'] | null = null;
  #similarMovies: Loaders['similarMovies'] | null = null;
  #similarUsers: Loaders['similarUsers'] | null = null;
  #recommendations: Loaders['recommendations'] | null = null;
  #predictedRating: Loaders['predictedRating'] | null = null;

  constructor(private readonly service: RecommenderService) {}

  get movie(): Loaders['movie'] {
    this.#movie ??= new DataLoader(async (ids) => this.service.movies(ids));
    return this.#movie;
  }
  get user(): Loaders['user'] {
    this.#user ??= new DataLoader(async (ids) => this.service.users(ids));
    return this.#user;
  }
  get similarMovies(): Loaders['similarMovies'] {
    this.#similarMovies ??= new DataLoader(async (keys) => this.service.similarMovies(keys), {
      cacheKeyFn: (k) => `${k.movieId}:${k.first}`,
    });
    return this.#similarMovies;
  }
  get similarUsers(): Loaders['similarUsers'] {
    this.#similarUsers ??= new DataLoader(async (keys) => this.service.similarUsers(keys), {
      cacheKeyFn: (k) => `${k.userId}:${k.first}`,
    });
    return this.#similarUsers;
  }
  get recommendations(): Loaders['recommendations'] {
    this.#recommendations ??= new DataLoader(async (keys) => this.service.recommendations(keys), {
      cacheKeyFn: (k) =>
        JSON.stringify([k.userId, k.first, k.strategy, [...k.genres].sort(), k.excludeRated]),
    });
    return this.#recommendations;
  }
  get predictedRating(): Loaders['predictedRating'] {
    this.#predictedRating ??= new DataLoader(async (keys) => this.service.predictedRatings(keys), {
      cacheKeyFn: (k) => `${k.userId}:${k.movieId}:${k.strategy}`,
    });
    return this.#predictedRating;
  }

  /**
   * Empties every loader's cache: after a write, a later field of the same request (the
   * mutation's payload, a second mutation's payload) must see the change, not what an
   * earlier field loaded. Writes are rare, so forgetting everything costs nothing worth a
   * finer rule.
   */
  forgetAll(): void {
    for (const loader of [
      this.#movie,
      this.#user,
      this.#similarMovies,
      this.#similarUsers,
      this.#recommendations,
      this.#predictedRating,
    ])
      loader?.clearAll();
  }
}
