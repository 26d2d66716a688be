import type { GraphQLResolveInfo } from 'graphql';
import type { MovieView as MovieViewModel, UserView as UserViewModel, RatingView as RatingViewModel, RecommendationView as RecommendationViewModel, ReasonView as ReasonViewModel, SimilarMovieView as SimilarMovieViewModel, SimilarUserView as SimilarUserViewModel, GenreView as GenreViewModel, MoviePage as MoviePageModel, RatingPage as RatingPageModel, RateMovieResult as RateMovieResultModel, RemoveRatingResult as RemoveRatingResultModel } from '../../service/views.ts';
import type { Context } from '../context.ts';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
};

/** A genre and how many movies of the catalogue carry it. */
export type Genre = {
  readonly __typename?: 'Genre';
  readonly movieCount: Scalars['Int']['output'];
  readonly name: Scalars['String']['output'];
};

/** A movie of the catalogue. */
export type Movie = {
  readonly __typename?: 'Movie';
  /** Mean of the movie's ratings, or null when it has none. */
  readonly averageRating: Maybe<Scalars['Float']['output']>;
  /** Genres, for example Action or Comedy; empty when none are listed. */
  readonly genres: ReadonlyArray<Scalars['String']['output']>;
  /** MovieLens movie id. */
  readonly id: Scalars['ID']['output'];
  /** IMDb id as MovieLens gives it (digits, leading zeros kept), when known. */
  readonly imdbId: Maybe<Scalars['String']['output']>;
  /** How many ratings the movie has. */
  readonly ratingCount: Scalars['Int']['output'];
  /** The movies most similar to this one, most similar first. `first` is at most 100. */
  readonly similar: ReadonlyArray<SimilarMovie>;
  /** Free-text tags users gave the movie (distinct, first spelling kept). */
  readonly tags: ReadonlyArray<Scalars['String']['output']>;
  /** The title without its trailing year. */
  readonly title: Scalars['String']['output'];
  /** The Movie Database (TMDB) id, when known. */
  readonly tmdbId: Maybe<Scalars['Int']['output']>;
  /** Release year, when the data set gives one. */
  readonly year: Maybe<Scalars['Int']['output']>;
};


/** A movie of the catalogue. */
export type MovieSimilarArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type MovieConnection = {
  readonly __typename?: 'MovieConnection';
  readonly edges: ReadonlyArray<MovieEdge>;
  readonly pageInfo: PageInfo;
  /** Movies matching the filter, across all pages. */
  readonly totalCount: Scalars['Int']['output'];
};

export type MovieEdge = {
  readonly __typename?: 'MovieEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: Movie;
};

export type MovieFilter = {
  /** Movies with at least one of these genres. */
  readonly genres?: InputMaybe<ReadonlyArray<Scalars['String']['input']>>;
  /** Case-insensitive words that must all appear in the title. */
  readonly search?: InputMaybe<Scalars['String']['input']>;
  /** Released in or after this year. */
  readonly yearFrom?: InputMaybe<Scalars['Int']['input']>;
  /** Released in or before this year. */
  readonly yearTo?: InputMaybe<Scalars['Int']['input']>;
};

export type MovieOrder =
  /** Highest damped mean first (a movie with one 5.0 does not top the list). */
  | 'AVERAGE_RATING'
  /** Most rated first. */
  | 'POPULARITY'
  /** Alphabetical. */
  | 'TITLE'
  /** Newest first; movies without a year last. */
  | 'YEAR';

/**
 * Every mutation field is nullable: a refused mutation is null with an error whose path
 * names it, and an error elsewhere in the request never hides a write that was accepted.
 */
export type Mutation = {
  readonly __typename?: 'Mutation';
  /**
   * Records (or replaces) a user's rating of a movie. It is on disk before this returns,
   * and the user's recommendations and the affected similar-movie lists already reflect it.
   * A new user id is accepted. Null (with an error) when the rating was refused.
   */
  readonly rateMovie: Maybe<RateMoviePayload>;
  /** Removes a user's rating of a movie. Null (with NOT_FOUND) when there is none. */
  readonly removeRating: Maybe<RemoveRatingPayload>;
};


/**
 * Every mutation field is nullable: a refused mutation is null with an error whose path
 * names it, and an error elsewhere in the request never hides a write that was accepted.
 */
export type MutationRateMovieArgs = {
  input: RateMovieInput;
};


/**
 * Every mutation field is nullable: a refused mutation is null with an error whose path
 * names it, and an error elsewhere in the request never hides a write that was accepted.
 */
export type MutationRemoveRatingArgs = {
  input: RemoveRatingInput;
};

export type PageInfo = {
  readonly __typename?: 'PageInfo';
  readonly endCursor: Maybe<Scalars['String']['output']>;
  readonly hasNextPage: Scalars['Boolean']['output'];
  readonly hasPreviousPage: Scalars['Boolean']['output'];
  readonly startCursor: Maybe<Scalars['String']['output']>;
};

export type Query = {
  readonly __typename?: 'Query';
  /** Every genre of the catalogue, with how many movies carry it, by name. */
  readonly genres: ReadonlyArray<Genre>;
  /** A movie by its MovieLens id, or null when the data set has no such movie. */
  readonly movie: Maybe<Movie>;
  /**
   * Movies of the catalogue, filtered and ordered, as a Relay-style connection.
   * `first` is at most 100.
   */
  readonly movies: MovieConnection;
  /**
   * What the user should watch next, best first. A user with no ratings gets the most
   * popular movies (`source: POPULARITY`). `first` is at most 100.
   */
  readonly recommendations: ReadonlyArray<Recommendation>;
  /** The movies most similar to this one, most similar first. `first` is at most 100. */
  readonly similarMovies: ReadonlyArray<SimilarMovie>;
  /** A user by id, or null when the user has never rated anything. */
  readonly user: Maybe<User>;
};


export type QueryMovieArgs = {
  id: Scalars['ID']['input'];
};


export type QueryMoviesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<MovieFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<MovieOrder>;
};


export type QueryRecommendationsArgs = {
  excludeRated?: InputMaybe<Scalars['Boolean']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  genres?: InputMaybe<ReadonlyArray<Scalars['String']['input']>>;
  strategy?: InputMaybe<Strategy>;
  userId: Scalars['ID']['input'];
};


export type QuerySimilarMoviesArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  movieId: Scalars['ID']['input'];
};


export type QueryUserArgs = {
  id: Scalars['ID']['input'];
};

export type RateMovieInput = {
  readonly movieId: Scalars['ID']['input'];
  /** On the data set's scale: 0.5 to 5 in steps of 0.5 for ml-latest-small, 1 to 5 for ml-100k. */
  readonly rating: Scalars['Float']['input'];
  readonly userId: Scalars['ID']['input'];
};

/**
 * An accepted rating: the payload is there whenever the rating was saved. `rating`, `user`
 * and `movie` are null only when a field selected inside them failed (the error says
 * which), never because the rating was not saved.
 */
export type RateMoviePayload = {
  readonly __typename?: 'RateMoviePayload';
  readonly movie: Maybe<Movie>;
  /** The user's rating of the movie before this one, if any. */
  readonly previousValue: Maybe<Scalars['Float']['output']>;
  readonly rating: Maybe<Rating>;
  readonly user: Maybe<User>;
};

/** A user's rating of a movie. */
export type Rating = {
  readonly __typename?: 'Rating';
  readonly movie: Movie;
  /** When the rating was given, ISO 8601. */
  readonly ratedAt: Scalars['String']['output'];
  readonly user: User;
  /** On the data set's scale (0.5 to 5 in halves for ml-latest-small). */
  readonly value: Scalars['Float']['output'];
};

export type RatingConnection = {
  readonly __typename?: 'RatingConnection';
  readonly edges: ReadonlyArray<RatingEdge>;
  readonly pageInfo: PageInfo;
  readonly totalCount: Scalars['Int']['output'];
};

export type RatingEdge = {
  readonly __typename?: 'RatingEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: Rating;
};

/** Why a movie was recommended: a movie the user rated, or a similar user who rated it. */
export type Reason = {
  readonly __typename?: 'Reason';
  readonly kind: ReasonKind;
  /** The rated movie (kind RATED_MOVIE): because you rated this. */
  readonly movie: Maybe<Movie>;
  /** The rating behind it: yours of `movie`, or `user`'s of the recommended movie. */
  readonly rating: Maybe<Scalars['Float']['output']>;
  /** The similar user (kind SIMILAR_USER) who rated the recommended movie. */
  readonly user: Maybe<User>;
  /** Its contribution to the score. */
  readonly weight: Scalars['Float']['output'];
};

export type ReasonKind =
  | 'RATED_MOVIE'
  | 'SIMILAR_USER';

/** A recommended movie and why. */
export type Recommendation = {
  readonly __typename?: 'Recommendation';
  readonly movie: Movie;
  /** The rating the user would give it, as the strategy predicts; null for POPULAR. */
  readonly predictedRating: Maybe<Scalars['Float']['output']>;
  /** The rated movies and similar users that contributed most, largest weight first. */
  readonly reasons: ReadonlyArray<Reason>;
  /**
   * The ranking score: neighbourhood mass, not a rating (for the hybrid, a blend of both
   * sides' scores normalised to their maximum; for POPULAR, the movie's rating count).
   */
  readonly score: Scalars['Float']['output'];
  /** Where the recommendation came from. */
  readonly source: RecommendationSource;
};

export type RecommendationSource =
  /** Scored by the strategy's neighbours. */
  | 'NEIGHBOURS'
  /** Filled in from the most popular movies (a new user, or too few neighbours). */
  | 'POPULARITY';

export type RemoveRatingInput = {
  readonly movieId: Scalars['ID']['input'];
  readonly userId: Scalars['ID']['input'];
};

/** An accepted removal; `rating`, `user` and `movie` as in RateMoviePayload. */
export type RemoveRatingPayload = {
  readonly __typename?: 'RemoveRatingPayload';
  readonly movie: Maybe<Movie>;
  /** The rating that was removed. */
  readonly rating: Maybe<Rating>;
  readonly user: Maybe<User>;
};

/** A movie similar to another. */
export type SimilarMovie = {
  readonly __typename?: 'SimilarMovie';
  readonly movie: Movie;
  /** Similarity in (0, 1]. */
  readonly similarity: Scalars['Float']['output'];
  /** How many users rated both movies. */
  readonly support: Scalars['Int']['output'];
};

/** A user similar to another. */
export type SimilarUser = {
  readonly __typename?: 'SimilarUser';
  /** Similarity in (0, 1]. */
  readonly similarity: Scalars['Float']['output'];
  /** How many movies both users rated. */
  readonly support: Scalars['Int']['output'];
  readonly user: User;
};

export type Strategy =
  /** The blend of user-based, item-based and latent-factor scores fitted on held-out ratings. */
  | 'HYBRID'
  /** Movies similar to the ones the user rated. */
  | 'ITEM_BASED'
  /** The most rated movies. */
  | 'POPULAR'
  /** Movies that similar users rated. */
  | 'USER_BASED';

/** A user who has rated movies (or is about to: a new id is a user with no ratings). */
export type User = {
  readonly __typename?: 'User';
  readonly id: Scalars['ID']['output'];
  /** Mean of the user's ratings, or null when there are none. */
  readonly meanRating: Maybe<Scalars['Float']['output']>;
  /** How many movies the user has rated. */
  readonly ratingCount: Scalars['Int']['output'];
  /** The user's ratings, newest first. `first` is at most 100. */
  readonly ratings: RatingConnection;
  /** What the user should watch next; the same as Query.recommendations. */
  readonly recommendations: ReadonlyArray<Recommendation>;
  /** The users whose taste is most like this user's, most similar first. */
  readonly similarUsers: ReadonlyArray<SimilarUser>;
};


/** A user who has rated movies (or is about to: a new id is a user with no ratings). */
export type UserRatingsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** A user who has rated movies (or is about to: a new id is a user with no ratings). */
export type UserRecommendationsArgs = {
  excludeRated?: InputMaybe<Scalars['Boolean']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  genres?: InputMaybe<ReadonlyArray<Scalars['String']['input']>>;
  strategy?: InputMaybe<Strategy>;
};


/** A user who has rated movies (or is about to: a new id is a user with no ratings). */
export type UserSimilarUsersArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  Genre: ResolverTypeWrapper<GenreViewModel>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  Movie: ResolverTypeWrapper<MovieViewModel>;
  MovieConnection: ResolverTypeWrapper<MoviePageModel>;
  MovieEdge: ResolverTypeWrapper<Omit<MovieEdge, 'node'> & { node: ResolversTypes['Movie'] }>;
  MovieFilter: MovieFilter;
  MovieOrder: MovieOrder;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  RateMovieInput: RateMovieInput;
  RateMoviePayload: ResolverTypeWrapper<RateMovieResultModel>;
  Rating: ResolverTypeWrapper<RatingViewModel>;
  RatingConnection: ResolverTypeWrapper<RatingPageModel>;
  RatingEdge: ResolverTypeWrapper<Omit<RatingEdge, 'node'> & { node: ResolversTypes['Rating'] }>;
  Reason: ResolverTypeWrapper<ReasonViewModel>;
  ReasonKind: ReasonKind;
  Recommendation: ResolverTypeWrapper<RecommendationViewModel>;
  RecommendationSource: RecommendationSource;
  RemoveRatingInput: RemoveRatingInput;
  RemoveRatingPayload: ResolverTypeWrapper<RemoveRatingResultModel>;
  SimilarMovie: ResolverTypeWrapper<SimilarMovieViewModel>;
  SimilarUser: ResolverTypeWrapper<SimilarUserViewModel>;
  Strategy: Strategy;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  User: ResolverTypeWrapper<UserViewModel>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Boolean: Scalars['Boolean']['output'];
  Float: Scalars['Float']['output'];
  Genre: GenreViewModel;
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  Movie: MovieViewModel;
  MovieConnection: MoviePageModel;
  MovieEdge: Omit<MovieEdge, 'node'> & { node: ResolversParentTypes['Movie'] };
  MovieFilter: MovieFilter;
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  RateMovieInput: RateMovieInput;
  RateMoviePayload: RateMovieResultModel;
  Rating: RatingViewModel;
  RatingConnection: RatingPageModel;
  RatingEdge: Omit<RatingEdge, 'node'> & { node: ResolversParentTypes['Rating'] };
  Reason: ReasonViewModel;
  Recommendation: RecommendationViewModel;
  RemoveRatingInput: RemoveRatingInput;
  RemoveRatingPayload: RemoveRatingResultModel;
  SimilarMovie: SimilarMovieViewModel;
  SimilarUser: SimilarUserViewModel;
  String: Scalars['String']['output'];
  User: UserViewModel;
};

export type GenreResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Genre'] = ResolversParentTypes['Genre']> = {
  movieCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type MovieResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Movie'] = ResolversParentTypes['Movie']> = {
  averageRating?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  genres?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  imdbId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  ratingCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  similar?: Resolver<ReadonlyArray<ResolversTypes['SimilarMovie']>, ParentType, ContextType, RequireFields<MovieSimilarArgs, 'first'>>;
  tags?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
  title?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  tmdbId?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  year?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type MovieConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MovieConnection'] = ResolversParentTypes['MovieConnection']> = {
  edges?: Resolver<ReadonlyArray<ResolversTypes['MovieEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type MovieEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MovieEdge'] = ResolversParentTypes['MovieEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Movie'], ParentType, ContextType>;
};

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  rateMovie?: Resolver<Maybe<ResolversTypes['RateMoviePayload']>, ParentType, ContextType, RequireFields<MutationRateMovieArgs, 'input'>>;
  removeRating?: Resolver<Maybe<ResolversTypes['RemoveRatingPayload']>, ParentType, ContextType, RequireFields<MutationRemoveRatingArgs, 'input'>>;
};

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  hasPreviousPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  startCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  genres?: Resolver<ReadonlyArray<ResolversTypes['Genre']>, ParentType, ContextType>;
  movie?: Resolver<Maybe<ResolversTypes['Movie']>, ParentType, ContextType, RequireFields<QueryMovieArgs, 'id'>>;
  movies?: Resolver<ResolversTypes['MovieConnection'], ParentType, ContextType, RequireFields<QueryMoviesArgs, 'first' | 'orderBy'>>;
  recommendations?: Resolver<ReadonlyArray<ResolversTypes['Recommendation']>, ParentType, ContextType, RequireFields<QueryRecommendationsArgs, 'excludeRated' | 'first' | 'strategy' | 'userId'>>;
  similarMovies?: Resolver<ReadonlyArray<ResolversTypes['SimilarMovie']>, ParentType, ContextType, RequireFields<QuerySimilarMoviesArgs, 'first' | 'movieId'>>;
  user?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType, RequireFields<QueryUserArgs, 'id'>>;
};

export type RateMoviePayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['RateMoviePayload'] = ResolversParentTypes['RateMoviePayload']> = {
  movie?: Resolver<Maybe<ResolversTypes['Movie']>, ParentType, ContextType>;
  previousValue?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  rating?: Resolver<Maybe<ResolversTypes['Rating']>, ParentType, ContextType>;
  user?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
};

export type RatingResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Rating'] = ResolversParentTypes['Rating']> = {
  movie?: Resolver<ResolversTypes['Movie'], ParentType, ContextType>;
  ratedAt?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  value?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type RatingConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['RatingConnection'] = ResolversParentTypes['RatingConnection']> = {
  edges?: Resolver<ReadonlyArray<ResolversTypes['RatingEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type RatingEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['RatingEdge'] = ResolversParentTypes['RatingEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Rating'], ParentType, ContextType>;
};

export type ReasonResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Reason'] = ResolversParentTypes['Reason']> = {
  kind?: Resolver<ResolversTypes['ReasonKind'], ParentType, ContextType>;
  movie?: Resolver<Maybe<ResolversTypes['Movie']>, ParentType, ContextType>;
  rating?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  user?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  weight?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type RecommendationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Recommendation'] = ResolversParentTypes['Recommendation']> = {
  movie?: Resolver<ResolversTypes['Movie'], ParentType, ContextType>;
  predictedRating?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  reasons?: Resolver<ReadonlyArray<ResolversTypes['Reason']>, ParentType, ContextType>;
  score?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  source?: Resolver<ResolversTypes['RecommendationSource'], ParentType, ContextType>;
};

export type RemoveRatingPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['RemoveRatingPayload'] = ResolversParentTypes['RemoveRatingPayload']> = {
  movie?: Resolver<Maybe<ResolversTypes['Movie']>, ParentType, ContextType>;
  rating?: Resolver<Maybe<ResolversTypes['Rating']>, ParentType, ContextType>;
  user?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
};

export type SimilarMovieResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SimilarMovie'] = ResolversParentTypes['SimilarMovie']> = {
  movie?: Resolver<ResolversTypes['Movie'], ParentType, ContextType>;
  similarity?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  support?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type SimilarUserResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SimilarUser'] = ResolversParentTypes['SimilarUser']> = {
  similarity?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  support?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
};

export type UserResolvers<ContextType = Context, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  meanRating?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  ratingCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  ratings?: Resolver<ResolversTypes['RatingConnection'], ParentType, ContextType, RequireFields<UserRatingsArgs, 'first'>>;
  recommendations?: Resolver<ReadonlyArray<ResolversTypes['Recommendation']>, ParentType, ContextType, RequireFields<UserRecommendationsArgs, 'excludeRated' | 'first' | 'strategy'>>;
  similarUsers?: Resolver<ReadonlyArray<ResolversTypes['SimilarUser']>, ParentType, ContextType, RequireFields<UserSimilarUsersArgs, 'first'>>;
};

export type Resolvers<ContextType = Context> = {
  Genre?: GenreResolvers<ContextType>;
  Movie?: MovieResolvers<ContextType>;
  MovieConnection?: MovieConnectionResolvers<ContextType>;
  MovieEdge?: MovieEdgeResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  RateMoviePayload?: RateMoviePayloadResolvers<ContextType>;
  Rating?: RatingResolvers<ContextType>;
  RatingConnection?: RatingConnectionResolvers<ContextType>;
  RatingEdge?: RatingEdgeResolvers<ContextType>;
  Reason?: ReasonResolvers<ContextType>;
  Recommendation?: RecommendationResolvers<ContextType>;
  RemoveRatingPayload?: RemoveRatingPayloadResolvers<ContextType>;
  SimilarMovie?: SimilarMovieResolvers<ContextType>;
  SimilarUser?: SimilarUserResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
};

