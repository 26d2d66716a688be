/**
 * Limits on what one request may ask: each rejection is HTTP 400 with
 * `extensions.code` QUERY_LIMIT_EXCEEDED, `extensions.limit` naming the limit and
 * `extensions.max` its value, before anything is resolved; queries a frontend sends pass.
 */
import { describe, expect, it } from 'vitest';
import { defaultLimits } from '../../src/graphql/limits.ts';
import { FIXTURE_DIR, gql, onlyError, serverForFile, startInProcess } from './helpers.ts';

const server = serverForFile({ dataset: FIXTURE_DIR });

/** `movie(id: 1) { similar { movie { similar { ... title } } } }`, `levels` pairs deep. */
function nested(levels: number): string {
  let inner = 'title';
  for (let k = 0; k < levels; k++) inner = `similar(first: 1) { movie { ${inner} } }`;
  return `{ movie(id: 1) { ${inner} } }`;
}

async function limitError(query: string, variables?: Record<string, unknown>) {
  const result = await gql(server.url, query, variables);
  expect(result.status).toBe(400);
  const error = onlyError(result);
  expect(error.extensions?.code).toBe('QUERY_LIMIT_EXCEEDED');
  return error;
}

describe('a frontend’s queries', () => {
  it('given a recommendations page with reasons, similar movies and a user’s ratings, when sent, then it is answered in full', async () => {
    const result = await gql(
      server.url,
      `query Page($user: ID!) {
        user(id: $user) { ratingCount ratings(first: 20) { edges { node { value movie { title } } } } }
        recommendations(userId: $user, first: 20) {
          score predictedRating source
          movie { id title year genres averageRating similar(first: 5) { similarity movie { title } } }
          reasons { kind weight rating movie { title } user { id } }
        }
        genres { name movieCount }
      }`,
      { user: '1' },
    );
    expect(result.errors).toBeUndefined();
    expect(result.status).toBe(200);
  });
});

describe('depth', () => {
  it('given a query nested 50 levels deep, when sent, then 400 QUERY_LIMIT_EXCEEDED names maxDepth and its value', async () => {
    const error = await limitError(nested(25));
    expect(error.extensions?.limit).toBe('maxDepth');
    expect(error.extensions?.max).toBe(defaultLimits.maxDepth);
    expect(error.message).toContain(`depth limit of ${defaultLimits.maxDepth} exceeded`);
  });

  it('given a query at the depth limit, when sent, then it is answered', async () => {
    // movie(1) + 4 x (similar + movie) + title = 10 levels
    const result = await gql(server.url, nested(4));
    expect(result.errors).toBeUndefined();
  });

  it('given the depth hidden in fragments, when sent, then fragments are counted where they are spread', async () => {
    const error = await limitError(
      `{ movie(id: 1) { ...A } }
       fragment A on Movie { similar { movie { ...B } } }
       fragment B on Movie { similar { movie { ...C } } }
       fragment C on Movie { similar { movie { ...D } } }
       fragment D on Movie { similar { movie { ...E } } }
       fragment E on Movie { similar { movie { similar { movie { title } } } } }`,
    );
    expect(error.extensions?.limit).toBe('maxDepth');
  });
});

describe('aliases and root fields', () => {
  it('given 1,000 aliases, when sent, then 400 QUERY_LIMIT_EXCEEDED names maxAliases', async () => {
    const aliases = Array.from({ length: 1000 }, (_, k) => `a${k}:id`).join(' ');
    const error = await limitError(`{movie(id:1){${aliases}}}`);
    expect(error.extensions?.limit).toBe('maxAliases');
    expect(error.message).toContain(`Aliases limit of ${defaultLimits.maxAliases} exceeded`);
  });

  it('given one alias over the limit, when sent, then it is refused, and at the limit it is answered', async () => {
    const aliases = (n: number) => Array.from({ length: n }, (_, k) => `a${k}: title`).join(' ');
    const over = await limitError(`{ movie(id: 1) { ${aliases(defaultLimits.maxAliases + 1)} } }`);
    expect(over.extensions?.limit).toBe('maxAliases');
    const at = await gql(server.url, `{ movie(id: 1) { ${aliases(defaultLimits.maxAliases)} } }`);
    expect(at.errors).toBeUndefined();
  });

  it('given more root fields than the limit, when sent, then 400 names maxRootFields and counts through fragments', async () => {
    const tight = await startInProcess({
      dataset: FIXTURE_DIR,
      server: { limits: { ...defaultLimits, maxRootFields: 3 } },
    });
    try {
      const result = await gql(
        tight.url,
        '{ genres { name } a: movie(id: 1) { title } ...More } fragment More on Query { b: movie(id: 2) { title } c: movie(id: 3) { title } }',
      );
      expect(result.status).toBe(400);
      const error = onlyError(result);
      expect(error.extensions).toMatchObject({
        code: 'QUERY_LIMIT_EXCEEDED',
        limit: 'maxRootFields',
        max: 3,
      });
      expect(error.message).toBe('the operation selects 4 root fields; the limit is 3');
      const three = await gql(
        tight.url,
        '{ genres { name } a: movie(id: 1) { title } b: movie(id: 2) { title } }',
      );
      expect(three.errors).toBeUndefined();
    } finally {
      await tight.close();
    }
  });

  it('given too many directives, when sent, then 400 names maxDirectives', async () => {
    const directives = Array.from(
      { length: defaultLimits.maxDirectives + 1 },
      () => '... @include(if: true) { title }',
    ).join(' ');
    const error = await limitError(`{ movie(id: 1) { ${directives} } }`);
    expect(error.extensions?.limit).toBe('maxDirectives');
  });
});

describe('cost', () => {
  it('given 100 recommendations each with 100 similar movies, when sent, then 400 names maxCost with the estimate', async () => {
    const error = await limitError(
      '{ recommendations(userId: 1, first: 100) { movie { similar(first: 100) { movie { title } } } } }',
    );
    expect(error.extensions?.limit).toBe('maxCost');
    expect(error.extensions?.max).toBe(defaultLimits.maxCost);
    // 1 + 100 x (movie 1 + similar (1 + 100 x (movie 1 + title 1)))
    expect(error.message).toContain('estimated cost is 20201');
  });

  it('given the same query with first passed as a variable, when sent, then the variable is weighed too', async () => {
    const error = await limitError(
      'query($n: Int) { recommendations(userId: 1, first: $n) { movie { similar(first: $n) { movie { title } } } } }',
      { n: 100 },
    );
    expect(error.extensions?.limit).toBe('maxCost');
    const small = await gql(
      server.url,
      'query($n: Int) { recommendations(userId: 1, first: $n) { movie { similar(first: $n) { movie { title } } } } }',
      { n: 5 },
    );
    expect(small.errors).toBeUndefined();
  });

  it('given one document asked with other variables, when a cost was remembered for it, then each request is weighed by its own first and directives', async () => {
    const query =
      'query($u: ID!, $n: Int, $deep: Boolean!) { recommendations(userId: $u, first: $n) { movie { similar(first: $n) @include(if: $deep) { movie { title } } } } }';
    // a request whose other variable does not coerce is costed as nothing: that must not
    // let the same document through later with a first that costs too much
    const bad = await gql(server.url, query, { u: { not: 'an id' }, n: 100, deep: true });
    expect(onlyError(bad).extensions?.code).toBe('BAD_USER_INPUT');
    const shallow = await gql(server.url, query, { u: '1', n: 100, deep: false });
    expect(shallow.errors).toBeUndefined();
    const deep = await limitError(query, { u: '2', n: 100, deep: true });
    expect(deep.extensions?.limit).toBe('maxCost');
    const small = await gql(server.url, query, { u: '3', n: 5, deep: true });
    expect(small.errors).toBeUndefined();
  });

  it('given first over 100, when sent, then the argument’s own error answers rather than the cost', async () => {
    const result = await gql(
      server.url,
      '{ similarMovies(movieId: 1, first: 100000) { support } }',
    );
    const error = onlyError(result);
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toBe('first must be between 1 and 100, got 100000');
  });
});

describe('query length and batches', () => {
  it('given a query longer than the limit, when posted, then 400 names maxQueryLength and the length', async () => {
    const query = `{ genres { name } }${' '.repeat(defaultLimits.maxQueryLength)}`;
    const error = await limitError(query);
    expect(error.extensions?.limit).toBe('maxQueryLength');
    expect(error.message).toBe(
      `the query is ${query.length} characters long; the limit is ${defaultLimits.maxQueryLength}`,
    );
  });

  it('given a batch of two operations, when posted while batching is off, then 400 and nothing runs', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ genres { name } }' }, { query: '{ genres { name } }' }]),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Operation batching disabled');
  });

  it('given batching turned on, when posting a batch, then each operation is answered', async () => {
    const batching = await startInProcess({
      dataset: FIXTURE_DIR,
      server: { limits: { ...defaultLimits, batchRequests: true } },
    });
    try {
      const res = await fetch(batching.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          { query: '{ movie(id: 1) { id } }' },
          { query: '{ movie(id: 2) { id } }' },
        ]),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual([
        { data: { movie: { id: '1' } } },
        { data: { movie: { id: '2' } } },
      ]);
    } finally {
      await batching.close();
    }
  });
});

describe('cross-site requests', () => {
  it('given a GET query without a preflight-forcing header, when sent as a browser form would, then 400 blocks it as possible CSRF', async () => {
    const res = await fetch(`${server.url}?query=${encodeURIComponent('{ genres { name } }')}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Cross-Site Request Forgery');
  });

  it('given a POST with a text/plain body, when sent, then 400 blocks it as possible CSRF', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ genres { name } }' }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Cross-Site Request Forgery');
  });
});

describe('field suggestions', () => {
  it('given development, when a field is misspelt, then the error suggests the right one', async () => {
    const error = onlyError(await gql(server.url, '{ movei(id: 1) { title } }'));
    expect(error.message).toContain('Did you mean "movie"');
  });

  it('given field suggestions off (production), when a field is misspelt, then the schema is not hinted at', async () => {
    const production = await startInProcess({
      dataset: FIXTURE_DIR,
      introspection: false,
      server: { limits: { ...defaultLimits, fieldSuggestions: false } },
    });
    try {
      const error = onlyError(await gql(production.url, '{ movei(id: 1) { title } }'));
      expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(error.message).toContain('Cannot query field "movei"');
      expect(error.message).not.toContain('movie"');
    } finally {
      await production.close();
    }
  });
});
