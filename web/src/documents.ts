import { gql } from 'urql';

/**
 * Every GraphQL document the page sends, fixed at build time: ids and filters travel as
 * variables, never inside the query text, so the server parses and validates each document
 * once (its document cache would fill up with one entry per id otherwise, see README
 * "What was tried and what held"). Each stays far inside the server's limits: depth at
 * most 4 of 10, no aliases, and a cost of at most about 1,000 of 5,000 (the user's 100
 * latest ratings are the largest list).
 */

export type Strategy = 'HYBRID' | 'USER_BASED' | 'ITEM_BASED' | 'POPULAR';
export type MovieOrder = 'POPULARITY' | 'AVERAGE_RATING' | 'TITLE' | 'YEAR';

/** The strategies in the order the page offers them, with a label for each. */
export const STRATEGIES: ReadonlyArray<{ readonly value: Strategy; readonly label: string }> = [
  { value: 'HYBRID', label: 'Hybrid (both kinds of neighbour)' },
  { value: 'USER_BASED', label: 'User-based (people like you)' },
  { value: 'ITEM_BASED', label: 'Item-based (movies like yours)' },
  { value: 'POPULAR', label: 'Popular (most rated)' },
];

export const ORDERS: ReadonlyArray<{ readonly value: MovieOrder; readonly label: string }> = [
  { value: 'POPULARITY', label: 'Most rated' },
  { value: 'AVERAGE_RATING', label: 'Highest rated' },
  { value: 'TITLE', label: 'Title' },
  { value: 'YEAR', label: 'Newest' },
];

/** How many movies a page of the catalogue shows. */
export const PAGE_SIZE = 20;
/** How many recommendations and similar movies are asked for. */
export const LIST_SIZE = 10;
/** The most of the user's ratings the page reads (the server's cap on `first`). */
export const RATINGS_READ = 100;

/** The fields every movie row shows. */
export interface MovieSummary {
  readonly id: string;
  readonly title: string;
  readonly year: number | null;
  readonly genres: ReadonlyArray<string>;
}

export interface GenresData {
  readonly genres: ReadonlyArray<{ readonly name: string; readonly movieCount: number }>;
}

export const GenresQuery = gql<GenresData, Record<string, never>>`
  query Genres {
    genres {
      name
      movieCount
    }
  }
`;

export interface MoviesData {
  readonly movies: {
    readonly totalCount: number;
    readonly edges: ReadonlyArray<{
      readonly cursor: string;
      readonly node: MovieSummary & {
        readonly averageRating: number | null;
        readonly ratingCount: number;
      };
    }>;
    readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  };
}

export interface MoviesVariables {
  readonly filter: { readonly search?: string; readonly genres?: ReadonlyArray<string> };
  readonly orderBy: MovieOrder;
  readonly first: number;
  readonly after: string | null;
}

export const MoviesQuery = gql<MoviesData, MoviesVariables>`
  query Movies($filter: MovieFilter, $orderBy: MovieOrder, $first: Int!, $after: String) {
    movies(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          id
          title
          year
          genres
          averageRating
          ratingCount
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export interface UserRating {
  readonly value: number;
  readonly ratedAt: string;
  readonly movie: MovieSummary;
}

export interface UserData {
  /** Null for an id that has never rated anything: a new user. */
  readonly user: {
    readonly id: string;
    readonly ratingCount: number;
    readonly meanRating: number | null;
    readonly ratings: {
      readonly totalCount: number;
      readonly edges: ReadonlyArray<{ readonly node: UserRating }>;
    };
  } | null;
}

export const UserQuery = gql<UserData, { readonly userId: string; readonly first: number }>`
  query User($userId: ID!, $first: Int!) {
    user(id: $userId) {
      id
      ratingCount
      meanRating
      ratings(first: $first) {
        totalCount
        edges {
          node {
            value
            ratedAt
            movie {
              id
              title
              year
              genres
            }
          }
        }
      }
    }
  }
`;

/** Whether an id has rated anything, for picking an unused id for a new user. */
export const UserExistsQuery = gql<
  { readonly user: { readonly id: string } | null },
  { readonly userId: string }
>`
  query UserExists($userId: ID!) {
    user(id: $userId) {
      id
    }
  }
`;

export type ReasonKind = 'RATED_MOVIE' | 'SIMILAR_USER';

export interface Recommendation {
  readonly movie: MovieSummary;
  readonly score: number;
  readonly predictedRating: number | null;
  readonly source: 'NEIGHBOURS' | 'POPULARITY';
  readonly reasons: ReadonlyArray<{
    readonly kind: ReasonKind;
    readonly weight: number;
    readonly rating: number | null;
    readonly movie: { readonly id: string; readonly title: string } | null;
    readonly user: { readonly id: string } | null;
  }>;
}

export interface RecommendationsVariables {
  readonly userId: string;
  readonly strategy: Strategy;
  readonly first: number;
}

export const RecommendationsQuery = gql<
  { readonly recommendations: ReadonlyArray<Recommendation> },
  RecommendationsVariables
>`
  query Recommendations($userId: ID!, $strategy: Strategy!, $first: Int!) {
    recommendations(userId: $userId, strategy: $strategy, first: $first) {
      movie {
        id
        title
        year
        genres
      }
      score
      predictedRating
      source
      reasons {
        kind
        weight
        rating
        movie {
          id
          title
        }
        user {
          id
        }
      }
    }
  }
`;

export interface MovieDetails extends MovieSummary {
  readonly averageRating: number | null;
  readonly ratingCount: number;
  readonly tags: ReadonlyArray<string>;
  readonly similar: ReadonlyArray<{
    readonly similarity: number;
    readonly support: number;
    readonly movie: MovieSummary;
  }>;
}

export const MovieQuery = gql<
  { readonly movie: MovieDetails | null },
  { readonly id: string; readonly similarFirst: number }
>`
  query Movie($id: ID!, $similarFirst: Int!) {
    movie(id: $id) {
      id
      title
      year
      genres
      averageRating
      ratingCount
      tags
      similar(first: $similarFirst) {
        similarity
        support
        movie {
          id
          title
          year
          genres
        }
      }
    }
  }
`;

/** `rateMovie` is null when the rating was refused (an error says why). */
export interface RateMovieData {
  readonly rateMovie: {
    readonly previousValue: number | null;
    readonly rating: { readonly value: number };
  } | null;
}

// The payloads name the User, Movie and Rating they changed: urql's document cache drops
// (and refetches, network-only) every cached query whose result holds one of those types.
export const RateMovieMutation = gql<
  RateMovieData,
  { readonly input: { readonly userId: string; readonly movieId: string; readonly rating: number } }
>`
  mutation RateMovie($input: RateMovieInput!) {
    rateMovie(input: $input) {
      previousValue
      rating {
        value
        ratedAt
      }
      user {
        id
        ratingCount
      }
      movie {
        id
        ratingCount
        averageRating
      }
    }
  }
`;

export const RemoveRatingMutation = gql<
  { readonly removeRating: { readonly rating: { readonly value: number } } | null },
  { readonly input: { readonly userId: string; readonly movieId: string } }
>`
  mutation RemoveRating($input: RemoveRatingInput!) {
    removeRating(input: $input) {
      rating {
        value
      }
      user {
        id
        ratingCount
      }
      movie {
        id
        ratingCount
        averageRating
      }
    }
  }
`;
