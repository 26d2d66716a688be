import type { RecommenderService } from '../service/recommender-service.ts';
import { encodeCursor, parseFirst, parseId, parseRating } from '../service/validate.ts';
import type { MovieView, RecommendationRequest, UserView } from '../service/views.ts';
import type { Context } from './context.ts';
import type { Resolvers, Strategy } from './generated/resolvers.ts';
import { algorithmOfStrategy } from './strategies.ts';

function recommendationRequest(
  service: RecommenderService,
  userId: number,
  args: {
    first?: number | null;
    strategy?: Strategy | null;
    genres?: ReadonlyArray<string> | null;
    excludeRated?: boolean | null;
  },
): RecommendationRequest {
  // checked here, so a bad genre fails this field alone, not every field in its batch
  service.checkGenres('genres', args.genres ?? []);
  return {
    userId,
    first: parseFirst('first', args.first, 10),
    strategy: algorithmOfStrategy(args.strategy ?? 'HYBRID'),
    genres: args.genres ?? [],
    excludeRated: args.excludeRated ?? true,
  };
}

/** A loaded movie that must exist (ids come from the model itself). */
async function movieOf(ctx: Context, id: number): Promise<MovieView> {
  const movie = await ctx.loaders.movie.load(id);
  if (!movie) throw new Error(`movie ${id} vanished from the catalogue`);
  return movie;
}

/** A user referenced by the model; one who removed every rating still exists. */
async function userOf(ctx: Context, id: number): Promise<UserView> {
  return (await ctx.loaders.user.load(id)) ?? { id, ratingCount: 0, meanRating: null };
}

function pageInfo(offset: number, count: number, total: number, kind: string) {
  return {
    hasNextPage: offset + count < total,
    hasPreviousPage: offset > 0,
    startCursor: count > 0 ? encodeCursor(kind, offset) : null,
    endCursor: count > 0 ? encodeCursor(kind, offset + count) : null,
  };
}

/**
 * Thin resolvers: parse and validate arguments, then go through the request's loaders.
 * Parents are the service's views (see codegen.ts mappers).
 */
export function createResolvers(service: RecommenderService): Resolvers {
  return {
    Query: {
      movie: (_, { id }, ctx) => ctx.loaders.movie.load(parseId('id', id)),
      movies: (_, { filter, orderBy, first, after }) =>
        service.listMovies(
          filter ?? {},
          orderBy ?? 'POPULARITY',
          parseFirst('first', first, 20),
          after,
        ),
      genres: () => service.genres(),
      user: (_, { id }, ctx) => ctx.loaders.user.load(parseId('id', id)),
      recommendations: (_, args, ctx) =>
        ctx.loaders.recommendations.load(
          recommendationRequest(service, parseId('userId', args.userId), args),
        ),
      similarMovies: (_, { movieId, first }, ctx) =>
        ctx.loaders.similarMovies.load({
          movieId: parseId('movieId', movieId),
          first: parseFirst('first', first, 10),
        }),
    },
    Mutation: {
      // input is checked before the write is allowed, so a malformed request costs no
      // allowance; only then does the service look at its state
      rateMovie: async (_, { input }, ctx) => {
        const userId = parseId('input.userId', input.userId);
        const movieId = parseId('input.movieId', input.movieId);
        const value = parseRating('input.rating', input.rating, service.scale);
        await ctx.allowWrite(userId);
        const result = await service.rate(userId, movieId, value);
        ctx.loaders.forgetAll(); // read-your-writes for the rest of this request
        return result;
      },
      removeRating: async (_, { input }, ctx) => {
        const userId = parseId('input.userId', input.userId);
        const movieId = parseId('input.movieId', input.movieId);
        await ctx.allowWrite(userId);
        const result = await service.remove(userId, movieId);
        ctx.loaders.forgetAll();
        return result;
      },
    },
    RateMoviePayload: {
      rating: (p) => p.rating,
      previousValue: (p) => p.previousValue,
      user: (p, _, ctx) => userOf(ctx, p.rating.userId),
      movie: (p, _, ctx) => movieOf(ctx, p.rating.movieId),
    },
    RemoveRatingPayload: {
      rating: (p) => p.rating,
      user: (p, _, ctx) => userOf(ctx, p.rating.userId),
      movie: (p, _, ctx) => movieOf(ctx, p.rating.movieId),
    },
    Movie: {
      id: (m) => String(m.id),
      similar: (m, { first }, ctx) =>
        ctx.loaders.similarMovies.load({ movieId: m.id, first: parseFirst('first', first, 10) }),
    },
    User: {
      id: (u) => String(u.id),
      ratings: (u, { first, after }) =>
        service.ratingsOf(u.id, parseFirst('first', first, 20), after),
      recommendations: (u, args, ctx) =>
        ctx.loaders.recommendations.load(recommendationRequest(service, u.id, args)),
      similarUsers: (u, { first }, ctx) =>
        ctx.loaders.similarUsers.load({ userId: u.id, first: parseFirst('first', first, 10) }),
    },
    Rating: {
      user: (r, _, ctx) => userOf(ctx, r.userId),
      movie: (r, _, ctx) => movieOf(ctx, r.movieId),
      ratedAt: (r) => new Date(r.timestamp * 1000).toISOString(),
    },
    Recommendation: {
      movie: (r, _, ctx) => movieOf(ctx, r.movieId),
      predictedRating: (r, _, ctx) => ctx.loaders.predictedRating.load(r.prediction),
    },
    Reason: {
      movie: (r, _, ctx) => (r.movieId === null ? null : movieOf(ctx, r.movieId)),
      user: (r, _, ctx) => (r.userId === null ? null : userOf(ctx, r.userId)),
    },
    SimilarMovie: {
      movie: (s, _, ctx) => movieOf(ctx, s.movieId),
    },
    SimilarUser: {
      user: (s, _, ctx) => userOf(ctx, s.userId),
    },
    MovieConnection: {
      edges: (p) =>
        p.nodes.map((node, k) => ({ cursor: encodeCursor('movies', p.offset + k + 1), node })),
      pageInfo: (p) => pageInfo(p.offset, p.nodes.length, p.totalCount, 'movies'),
    },
    RatingConnection: {
      edges: (p) =>
        p.nodes.map((node, k) => ({ cursor: encodeCursor('ratings', p.offset + k + 1), node })),
      pageInfo: (p) => pageInfo(p.offset, p.nodes.length, p.totalCount, 'ratings'),
    },
  };
}
