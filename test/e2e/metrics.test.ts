import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_DIR, gqlData, type InProcessServer, startInProcess } from './helpers.ts';

function counter(text: string, name: string, source: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{source="${source}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('GET /metrics', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await startInProcess({ dataset: FIXTURE_DIR, journal: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('given a rating, when the metrics are read, then the applied ratings and the lists it invalidated are counted', async () => {
    const read = async () => (await fetch(`${server.origin}/metrics`)).text();
    const before = await read();
    await gqlData(
      server.url,
      'mutation { rateMovie(input: {userId: 1, movieId: 2, rating: 1}) { rating { value } } }',
    );
    const after = await read();
    expect(counter(after, 'movie_recs_ratings_applied_total', 'local')).toBe(
      counter(before, 'movie_recs_ratings_applied_total', 'local') + 1,
    );
    // at least the rated movie's and the rater's own lists
    expect(
      counter(after, 'movie_recs_lists_invalidated_total', 'local') -
        counter(before, 'movie_recs_lists_invalidated_total', 'local'),
    ).toBeGreaterThanOrEqual(2);
    expect(after).toContain('# TYPE movie_recs_lists_invalidated_total counter');
  });
});
