/**
 * DataLoader batching seen from outside: a query touching a hundred movies costs a few
 * service calls per kind, not one per field. Counted with spies on the service behind a
 * real HTTP server.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FIXTURE_DIR, gqlData, serverForFile } from './helpers.ts';

const server = serverForFile({ dataset: FIXTURE_DIR });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('batching', () => {
  it('given 20 recommendations each with 5 similar movies, when querying, then movies and similarMovies are each called a small constant number of times', async () => {
    const movies = vi.spyOn(server.service, 'movies');
    const similar = vi.spyOn(server.service, 'similarMovies');
    const recommendations = vi.spyOn(server.service, 'recommendations');
    const data = await gqlData<{
      recommendations: Array<{
        movie: { title: string; similar: Array<{ movie: { title: string } }> };
      }>;
    }>(
      server.url,
      '{ recommendations(userId: 1, first: 20) { movie { title similar(first: 5) { movie { title } } } } }',
    );
    expect(data.recommendations).toHaveLength(20);
    const titles = data.recommendations.flatMap((r) => r.movie.similar.map((s) => s.movie.title));
    expect(titles).toHaveLength(20 * 5);
    expect(titles.every((t) => t.length > 0)).toBe(true);
    expect(recommendations).toHaveBeenCalledTimes(1);
    expect(movies.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(movies.mock.calls.length).toBeLessThanOrEqual(3);
    expect(similar.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(similar.mock.calls.length).toBeLessThanOrEqual(2);
    // one call carried the 20 recommended movies' lists at once
    expect(Math.max(...similar.mock.calls.map(([keys]) => keys.length))).toBe(20);
  });

  it('given recommendations queried without predictedRating, when querying, then no rating is predicted; with it, the 10 are predicted in one batch', async () => {
    const predicted = vi.spyOn(server.service, 'predictedRatings');
    await gqlData(
      server.url,
      '{ recommendations(userId: 1, first: 10) { movie { title } score } }',
    );
    expect(predicted).not.toHaveBeenCalled();
    const data = await gqlData<{ recommendations: Array<{ predictedRating: number | null }> }>(
      server.url,
      '{ recommendations(userId: 1, first: 10) { predictedRating } }',
    );
    expect(predicted).toHaveBeenCalledTimes(1);
    expect(predicted.mock.calls[0][0]).toHaveLength(10);
    expect(data.recommendations.every((r) => r.predictedRating !== null)).toBe(true);
  });

  it('given the same movie asked for under many aliases, when querying, then the service sees its id once', async () => {
    const movies = vi.spyOn(server.service, 'movies');
    const data = await gqlData<Record<string, { title: string }>>(
      server.url,
      '{ a: movie(id: 1) { title } b: movie(id: "1") { title } c: movie(id: 2) { title } d: movie(id: 1) { title } }',
    );
    expect(Object.values(data).map((m) => m.title)).toEqual([
      'Alpha Heist',
      'Alpha Heist',
      'Bravo Night',
      'Alpha Heist',
    ]);
    expect(movies).toHaveBeenCalledTimes(1);
    expect([...movies.mock.calls[0][0]].sort()).toEqual([1, 2]);
  });

  it('given recommendations for three users in one query, when querying, then the service computes them in one batch', async () => {
    const recommendations = vi.spyOn(server.service, 'recommendations');
    const users = vi.spyOn(server.service, 'users');
    const data = await gqlData<Record<string, { ratingCount: number; recommendations: unknown[] }>>(
      server.url,
      `{ a: user(id: 1) { ratingCount recommendations(first: 3) { score } }
         b: user(id: 2) { ratingCount recommendations(first: 3) { score } }
         c: user(id: 3) { ratingCount recommendations(first: 3) { score } } }`,
    );
    expect(Object.values(data).map((u) => u.recommendations.length)).toEqual([3, 3, 3]);
    expect(users).toHaveBeenCalledTimes(1);
    expect(recommendations).toHaveBeenCalledTimes(1);
    expect(recommendations.mock.calls[0][0].map((r) => r.userId)).toEqual([1, 2, 3]);
  });
});
