/**
 * Bad input over HTTP: each rejection carries the exact `extensions.code` and a message
 * naming the argument and the value, and a rejected mutation changes nothing.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  FIXTURE_DIR,
  type GraphQLErrorBody,
  gql,
  gqlData,
  onlyError,
  serverForFile,
} from './helpers.ts';

const server = serverForFile({ dataset: FIXTURE_DIR, journal: true });

const RATE = `mutation($userId: ID!, $movieId: ID!, $rating: Float!) {
  rateMovie(input: { userId: $userId, movieId: $movieId, rating: $rating }) { previousValue }
}`;

async function errorOf(
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLErrorBody> {
  const result = await gql(server.url, query, variables);
  expect(result.status).toBe(200);
  return onlyError(result);
}

const GENRES = 'Action, Comedy, Drama, Horror, Romance, Sci-Fi';

describe('ratings off the scale', () => {
  it.each([7, 0, 4.25, -1, 5.5])(
    'given rating %s, when rating a movie, then BAD_USER_INPUT names input.rating, the range and the value',
    async (rating) => {
      const error = await errorOf(RATE, { userId: '2001', movieId: '1', rating });
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.extensions?.field).toBe('input.rating');
      expect(error.message).toContain('input.rating');
      expect(error.message).toContain('between 0.5 and 5');
      expect(error.message).toContain('steps of 0.5');
      expect(error.message).toContain(`got ${rating}`);
    },
  );

  it('given a rating that is not a number, when rating a movie, then BAD_USER_INPUT names the variable', async () => {
    const result = await gql(server.url, RATE, { userId: '2001', movieId: '1', rating: 'high' });
    const error = onlyError(result);
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('$rating');
    expect(error.message).toContain('high');
  });
});

describe('malformed ids', () => {
  it.each([
    ['abc', '{ movie(id: "abc") { title } }', 'id'],
    ['-3', '{ movie(id: -3) { title } }', 'id'],
    ['0', '{ user(id: 0) { ratingCount } }', 'id'],
    ['1.5', '{ movie(id: "1.5") { title } }', 'id'],
    ['2147483648', '{ movie(id: "2147483648") { title } }', 'id'],
    ['x7', '{ recommendations(userId: "x7") { score } }', 'userId'],
    ['-6', '{ similarMovies(movieId: "-6") { support } }', 'movieId'],
  ])(
    'given id %s, when querying %s, then BAD_USER_INPUT names %s and the value',
    async (value, query, field) => {
      const error = await errorOf(query);
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.extensions?.field).toBe(field);
      expect(error.message).toContain(`${field} must be a positive integer id`);
      expect(error.message).toContain(`"${value}"`);
    },
  );

  it.each([
    ['input.userId', { userId: '-1', movieId: '1', rating: 4 }, '"-1"'],
    ['input.movieId', { userId: '2002', movieId: 'tt0113277', rating: 4 }, '"tt0113277"'],
  ])(
    'given a bad %s, when rating, then BAD_USER_INPUT names it and the value',
    async (field, variables, shown) => {
      const error = await errorOf(RATE, variables);
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.extensions?.field).toBe(field);
      expect(error.message).toContain(field);
      expect(error.message).toContain(shown);
    },
  );
});

describe('unknown things', () => {
  it('given a movie id the catalogue lacks, when rating it, then NOT_FOUND names the movie and the data set', async () => {
    const error = await errorOf(RATE, { userId: '2003', movieId: '777', rating: 4 });
    expect(error.extensions?.code).toBe('NOT_FOUND');
    expect(error.extensions?.field).toBe('input.movieId');
    expect(error.message).toBe('movie 777 does not exist in e2e-small');
  });

  it('given a movie id the catalogue lacks, when removing a rating of it, then NOT_FOUND names the movie', async () => {
    const error = await errorOf(
      'mutation { removeRating(input: { userId: 1, movieId: 777 }) { user { id } } }',
    );
    expect(error.extensions?.code).toBe('NOT_FOUND');
    expect(error.message).toContain('777');
  });

  it('given an unknown genre, when recommending, then BAD_USER_INPUT names it and lists the genres', async () => {
    const error = await errorOf('{ recommendations(userId: 1, genres: ["Western"]) { score } }');
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.field).toBe('genres');
    expect(error.message).toContain('"Western"');
    expect(error.message).toContain(GENRES);
  });

  it('given an unknown genre in a movie filter, when listing, then BAD_USER_INPUT names filter.genres and lists the genres', async () => {
    const error = await errorOf(
      '{ movies(filter: { genres: ["Drama", "drama"] }) { totalCount } }',
    );
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.field).toBe('filter.genres');
    expect(error.message).toContain('"drama"');
    expect(error.message).toContain(GENRES);
  });

  it('given one user’s recommendations with an unknown genre, when another user’s are in the same query, then only the first fails', async () => {
    const result = await gql<{ bad: unknown; good: { recommendations: unknown[] } | null }>(
      server.url,
      `{ bad: user(id: 1) { recommendations(genres: ["Western"]) { score } }
         good: user(id: 2) { recommendations(first: 3) { score } } }`,
    );
    expect(result.errors?.map((e) => e.path?.[0])).toEqual(['bad']);
    expect(result.data?.good?.recommendations).toHaveLength(3);
  });
});

describe('page sizes and cursors', () => {
  it.each([
    [0, '{ movies(first: 0) { totalCount } }'],
    [101, '{ movies(first: 101) { totalCount } }'],
    [0, '{ recommendations(userId: 1, first: 0) { score } }'],
    [101, '{ recommendations(userId: 1, first: 101) { score } }'],
    [101, '{ similarMovies(movieId: 1, first: 101) { support } }'],
    [-1, '{ movie(id: 1) { similar(first: -1) { support } } }'],
    [0, '{ user(id: 1) { ratings(first: 0) { totalCount } } }'],
    [101, '{ user(id: 1) { similarUsers(first: 101) { support } } }'],
  ])(
    'given first: %s, when querying %s, then BAD_USER_INPUT names first, its range and the value',
    async (first, query) => {
      const error = await errorOf(query);
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.extensions?.field).toBe('first');
      expect(error.message).toBe(`first must be between 1 and 100, got ${first}`);
    },
  );

  it('given a cursor that is not one, when paging movies, then BAD_USER_INPUT names after and the cursor', async () => {
    const error = await errorOf('{ movies(after: "not-a-cursor") { totalCount } }');
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.field).toBe('after');
    expect(error.message).toContain('"not-a-cursor"');
  });

  it('given a cursor of a user’s ratings, when paging movies with it, then BAD_USER_INPUT rejects it', async () => {
    const { user } = await gqlData<{ user: { ratings: { pageInfo: { endCursor: string } } } }>(
      server.url,
      '{ user(id: 1) { ratings(first: 2) { pageInfo { endCursor } } } }',
    );
    const cursor = user.ratings.pageInfo.endCursor;
    const error = await errorOf(`{ movies(after: "${cursor}") { totalCount } }`);
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain(cursor);
  });
});

describe('rejected mutations', () => {
  it('given ratings rejected for every reason, when they are sent, then no count and no journal byte changed', async () => {
    const read = async () => ({
      movie: (
        await gqlData<{ movie: { ratingCount: number } }>(
          server.url,
          '{ movie(id: 1) { ratingCount } }',
        )
      ).movie.ratingCount,
      user: (await gqlData<{ user: unknown }>(server.url, '{ user(id: 2004) { ratingCount } }'))
        .user,
      journal: await readFile(server.journalPath ?? '', 'utf8'),
    });
    const before = await read();
    const attempts = [
      { userId: '2004', movieId: '1', rating: 7 },
      { userId: '2004', movieId: '1', rating: 0 },
      { userId: '2004', movieId: '1', rating: 4.25 },
      { userId: '2004', movieId: '777', rating: 4 },
      { userId: '-2004', movieId: '1', rating: 4 },
    ];
    for (const variables of attempts) {
      const result = await gql(server.url, RATE, variables);
      expect(result.errors?.length).toBe(1);
    }
    const removal = await gql(
      server.url,
      'mutation { removeRating(input: { userId: 2004, movieId: 1 }) { user { id } } }',
    );
    expect(onlyError(removal).extensions?.code).toBe('NOT_FOUND');
    expect(await read()).toEqual(before);
    expect(before.user).toBeNull();
  });
});

describe('malformed GraphQL', () => {
  // gql() accepts only application/json, so request errors answer 200 (GraphQL over HTTP;
  // the statuses by media type are in graphql-over-http.test.ts)
  it('given a query that does not parse, when posting it, then GRAPHQL_PARSE_FAILED with HTTP 200 for application/json', async () => {
    const result = await gql(server.url, '{ movie(id: 6) { title ');
    expect(result.status).toBe(200);
    expect(onlyError(result).extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('given a field the schema lacks, when posting it, then GRAPHQL_VALIDATION_FAILED naming it, HTTP 200 for application/json', async () => {
    const result = await gql(server.url, '{ movie(id: 6) { director } }');
    expect(result.status).toBe(200);
    const error = onlyError(result);
    expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(error.message).toContain('director');
  });

  it('given a missing required argument, when posting, then GRAPHQL_VALIDATION_FAILED with HTTP 200 for application/json', async () => {
    const result = await gql(server.url, '{ recommendations { score } }');
    expect(result.status).toBe(200);
    expect(onlyError(result).extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
