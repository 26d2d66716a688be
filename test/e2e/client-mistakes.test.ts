/**
 * A careless or hostile client gets a documented code for each of its mistakes, never an
 * internal error; an accepted write is never hidden by another field's failure; and the
 * fields of one request read what its mutations wrote.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_DIR, gql, type InProcessServer, startInProcess } from './helpers.ts';

async function post(url: string, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      data?: Record<string, unknown> | null;
      errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string } }>;
    },
  };
}

describe('client mistakes and writes in one request', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await startInProcess({ dataset: FIXTURE_DIR, journal: true });
  });
  afterAll(async () => {
    await server?.close();
  });
  const journalLines = async () =>
    (await readFile(server.journalPath as string, 'utf8')).split('\n').filter(Boolean).length;

  it.each([
    [
      'an explicit null for a variable with a default, where an id is required',
      { query: 'query ($id: ID = "1") { movie(id: $id) { title } }', variables: { id: null } },
      'BAD_USER_INPUT',
      /Variable "\$id" is null where a ID! is required/,
    ],
    [
      'an explicit null for the condition of @skip',
      {
        query: 'query ($v: Boolean = true) { genres @skip(if: $v) { name } }',
        variables: { v: null },
      },
      'BAD_USER_INPUT',
      /Variable "\$v" is null where a Boolean! is required/,
    ],
    [
      'an explicit null for a user id with a default inside a mutation input',
      {
        query:
          'mutation ($u: ID = "5") { rateMovie(input: { userId: $u, movieId: 1, rating: 4 }) { previousValue } }',
        variables: { u: null },
      },
      'BAD_USER_INPUT',
      /Variable "\$u" is null where a ID! is required/,
    ],
    [
      'an explicit null for the condition of @include on a field of a mutation payload',
      {
        query:
          'mutation ($v: Boolean = false) { rateMovie(input: { userId: 900009, movieId: 1, rating: 0.5 }) { user @include(if: $v) { id } rating { value } } }',
        variables: { v: null },
      },
      'BAD_USER_INPUT',
      /Variable "\$v" is null where a Boolean! is required/,
    ],
    [
      'a subscription',
      { query: 'subscription { genres { name } }' },
      'GRAPHQL_VALIDATION_FAILED',
      /subscriptions are not supported/,
    ],
    [
      'a persisted query of an unknown version',
      {
        query: '{ genres { name } }',
        extensions: { persistedQuery: { version: 2, sha256Hash: 'abc' } },
      },
      'PERSISTED_QUERY_NOT_SUPPORTED',
      /PersistedQueryNotSupported/,
    ],
    [
      'a persisted query whose hash does not match',
      {
        query: '{ genres { name } }',
        extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } },
      },
      'PERSISTED_QUERY_NOT_SUPPORTED',
      /PersistedQueryNotSupported/,
    ],
    [
      'a persisted query with a numeric hash',
      {
        query: '{ genres { name } }',
        extensions: { persistedQuery: { version: 1, sha256Hash: 123 } },
      },
      'PERSISTED_QUERY_NOT_SUPPORTED',
      /PersistedQueryNotSupported/,
    ],
  ])(
    'given %s, when sent, then the answer has a documented code, not an internal error',
    async (_, body, code, message) => {
      const lines = await journalLines();
      const { status, body: answer } = await post(server.url, body);
      expect(status).toBeLessThan(500);
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual([code]);
      expect(answer.errors?.[0].message).toMatch(message);
      expect(await journalLines()).toBe(lines);
    },
  );

  it('given a refused second mutation, when sent after an accepted one, then the accepted rating is in the answer and the refused one is null with its error', async () => {
    const lines = await journalLines();
    const { body } = await post(server.url, {
      query:
        'mutation { a: rateMovie(input: {userId: 900001, movieId: 1, rating: 4}) { rating { value } } b: rateMovie(input: {userId: 900001, movieId: 777, rating: 4}) { rating { value } } }',
    });
    expect(body.data).toEqual({ a: { rating: { value: 4 } }, b: null });
    expect(body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['b'], 'NOT_FOUND']]);
    expect(await journalLines()).toBe(lines + 1);
  });

  it('given a payload field that fails, when a rating is accepted, then the rating shows and only that field is null', async () => {
    const { body } = await post(server.url, {
      query:
        'mutation { rateMovie(input: {userId: 900002, movieId: 2, rating: 3.5}) { rating { value } movie { similar(first: 0) { similarity } } } }',
    });
    expect(body.data).toEqual({ rateMovie: { rating: { value: 3.5 }, movie: null } });
    expect(body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['rateMovie', 'movie', 'similar'], 'BAD_USER_INPUT'],
    ]);
    expect(server.service.users([900002])[0]?.ratingCount).toBe(1);
  });

  it('given a field that fails deep inside the rating of a payload, when a removal is accepted, then the payload is there and only the rating is null', async () => {
    await server.service.rate(900006, 7, 4);
    const lines = await journalLines();
    const { body } = await post(server.url, {
      query:
        'mutation { removeRating(input: {userId: 900006, movieId: 7}) { rating { user { recommendations(first: 0) { score } } } user { ratingCount } } }',
    });
    expect(body.data).toEqual({ removeRating: { rating: null, user: { ratingCount: 0 } } });
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(await journalLines()).toBe(lines + 1);
  });

  it('given two ratings of one new user and one movie in one request, when each payload asks for counts, then the second payload counts both', async () => {
    const { body } = await post(server.url, {
      query:
        'mutation { a: rateMovie(input: {userId: 900003, movieId: 3, rating: 4}) { user { ratingCount } movie { ratingCount averageRating } } b: rateMovie(input: {userId: 900004, movieId: 3, rating: 1}) { user { ratingCount } movie { ratingCount averageRating } } c: rateMovie(input: {userId: 900003, movieId: 4, rating: 2}) { user { ratingCount meanRating } } }',
    });
    expect(body.errors).toBeUndefined();
    const data = body.data as Record<
      string,
      {
        user: { ratingCount: number; meanRating?: number };
        movie?: { ratingCount: number; averageRating: number };
      }
    >;
    const [movieAfter] = server.service.movies([3]);
    expect(data.a.user.ratingCount).toBe(1);
    expect(data.b.movie?.ratingCount).toBe((data.a.movie?.ratingCount ?? 0) + 1);
    expect(data.b.movie).toEqual({
      ratingCount: movieAfter?.ratingCount,
      averageRating: movieAfter?.averageRating,
    });
    expect(data.c.user).toEqual({ ratingCount: 2, meanRating: 3 });
  });

  it('given a read before a write in one request, when the write lands, then a later field reads the new state', async () => {
    const { body } = await gql<
      Record<string, { ratingCount: number } | { user: { ratingCount: number } }>
    >(
      server.url,
      'mutation { a: rateMovie(input: {userId: 900005, movieId: 5, rating: 4}) { user { ratingCount } } b: removeRating(input: {userId: 900005, movieId: 5}) { user { ratingCount } } }',
    ).then((r) => ({ body: r }));
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ a: { user: { ratingCount: 1 } }, b: { user: { ratingCount: 0 } } });
  });
});
