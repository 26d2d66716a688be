/**
 * What operators read: Prometheus metrics on /metrics (requests and latency by operation,
 * errors by code, neighbour-list reads, invalidations per rating, journal flushes, the
 * model's size and build time, Redis availability) and one JSON log line per request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestRedis, testRedis } from '../support/redis.ts';
import { FIXTURE_DIR, gql, gqlData, type InProcessServer, startInProcess } from './helpers.ts';

/** The value of the sample `name{labels}` (labels as Prometheus prints them), or 0. */
function sample(text: string, name: string, labels = ''): number {
  const prefix = labels ? `${name}{${labels}} ` : `${name} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line ? Number(line.slice(prefix.length)) : 0;
}

describe('GET /metrics', () => {
  let server: InProcessServer;
  const read = async () => (await fetch(`${server.origin}/metrics`)).text();
  beforeAll(async () => {
    server = await startInProcess({ dataset: FIXTURE_DIR, journal: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('given a rating, when the metrics are read, then the rating, the lists it invalidated, their distribution and the journal flush are counted', async () => {
    const before = await read();
    await gqlData(
      server.url,
      'mutation { rateMovie(input: {userId: 1, movieId: 2, rating: 1}) { rating { value } } }',
    );
    const after = await read();
    const delta = (name: string, labels = '') =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('movie_recs_ratings_applied_total', 'source="local"')).toBe(1);
    // at least the rated movie's and the rater's own lists
    expect(delta('movie_recs_lists_invalidated_total', 'source="local"')).toBeGreaterThanOrEqual(2);
    expect(delta('movie_recs_lists_invalidated_per_rating_count', 'source="local"')).toBe(1);
    expect(delta('movie_recs_journal_fsync_seconds_count')).toBe(1);
    expect(after).toContain('# TYPE movie_recs_lists_invalidated_total counter');
  });

  it('given named operations and a failing one, when the metrics are read, then latency is counted per operation and errors per code', async () => {
    const before = await read();
    await gql(server.url, 'query Recs { recommendations(userId: 1) { score } }');
    await gql(server.url, 'query Recs { recommendations(userId: 2) { score } }');
    await gql(server.url, '{ movie(id: "abc") { title } }');
    const after = await read();
    const delta = (name: string, labels: string) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(
      delta('movie_recs_graphql_request_duration_seconds_count', 'operation="Recs",type="query"'),
    ).toBe(2);
    expect(
      delta(
        'movie_recs_graphql_request_duration_seconds_count',
        'operation="anonymous",type="query"',
      ),
    ).toBe(1);
    expect(delta('movie_recs_graphql_errors_total', 'code="BAD_USER_INPUT"')).toBe(1);
  });

  it('given requests refused before GraphQL runs, when the metrics are read, then their codes are counted too', async () => {
    const before = await read();
    await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    await gql(server.url, `{ genres { name } }${' '.repeat(20_000)}`);
    const after = await read();
    const delta = (code: string) =>
      sample(after, 'movie_recs_graphql_errors_total', `code="${code}"`) -
      sample(before, 'movie_recs_graphql_errors_total', `code="${code}"`);
    expect(delta('BAD_REQUEST')).toBe(1);
    expect(delta('QUERY_LIMIT_EXCEEDED')).toBe(1);
  });

  it('given a rating and then reads of similar movies, when the metrics are read, then list reads are counted as hits and misses', async () => {
    await gqlData(
      server.url,
      'mutation { rateMovie(input: {userId: 3, movieId: 5, rating: 5}) { rating { value } } }',
    );
    const before = await read();
    const reads = (t: string) =>
      ['hit', 'miss'].reduce(
        (n, result) =>
          n + sample(t, 'movie_recs_neighbour_list_reads_total', `side="item",result="${result}"`),
        0,
      );
    await gqlData(server.url, '{ similarMovies(movieId: 1, first: 5) { support } }');
    await gqlData(server.url, '{ similarMovies(movieId: 1, first: 5) { support } }');
    const after = await read();
    expect(reads(after) - reads(before)).toBe(2);
    // the second read of the same list finds it exact
    expect(
      sample(after, 'movie_recs_neighbour_list_reads_total', 'side="item",result="hit"'),
    ).toBeGreaterThan(
      sample(before, 'movie_recs_neighbour_list_reads_total', 'side="item",result="hit"'),
    );
  });

  it('given the loaded fixture, when the metrics are read, then the model’s users, movies, ratings and bytes are reported', async () => {
    const text = await read();
    const ratings = server.dataset.ratings.length;
    expect(sample(text, 'movie_recs_model_entities', 'kind="movies"')).toBe(
      server.service.live.model.matrix.nItems,
    );
    expect(sample(text, 'movie_recs_model_entities', 'kind="ratings"')).toBeGreaterThanOrEqual(
      ratings,
    );
    expect(sample(text, 'movie_recs_model_bytes')).toBeGreaterThan(ratings * 4);
    expect(text).not.toContain('movie_recs_redis_up');
  });
});

describe('logs', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await startInProcess({ dataset: FIXTURE_DIR });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('given a request with an X-Request-Id, when it is answered, then the header is echoed and one JSON line logs the id, operation and duration', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-42' },
      body: JSON.stringify({ query: 'query Genres { genres { name } }' }),
    });
    expect(res.headers.get('x-request-id')).toBe('req-42');
    const line = server.logs.find((r) => r.msg === 'graphql request' && r.requestId === 'req-42');
    expect(line).toMatchObject({ operation: 'Genres', type: 'query', level: 30 });
    expect(typeof line?.durationMs).toBe('number');
  });

  it('given a request without an id, when it fails, then a fresh id is made and the error codes are logged', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ movie(id: "x") { title } }' }),
    });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = server.logs.find((r) => r.requestId === id);
    expect(line?.errors).toEqual(['BAD_USER_INPUT']);
  });
});

describe('Redis availability', () => {
  let shared: TestRedis;
  let server: InProcessServer;
  beforeAll(async () => {
    shared = await testRedis();
    server = await startInProcess({
      dataset: FIXTURE_DIR,
      attach: { redis: { client: shared.redis, prefix: shared.prefix }, buildSeconds: 1.5 },
    });
  });
  afterAll(async () => {
    await server?.close();
    await shared?.cleanup();
  });

  it('given a ready Redis connection and a build time, when the metrics are read, then redis_up is 1 and the build seconds are reported', async () => {
    const text = await (await fetch(`${server.origin}/metrics`)).text();
    expect(sample(text, 'movie_recs_redis_up')).toBe(1);
    expect(sample(text, 'movie_recs_model_build_seconds')).toBe(1.5);
  });
});
