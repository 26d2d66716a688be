/**
 * The bad-input table: each request below gets a 4xx or a GraphQL error with a stable
 * code and a message naming the problem, the server stays up, and not one rating or
 * journal byte changes. Then a property: any mix of valid and invalid mutations leaves
 * exactly the state the valid ones make.
 */
import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIXTURE_DIR, type GraphQLErrorBody, serverForFile } from './helpers.ts';

const server = serverForFile({ dataset: FIXTURE_DIR, journal: true });

const RATE = `mutation($userId: ID!, $movieId: ID!, $rating: Float!) {
  rateMovie(input: { userId: $userId, movieId: $movieId, rating: $rating }) { previousValue }
}`;

interface Row {
  readonly name: string;
  readonly init: RequestInit & { readonly query?: string };
  readonly status: number;
  readonly code: string;
  /** Words the message must contain, so it names the problem. */
  readonly names: string;
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

const rating = (userId: unknown, movieId: unknown, value: unknown) =>
  json({ query: RATE, variables: { userId, movieId, rating: value } });

/** `movie(id: 1) { similar { movie { ... title } } }`: 50 levels. */
const deep = (() => {
  let inner = 'title';
  for (let k = 0; k < 24; k++) inner = `similar(first: 1) { movie { ${inner} } }`;
  return `{ movie(id: 1) { ${inner} } }`;
})();

const manyAliases = `{movie(id:1){${Array.from({ length: 1000 }, (_, k) => `a${k}:id`).join(' ')}}}`;
const long = '9'.repeat(5000);

const table: Row[] = [
  {
    name: 'rating NaN (as a string variable)',
    init: rating('3001', '1', 'NaN'),
    status: 400,
    code: 'BAD_USER_INPUT',
    names: 'Float cannot represent non numeric value: "NaN"',
  },
  {
    name: 'rating NaN (as a literal)',
    init: json({
      query:
        'mutation { rateMovie(input: { userId: 3001, movieId: 1, rating: NaN }) { previousValue } }',
    }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    names: 'Float cannot represent non numeric value: NaN',
  },
  {
    name: 'rating 0',
    init: rating('3001', '1', 0),
    status: 200,
    code: 'BAD_USER_INPUT',
    names: 'input.rating must be between 0.5 and 5 in steps of 0.5, got 0',
  },
  {
    name: 'rating 5.5',
    init: rating('3001', '1', 5.5),
    status: 200,
    code: 'BAD_USER_INPUT',
    names: 'got 5.5',
  },
  {
    name: 'rating 3.3 (off the half-star scale)',
    init: rating('3001', '1', 3.3),
    status: 200,
    code: 'BAD_USER_INPUT',
    names: 'in steps of 0.5, got 3.3',
  },
  {
    name: 'a negative user id',
    init: rating('-5', '1', 4),
    status: 200,
    code: 'BAD_USER_INPUT',
    names: 'input.userId must be a positive integer id, got "-5"',
  },
  {
    name: 'a huge movie id',
    init: rating('3001', '99999999999999999999', 4),
    status: 200,
    code: 'BAD_USER_INPUT',
    names: 'input.movieId must be a positive integer id, got "99999999999999999999"',
  },
  {
    name: 'a non-numeric id string',
    init: rating('alice', '1', 4),
    status: 200,
    code: 'BAD_USER_INPUT',
    names: 'input.userId must be a positive integer id, got "alice"',
  },
  {
    name: 'an unknown movie',
    init: rating('3001', '777', 4),
    status: 200,
    code: 'NOT_FOUND',
    names: 'movie 777',
  },
  {
    name: 'a 5,000-character id',
    init: rating(long, '1', 4),
    status: 200,
    code: 'BAD_USER_INPUT',
    names: '... (5000 characters)',
  },
  {
    name: 'a 5,000-character title search',
    init: json({
      query: '{ movies(filter: { search: $s }) { totalCount } }'.replace(
        '$s',
        JSON.stringify(long),
      ),
    }),
    status: 200,
    code: 'BAD_USER_INPUT',
    names: 'filter.search must be at most 200 characters, got 5000',
  },
  {
    name: 'a 5,000-character genre',
    init: json({
      query: `{ recommendations(userId: 1, genres: [${JSON.stringify(long)}]) { score } }`,
    }),
    status: 200,
    code: 'BAD_USER_INPUT',
    names: 'unknown genre "99999999',
  },
  {
    name: 'a query nested 50 deep',
    init: json({ query: deep }),
    status: 400,
    code: 'QUERY_LIMIT_EXCEEDED',
    names: 'depth limit of 10 exceeded, found 50',
  },
  {
    name: '1,000 aliases',
    init: json({ query: manyAliases }),
    status: 400,
    code: 'QUERY_LIMIT_EXCEEDED',
    names: 'Aliases limit of 20 exceeded, found 1000',
  },
  {
    name: 'malformed JSON',
    init: json('{"query": "{ genres { name } }"'),
    status: 400,
    code: 'BAD_REQUEST',
    names: 'the request body is not valid JSON',
  },
  {
    name: 'a wrong content type',
    init: {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: RATE, variables: { userId: 3001, movieId: 1, rating: 4 } }),
    },
    status: 400,
    code: 'BAD_REQUEST',
    names: 'Cross-Site Request Forgery',
  },
  {
    name: 'a body over the size limit',
    init: rating('3001', '1', 'x'.repeat(200_000)),
    status: 413,
    code: 'BAD_REQUEST',
    names: 'larger than the 100kb limit',
  },
  {
    name: 'a GET mutation',
    init: {
      method: 'GET',
      headers: { 'apollo-require-preflight': 'true' },
      query:
        'mutation { rateMovie(input: { userId: 3001, movieId: 1, rating: 4 }) { previousValue } }',
    },
    status: 405,
    code: 'BAD_REQUEST',
    names: 'GET requests only support query operations',
  },
];

/** What a rejected request must leave alone: every journal byte and the users' ratings. */
async function state() {
  return {
    journal: await readFile(server.journalPath ?? '', 'utf8'),
    users: server.service.users([1, 2, 3001]).map((u) => u?.ratingCount ?? 0),
    movie: server.service.movies([1])[0]?.ratingCount,
  };
}

describe('the bad-input table', () => {
  it.each(table)(
    'given $name, then $status $code naming the problem, the server up and nothing changed',
    async (row) => {
      const before = await state();
      const { query, ...init } = row.init;
      const url =
        query === undefined ? server.url : `${server.url}?query=${encodeURIComponent(query)}`;
      const res = await fetch(url, init);
      expect(res.status).toBe(row.status);
      const text = await res.text();
      expect(text.length).toBeLessThan(2000);
      const body = JSON.parse(text) as { errors?: GraphQLErrorBody[] };
      expect(body.errors?.length).toBeGreaterThanOrEqual(1);
      const error = body.errors?.[0];
      expect(error?.extensions?.code).toBe(row.code);
      expect(error?.message).toContain(row.names);
      expect(text).not.toMatch(/at \S+ \(|node_modules/);
      expect((await fetch(`${server.origin}/healthz`)).status).toBe(200);
      expect(await state()).toEqual(before);
    },
  );
});

// ---------------------------------------------------------------------------------------

type Op =
  | { kind: 'rate'; userId: string; movieId: string; rating: number | string }
  | { kind: 'remove'; userId: string; movieId: string };

describe('any mix of valid and invalid mutations', () => {
  it('given random rates and removals, some invalid, when sent one by one, then the state is the state before plus exactly the valid ones', async () => {
    const movieIds = [...server.dataset.movies.keys()].slice(0, 6).map(String);
    let block = 4000;
    const userId = fc.constantFrom('1', '2', 'u'); // 'u' becomes a fresh user per run
    const movieId = fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...movieIds) },
      { weight: 1, arbitrary: fc.constantFrom('777', '-1', 'abc', '0') },
    );
    const value = fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 10 }).map((k) => k / 2) },
      { weight: 1, arbitrary: fc.constantFrom<number | string>(0, 5.5, 3.3, -1, 'NaN', 1e308) },
    );
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('rate' as const), userId, movieId, rating: value }),
      fc.record({ kind: fc.constant('remove' as const), userId, movieId }),
    );

    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const fresh = String(block++);
        const users = ['1', '2', fresh];
        const resolve = (id: string) => (id === 'u' ? fresh : id);
        // the reference: a map of (user, movie) -> rating, from the service's state
        const expected = new Map<string, number>();
        for (const u of users) {
          for (const r of server.service.ratingsOf(Number(u), 100, null).nodes) {
            expected.set(`${u}:${r.movieId}`, r.value);
          }
        }
        const journalBefore = (await readFile(server.journalPath ?? '', 'utf8')).length;
        let valid = 0;
        for (const raw of ops) {
          const o = { ...raw, userId: resolve(raw.userId) };
          const key = `${o.userId}:${o.movieId}`;
          const known = movieIds.includes(o.movieId);
          const ok =
            o.kind === 'rate'
              ? known &&
                typeof o.rating === 'number' &&
                o.rating >= 0.5 &&
                o.rating <= 5 &&
                Number.isInteger(o.rating * 2)
              : known && expected.has(key);
          const query =
            o.kind === 'rate'
              ? RATE
              : 'mutation($userId: ID!, $movieId: ID!) { removeRating(input: { userId: $userId, movieId: $movieId }) { user { id } } }';
          const res = await fetch(server.url, json({ query, variables: o }));
          const body = (await res.json()) as { errors?: GraphQLErrorBody[] };
          expect(body.errors === undefined).toBe(ok);
          if (!ok) {
            expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(body.errors?.[0].extensions?.code);
            continue;
          }
          valid++;
          if (o.kind === 'rate') expected.set(key, o.rating as number);
          else expected.delete(key);
        }
        const actual = new Map<string, number>();
        for (const u of users) {
          for (const r of server.service.ratingsOf(Number(u), 100, null).nodes) {
            actual.set(`${u}:${r.movieId}`, r.value);
          }
        }
        expect(actual).toEqual(expected);
        const journal = (await readFile(server.journalPath ?? '', 'utf8')).slice(journalBefore);
        expect(journal.split('\n').filter((l) => l.length > 0)).toHaveLength(valid);
      }),
      { numRuns: 40 },
    );
  });
});
