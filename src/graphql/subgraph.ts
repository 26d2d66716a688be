import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import {
  type DocumentNode,
  type GraphQLSchema,
  Kind,
  type ObjectTypeDefinitionNode,
  parse,
  visit,
} from 'graphql';
import type { RecommenderService } from '../service/recommender-service.ts';
import { parseId } from '../service/validate.ts';
import type { Context } from './context.ts';
import { createResolvers } from './resolvers.ts';

/** The entities this service shares with a supergraph, all keyed by their MovieLens id. */
const ENTITIES = new Set(['Movie', 'User']);

/**
 * The contract as an Apollo Federation 2 subgraph: schema.graphql unchanged, plus the
 * federation link and `@key(fields: "id")` on Movie and User, so a supergraph that owns
 * movies and users can ask this service for their ratings, neighbours and
 * recommendations by id.
 */
export function subgraphTypeDefs(typeDefs: string): DocumentNode {
  const keyed = visit(parse(typeDefs), {
    ObjectTypeDefinition(node): ObjectTypeDefinitionNode | undefined {
      if (!ENTITIES.has(node.name.value)) return undefined;
      return { ...node, directives: [...(node.directives ?? []), keyDirective()] };
    },
  });
  const link = parse(
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])',
  );
  return { ...keyed, definitions: [...link.definitions, ...keyed.definitions] };
}

function keyDirective() {
  return {
    kind: Kind.DIRECTIVE,
    name: { kind: Kind.NAME, value: 'key' },
    arguments: [
      {
        kind: Kind.ARGUMENT,
        name: { kind: Kind.NAME, value: 'fields' },
        value: { kind: Kind.STRING, value: 'id' },
      },
    ],
  } as const;
}

/** The subgraph schema: the usual resolvers plus reference resolvers for the entities. */
export function subgraphSchema(typeDefs: string, service: RecommenderService): GraphQLSchema {
  const resolvers = createResolvers(service);
  return buildSubgraphSchema([
    {
      typeDefs: subgraphTypeDefs(typeDefs),
      resolvers: {
        ...resolvers,
        Movie: {
          ...resolvers.Movie,
          // an id the catalogue lacks resolves to null, as Query.movie does
          __resolveReference: (ref: { id: string }, ctx: Context) =>
            ctx.loaders.movie.load(parseId('id', ref.id)),
        },
        User: {
          ...resolvers.User,
          // every id is a user, one with no ratings yet included
          __resolveReference: async (ref: { id: string }, ctx: Context) => {
            const id = parseId('id', ref.id);
            return (await ctx.loaders.user.load(id)) ?? { id, ratingCount: 0, meanRating: null };
          },
        },
        // the generated Resolvers type does not know federation's reference resolvers
      } as unknown as GraphQLResolverMap<Context>,
    },
  ]);
}
