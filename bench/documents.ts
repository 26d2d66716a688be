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
