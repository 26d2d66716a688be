import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Resolver types generated from the contract: a schema change the resolvers do not follow
 * fails `tsc`. Parents are the service's plain views (mappers), not the GraphQL types.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'src/graphql/generated/resolvers.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useIndexSignature: false,
        contextType: '../context.ts#Context',
        mapperTypeSuffix: 'Model',
        mappers: {
          Movie: '../../service/views.ts#MovieView',
          User: '../../service/views.ts#UserView',
          Rating: '../../service/views.ts#RatingView',
          Recommendation: '../../service/views.ts#RecommendationView',
          Reason: '../../service/views.ts#ReasonView',
          SimilarMovie: '../../service/views.ts#SimilarMovieView',
          SimilarUser: '../../service/views.ts#SimilarUserView',
          Genre: '../../service/views.ts#GenreView',
          MovieConnection: '../../service/views.ts#MoviePage',
          RatingConnection: '../../service/views.ts#RatingPage',
          RateMoviePayload: '../../service/views.ts#RateMovieResult',
          RemoveRatingPayload: '../../service/views.ts#RemoveRatingResult',
        },
        enumsAsTypes: true,
        immutableTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        emitLegacyCommonJSImports: false,
        useTypeImports: true,
        importExtension: '.ts',
      },
    },
  },
};

export default config;
