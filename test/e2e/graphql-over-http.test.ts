/**
 * The endpoint against the GraphQL over HTTP specification, checked by graphql-http's
 * conformance audit (the reference implementation's own suite), plus the points of it a
 * client meets first.
 */
import { type AuditResult, serverAudits } from 'graphql-http';
import { describe, expect, it } from 'vitest';
import { FIXTURE_DIR, serverForFile } from './helpers.ts';

const server = serverForFile({ dataset: FIXTURE_DIR });

describe('the graphql-http conformance audit', () => {
  it('given every audit of the specification, when run against /graphql, then every MUST and every SHOULD passes', async () => {
    const results: Array<AuditResult & { name: string }> = [];
    for (const audit of serverAudits({ url: server.url })) {
      results.push({ ...(await audit.fn()), name: audit.name });
    }
    const errors = results
      .filter((r) => r.status === 'error')
      .map((r) => `${r.name}: ${'reason' in r ? r.reason : ''}`);
    expect(errors).toEqual([]);
    const warnings = results
      .filter((r) => r.status === 'warn')
      .map((r) => `${r.name}: ${'reason' in r ? r.reason : ''}`);
    expect(warnings).toEqual([]);
    expect(results.filter((r) => r.status === 'ok').length).toBeGreaterThan(30);
  });
});

describe('media types and methods', () => {
  it('given Accept: application/graphql-response+json, when querying, then the answer has that media type', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
      },
      body: JSON.stringify({ query: '{ movie(id: 1) { id } }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(await res.json()).toEqual({ data: { movie: { id: '1' } } });
  });

  it('given a query by GET with a preflight-forcing header, when sent, then it is answered', async () => {
    const res = await fetch(
      `${server.url}?query=${encodeURIComponent('{ movie(id: 1) { id } }')}`,
      {
        headers: { 'apollo-require-preflight': 'true' },
      },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { movie: { id: '1' } } });
  });

  it('given a mutation by GET, when sent, then 405 with Allow: POST and nothing is written', async () => {
    const before = server.service.users([1])[0]?.ratingCount;
    const mutation =
      'mutation { rateMovie(input: { userId: 1, movieId: 1, rating: 1 }) { previousValue } }';
    const res = await fetch(`${server.url}?query=${encodeURIComponent(mutation)}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await res.text()).toContain('GET requests only support query operations');
    expect(server.service.users([1])[0]?.ratingCount).toBe(before);
  });
});

describe('the status of a request error, by what the client accepts', () => {
  const bodies = {
    'a parse failure': { query: '{ movie(id: 1) { title ' },
    'a validation failure': { query: '{ movie(id: 1) { director } }' },
    'a variable coercion failure': {
      query: 'query ($id: ID!) { movie(id: $id) { id } }',
      variables: {},
    },
    'a query over the root-field limit': { query: `{ ${'genres { name } '.repeat(21)}}` },
    'an unknown operation name': { query: 'query A { genres { name } }', operationName: 'B' },
  } as const;
  type Failure = keyof typeof bodies;
  const json = 'application/json';
  const graphqlJson = 'application/graphql-response+json';

  it.each<[string, Failure, number, string]>([
    [json, 'a parse failure', 200, 'GRAPHQL_PARSE_FAILED'],
    [json, 'a validation failure', 200, 'GRAPHQL_VALIDATION_FAILED'],
    [json, 'a variable coercion failure', 200, 'BAD_USER_INPUT'],
    [`${json}; charset=utf-8`, 'a validation failure', 200, 'GRAPHQL_VALIDATION_FAILED'],
    [`${graphqlJson};q=0, ${json}`, 'a parse failure', 200, 'GRAPHQL_PARSE_FAILED'],
    // the specification's status for the newer media type, also when both are named
    [graphqlJson, 'a parse failure', 400, 'GRAPHQL_PARSE_FAILED'],
    [graphqlJson, 'a validation failure', 400, 'GRAPHQL_VALIDATION_FAILED'],
    [graphqlJson, 'a variable coercion failure', 400, 'BAD_USER_INPUT'],
    [`${json}, ${graphqlJson}`, 'a validation failure', 400, 'GRAPHQL_VALIDATION_FAILED'],
    // a client that names no GraphQL media type has not said it needs the legacy 200
    ['*/*', 'a validation failure', 400, 'GRAPHQL_VALIDATION_FAILED'],
    // a limit is the service refusing the work: 400 for every client
    [json, 'a query over the root-field limit', 400, 'QUERY_LIMIT_EXCEEDED'],
    [json, 'an unknown operation name', 400, 'OPERATION_RESOLUTION_FAILURE'],
  ])(
    'given Accept: %s and %s, when posting it, then HTTP %i with %s and no data',
    async (accept, failure, status, code) => {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: JSON.stringify(bodies[failure]),
      });
      expect(res.status).toBe(status);
      const answer = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual([code]);
      expect(answer).not.toHaveProperty('data');
    },
  );
});
