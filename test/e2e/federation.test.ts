/**
 * The service as an Apollo Federation 2 subgraph: its SDL (read from `_service`, as a
 * router reads it) composes with another subgraph that owns Movie and User by key, and a
 * gateway on the composed supergraph answers queries that cross both.
 */
import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_DIR, gqlData, type InProcessServer, startInProcess } from './helpers.ts';

/** Another team's subgraph: it owns which movies are featured and who the user is. */
const CATALOG_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Movie @key(fields: "id") { id: ID! inCinemas: Boolean! }
  type User @key(fields: "id") { id: ID! name: String! }
  type Query { featured: [Movie!]! me: User! }
`;

let recs: InProcessServer;
let catalog: ApolloServer;
let catalogUrl: string;
let gateway: ApolloServer;
let gatewayUrl: string;
let supergraphSdl: string;

beforeAll(async () => {
  recs = await startInProcess({ dataset: FIXTURE_DIR, server: { subgraph: true } });
  catalog = new ApolloServer({
    schema: buildSubgraphSchema([
      {
        typeDefs: parse(CATALOG_SDL),
        resolvers: {
          Query: { featured: () => [{ id: '1' }, { id: '2' }], me: () => ({ id: '3' }) },
          Movie: { inCinemas: (m: { id: string }) => m.id === '1' },
          User: { name: () => 'Ada' },
        },
      },
    ]),
  });
  catalogUrl = (await startStandaloneServer(catalog, { listen: { port: 0, host: '127.0.0.1' } }))
    .url;
  const { _service } = await gqlData<{ _service: { sdl: string } }>(
    recs.url,
    '{ _service { sdl } }',
  );
  const composed = composeServices([
    { name: 'recs', typeDefs: parse(_service.sdl), url: recs.url },
    { name: 'catalog', typeDefs: parse(CATALOG_SDL), url: catalogUrl },
  ]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  supergraphSdl = composed.supergraphSdl;
  gateway = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl }) });
  gatewayUrl = (await startStandaloneServer(gateway, { listen: { port: 0, host: '127.0.0.1' } }))
    .url;
});

afterAll(async () => {
  await gateway?.stop();
  await catalog?.stop();
  await recs?.close();
});

describe('a supergraph that owns Movie and User', () => {
  it('given the subgraph SDL, when composed, then Movie and User are entities keyed by id in both subgraphs', () => {
    expect(supergraphSdl).toMatch(
      /type Movie\s+@join__type\(graph: CATALOG, key: "id"\)\s+@join__type\(graph: RECS, key: "id"\)/,
    );
    expect(supergraphSdl).toMatch(
      /type User\s+@join__type\(graph: CATALOG, key: "id"\)\s+@join__type\(graph: RECS, key: "id"\)/,
    );
  });

  it('given featured movies and the signed-in user from the other subgraph, when the gateway is asked for their similar movies and recommendations, then this service answers by key', async () => {
    const res = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `{
          featured { id inCinemas title similar(first: 2) { movie { title } } }
          me { id name ratingCount recommendations(first: 2) { movie { id title } } }
        }`,
      }),
    });
    const body = (await res.json()) as {
      data: {
        featured: Array<{ id: string; inCinemas: boolean; title: string; similar: unknown[] }>;
        me: { id: string; name: string; ratingCount: number; recommendations: unknown[] };
      };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    const titles = recs.service.movies([1, 2]).map((m) => m?.title);
    expect(body.data.featured.map((m) => [m.id, m.inCinemas, m.title])).toEqual([
      ['1', true, titles[0]],
      ['2', false, titles[1]],
    ]);
    for (const m of body.data.featured) expect(m.similar.length).toBeGreaterThan(0);
    expect(body.data.me).toMatchObject({
      id: '3',
      name: 'Ada',
      ratingCount: recs.service.users([3])[0]?.ratingCount,
    });
    expect(body.data.me.recommendations).toHaveLength(2);
  });

  it('given the subgraph alone, when queried as before, then the ordinary API still answers', async () => {
    const data = await gqlData<{ movie: { title: string } }>(
      recs.url,
      '{ movie(id: 1) { title } }',
    );
    expect(data.movie.title).toBe(recs.service.movies([1])[0]?.title);
  });
});
