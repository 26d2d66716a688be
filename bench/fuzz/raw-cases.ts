import fc from 'fast-check';
import type { HttpRequest, RawCase } from './model.ts';
import type { Pools } from './pools.ts';

/**
 * HTTP requests no GraphQL client library would send: broken JSON, wrong content types
 * and encodings, empty and oversized bodies, batches, fields of the wrong JSON type,
 * prototype-pollution keys, GET variants and other methods. Each is a small record, so a
 * failing one shrinks to its simplest parameters.
 */

const JSON_TYPE: readonly [string, string] = ['content-type', 'application/json'];
const SIMPLE = '{ genres { name } }';
const SIMPLE_BODY = JSON.stringify({ query: SIMPLE });
const RATE =
  'mutation($u: ID!, $m: ID!, $r: Float!) { rateMovie(input: { userId: $u, movieId: $m, rating: $r }) { previousValue } }';

function raw(
  variant: string,
  body: string | null,
  options: {
    method?: string;
    target?: string;
    headers?: ReadonlyArray<readonly [string, string]>;
    graphql?: RawCase['graphql'];
  } = {},
): RawCase {
  return {
    family: 'raw',
    variant,
    method: options.method ?? 'POST',
    target: options.target ?? '/graphql',
    headers: options.headers ?? [JSON_TYPE],
    body,
    graphql: options.graphql ?? null,
  };
}

/** A rating by a user of the new block, so a request that should not write but does is seen. */
function rateOf(pools: Pools): fc.Arbitrary<{ query: string; variables: Record<string, unknown> }> {
  return fc
    .tuple(
      fc.constantFrom(...pools.newUsers),
      fc.constantFrom(...pools.movies),
      fc.integer({ min: 1, max: 10 }),
    )
    .map(([u, m, half]) => ({
      query: RATE,
      variables: { u: String(u), m: String(m), r: half / 2 },
    }));
}

export function rawCaseArb(pools: Pools): fc.Arbitrary<RawCase> {
  const rate = rateOf(pools);
  const malformed = fc.oneof(
    fc
      .integer({ min: 1, max: SIMPLE_BODY.length - 1 })
      .map((cut) =>
        raw('malformed JSON (truncated)', SIMPLE_BODY.slice(0, SIMPLE_BODY.length - cut)),
      ),
    fc.constantFrom(
      raw('malformed JSON (trailing comma)', `{"query":${JSON.stringify(SIMPLE)},}`),
      raw('malformed JSON (single quotes)', `{'query':'${SIMPLE}'}`),
      raw('malformed JSON (NaN)', `{"query":${JSON.stringify(SIMPLE)},"variables":{"x":NaN}}`),
      raw('malformed JSON (byte order mark)', `\uFEFF${SIMPLE_BODY}`),
      raw('malformed JSON (bare query)', SIMPLE),
    ),
  );
  const contentType = fc
    .tuple(
      fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/graphql',
        'application/xml',
        'text/html',
        'application/json; charset=latin1',
        'application/json; charset=utf-16',
      ),
      rate,
    )
    .map(([type, op]) =>
      raw(`content type ${type}`, JSON.stringify(op), {
        headers: [['content-type', type]],
        graphql: op,
      }),
    );
  const encoding = fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'identity').map((enc) =>
    raw(`content-encoding ${enc} (not encoded)`, SIMPLE_BODY, {
      headers: [JSON_TYPE, ['content-encoding', enc]],
    }),
  );
  const empty = fc.constantFrom(
    raw('empty body (JSON type)', ''),
    raw('empty body (no type)', '', { headers: [] }),
    raw('no body, no type', null, { headers: [] }),
    raw('empty object', '{}'),
  );
  const huge = fc.oneof(
    fc
      .constantFrom(110_000, 200_000, 1_100_000)
      .map((size) =>
        raw(
          `body of ${size} bytes`,
          JSON.stringify({ query: SIMPLE, variables: { pad: 'x'.repeat(size) } }),
        ),
      ),
    fc
      .constantFrom(10_001, 12_000, 90_000)
      .map((size) =>
        raw(
          `query of ${size} characters`,
          JSON.stringify({ query: `${SIMPLE}\n#${'x'.repeat(size - SIMPLE.length - 2)}` }),
        ),
      ),
    // nesting that a recursive parser or validator could choke on
    fc
      .constantFrom(100, 1000, 4900)
      .map((n) =>
        raw(
          `selections nested ${n} deep`,
          JSON.stringify({ query: `${'{a'.repeat(n)}${'}'.repeat(n)}` }),
        ),
      ),
    fc
      .constantFrom(100, 1000, 4000)
      .map((n) =>
        raw(
          `list literal nested ${n} deep`,
          JSON.stringify({ query: `{ movie(id: ${'['.repeat(n)}1${']'.repeat(n)}) { id } }` }),
        ),
      ),
    fc
      .constantFrom(1000, 20_000)
      .map((n) =>
        raw(
          `variables nested ${n} deep`,
          `{"query":${JSON.stringify(SIMPLE)},"variables":{"x":${'['.repeat(n)}${']'.repeat(n)}}}`,
        ),
      ),
  );
  const batch = fc.constantFrom(
    raw('batch of none', '[]'),
    raw('batch of one', `[${SIMPLE_BODY}]`),
    raw('batch of two', `[${SIMPLE_BODY},${SIMPLE_BODY}]`),
  );
  const notAnObject = fc
    .constantFrom('"x"', '5', 'null', 'true', '[1]')
    .map((body) => raw(`body ${body}`, body));
  const wrongFields = fc
    .constantFrom(
      '{"query":5}',
      '{"query":null}',
      `{"query":[${JSON.stringify(SIMPLE)}]}`,
      `{"query":{"text":${JSON.stringify(SIMPLE)}}}`,
      `{"query":${JSON.stringify(SIMPLE)},"variables":"{}"}`,
      `{"query":${JSON.stringify(SIMPLE)},"variables":[]}`,
      `{"query":${JSON.stringify(SIMPLE)},"variables":5}`,
      `{"query":${JSON.stringify(SIMPLE)},"operationName":5}`,
      `{"query":${JSON.stringify(SIMPLE)},"operationName":{}}`,
      `{"query":${JSON.stringify(SIMPLE)},"extensions":"x"}`,
      `{"query":${JSON.stringify(SIMPLE)},"extensions":[]}`,
      `{"query":${JSON.stringify(SIMPLE)},"extensions":5}`,
      '{"variables":{}}',
      '{"operationName":"A"}',
    )
    .map((body) => raw(`body ${body.length > 60 ? `${body.slice(0, 57)}...` : body}`, body));
  const pollution = fc.oneof(
    fc
      .constantFrom('__proto__', 'constructor', 'prototype')
      .chain((key) =>
        fc.constantFrom(
          raw(
            `"${key}" at the top of the body`,
            `{"query":${JSON.stringify(SIMPLE)},${JSON.stringify(key)}:{"polluted":true}}`,
          ),
          raw(
            `"${key}" in variables`,
            `{"query":${JSON.stringify(SIMPLE)},"variables":{${JSON.stringify(key)}:{"polluted":true,"prototype":{"polluted":true}}}}`,
          ),
          raw(
            `"${key}" in extensions`,
            `{"query":${JSON.stringify(SIMPLE)},"extensions":{${JSON.stringify(key)}:{"polluted":true,"prototype":{"polluted":true}}}}`,
          ),
        ),
      ),
    fc.tuple(fc.constantFrom('__proto__', 'constructor'), rate).map(([key, op]) => {
      const { u, m, r } = op.variables;
      const input = `{${JSON.stringify(key)}:{"userId":"1"},"userId":${JSON.stringify(u)},"movieId":${JSON.stringify(m)},"rating":${r}}`;
      const query =
        'mutation($input: RateMovieInput!) { rateMovie(input: $input) { previousValue } }';
      const body = `{"query":${JSON.stringify(query)},"variables":{"input":${input}}}`;
      return raw(`"${key}" inside a mutation's input`, body, {
        graphql: { query, variables: JSON.parse(body).variables },
      });
    }),
  );
  const get = fc.oneof(
    fc.constantFrom(
      raw('GET a query', null, {
        method: 'GET',
        target: `/graphql?query=${encodeURIComponent(SIMPLE)}`,
        headers: [['apollo-require-preflight', 'true']],
      }),
      raw('GET a query without a preflight header', null, {
        method: 'GET',
        target: `/graphql?query=${encodeURIComponent(SIMPLE)}`,
        headers: [],
      }),
      raw('GET without a query', null, {
        method: 'GET',
        target: '/graphql',
        headers: [['apollo-require-preflight', 'true']],
      }),
      raw('GET with variables that are not JSON', null, {
        method: 'GET',
        target: `/graphql?query=${encodeURIComponent(SIMPLE)}&variables=%7B`,
        headers: [['apollo-require-preflight', 'true']],
      }),
      raw('GET with extensions that are not JSON', null, {
        method: 'GET',
        target: `/graphql?query=${encodeURIComponent(SIMPLE)}&extensions=nope`,
        headers: [['apollo-require-preflight', 'true']],
      }),
      raw('GET with the query twice', null, {
        method: 'GET',
        target: `/graphql?query=${encodeURIComponent(SIMPLE)}&query=${encodeURIComponent(SIMPLE)}`,
        headers: [['apollo-require-preflight', 'true']],
      }),
      raw('GET asking for HTML', null, {
        method: 'GET',
        target: '/graphql',
        headers: [['accept', 'text/html']],
      }),
    ),
    rate.map((op) =>
      raw('GET a mutation', null, {
        method: 'GET',
        target: `/graphql?query=${encodeURIComponent(op.query)}&variables=${encodeURIComponent(JSON.stringify(op.variables))}`,
        headers: [['apollo-require-preflight', 'true']],
        graphql: op,
      }),
    ),
  );
  const methods = fc
    .constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS')
    .map((method) =>
      raw(`${method} /graphql`, method === 'OPTIONS' ? null : SIMPLE_BODY, { method }),
    );
  const accept = fc
    .constantFrom('application/graphql-response+json', 'text/html', 'application/xml', '*/*;q=0')
    .map((type) =>
      raw(`POST accepting ${type}`, SIMPLE_BODY, { headers: [JSON_TYPE, ['accept', type]] }),
    );
  return fc.oneof(
    malformed,
    contentType,
    encoding,
    empty,
    huge,
    batch,
    notAnObject,
    wrongFields,
    pollution,
    get,
    methods,
    accept,
  );
}

/** A raw case as a request. */
export function renderRawCase(c: RawCase): HttpRequest {
  return {
    method: c.method,
    target: c.target,
    headers: Object.fromEntries(c.headers),
    body: c.body,
    graphql: c.graphql
      ? { query: c.graphql.query, variables: c.graphql.variables, operationName: undefined }
      : null,
    operationType: c.graphql ? 'mutation' : null,
  };
}
