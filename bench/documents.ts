import { pick } from './server-process.ts';

/**
 * The benches' GraphQL documents: one per operation, with variables, as a GraphQL client
 * such as the web page sends them (so the service parses and validates each once). A
 * document with the values written into its text is a new document per request, which
 * costs a parse and a validation each time.
 */
export const RECOMMENDATIONS =
  'query Recommendations($userId: ID!) { recommendations(userId: $userId, first: 10) { movie { title } score } }';

export const SIMILAR_MOVIES =
  'query SimilarMovies($movieId: ID!) { similarMovies(movieId: $movieId, first: 10) { movie { title } similarity } }';

export const RATE_MOVIE =
  'mutation RateMovie($input: RateMovieInput!) { rateMovie(input: $input) { rating { value } } }';

/**
 * rateMovie bodies for random users and movies drawn from `movies` (a uniform pick from
 * every rating's movie draws by popularity), the values cycling over the half stars.
 */
export function rateBodies(userIds: ArrayLike<number>, movies: ArrayLike<number>): () => string {
  let t = 0;
  return () =>
    JSON.stringify({
      query: RATE_MOVIE,
      variables: {
        input: {
          userId: String(pick(userIds)),
          movieId: String(pick(movies)),
          rating: 0.5 + (t++ % 10) / 2,
        },
      },
    });
}

/**
 * The service as a new user runs it in production, the request log on, with writes
 * opened and no per-client allowance: all of a bench's load comes from one address.
 */
export const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  ALLOW_ANONYMOUS_WRITES: 'true',
  RATE_LIMIT: 'off',
  LOG_REQUESTS: 'true',
};
