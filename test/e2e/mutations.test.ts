/**
 * Mutations over HTTP and read-your-writes: what a client sees right after its own
 * rateMovie/removeRating. The server is the real one with a journal in a temporary
 * directory. Each test uses user ids of its own (10xx), so the tests do not see each
 * other's ratings.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FIXTURE_DIR, gql, gqlData, onlyError, serverForFile } from './helpers.ts';

const server = serverForFile({ dataset: FIXTURE_DIR, journal: true });

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * Makes every journal append take `ms` longer, as an fsync on a real disk does; the
 * window between validating a mutation and applying it is then wide enough for a
 * concurrent request to land in it every time.
 */
function slowDisk(ms: number): void {
  const journal = server.journal;
  if (!journal) throw new Error('the server has no journal');
  const append = journal.append.bind(journal);
  vi.spyOn(journal, 'append').mockImplementation(async (events) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return append(events);
  });
}

const RATE = `mutation($userId: ID!, $movieId: ID!, $rating: Float!) {
  rateMovie(input: { userId: $userId, movieId: $movieId, rating: $rating }) {
    previousValue
    rating { value ratedAt user { id } movie { id } }
    user { id ratingCount meanRating }
    movie { id title ratingCount }
  }
}`;

const REMOVE = `mutation($userId: ID!, $movieId: ID!) {
  removeRating(input: { userId: $userId, movieId: $movieId }) {
    rating { value user { id } movie { id } }
    user { id ratingCount }
    movie { id ratingCount }
  }
}`;

interface RatePayload {
  previousValue: number | null;
  rating: { value: number; ratedAt: string; user: { id: string }; movie: { id: string } };
  user: { id: string; ratingCount: number; meanRating: number | null };
  movie: { id: string; title: string; ratingCount: number };
}

const rate = async (userId: number, movieId: number, rating: number) =>
  (
    await gqlData<{ rateMovie: RatePayload }>(server.url, RATE, {
      userId: String(userId),
      movieId: String(movieId),
      rating,
    })
  ).rateMovie;

const ratingCountOf = async (movieId: number) =>
  (
    await gqlData<{ movie: { ratingCount: number } }>(
      server.url,
      `{ movie(id: ${movieId}) { ratingCount } }`,
    )
  ).movie.ratingCount;

const recommendationIds = async (userId: number) =>
  (
    await gqlData<{ recommendations: Array<{ source: string; movie: { id: string } }> }>(
      server.url,
      `{ recommendations(userId: ${userId}, first: 10) { source movie { id } } }`,
    )
  ).recommendations;

interface SimilarEntry {
  similarity: number;
  support: number;
  movie: { id: string };
}

const similarOf = async (movieId: number) =>
  (
    await gqlData<{ similarMovies: SimilarEntry[] }>(
      server.url,
      `{ similarMovies(movieId: ${movieId}, first: 100) { similarity support movie { id } } }`,
    )
  ).similarMovies;

describe('rateMovie', () => {
  it('given a new user, when rating a movie, then the payload holds the rating, no previous value, the user and the movie', async () => {
    const before = await ratingCountOf(3);
    const started = Date.now();
    const payload = await rate(1001, 3, 4.5);
    expect(payload).toMatchObject({
      previousValue: null,
      rating: { value: 4.5, user: { id: '1001' }, movie: { id: '3' } },
      user: { id: '1001', ratingCount: 1, meanRating: 4.5 },
      movie: { id: '3', title: 'Crimson Road', ratingCount: before + 1 },
    });
    const ratedAt = Date.parse(payload.rating.ratedAt);
    expect(ratedAt).toBeGreaterThanOrEqual(started - 1000);
    expect(ratedAt).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('given a rating just made, when reading the user and the movie, then the rating is first of the user’s and counted on the movie', async () => {
    const before = await ratingCountOf(7);
    await rate(5, 7, 0.5); // user 5 of the fixture has older ratings, but not of movie 7
    const data = await gqlData<{
      user: {
        ratingCount: number;
        ratings: { edges: Array<{ node: { value: number; movie: { id: string } } }> };
      };
      movie: { ratingCount: number };
    }>(
      server.url,
      '{ user(id: 5) { ratingCount ratings(first: 1) { edges { node { value movie { id } } } } } movie(id: 7) { ratingCount } }',
    );
    expect(data.user.ratings.edges[0].node).toEqual({ value: 0.5, movie: { id: '7' } });
    expect(data.movie.ratingCount).toBe(before + 1);
  });

  it('given a user with one rating, when rating the same movie again, then previousValue is the replaced value and nothing is added', async () => {
    await rate(1002, 1, 3);
    const again = await rate(1002, 1, 4.5);
    expect(again.previousValue).toBe(3);
    expect(again.rating.value).toBe(4.5);
    expect(again.user.ratingCount).toBe(1);
    expect(again.user.meanRating).toBe(4.5);
  });

  it('given a new user, when they rate one movie, then their recommendations change from popular movies to neighbours’ picks', async () => {
    const before = await recommendationIds(1003);
    expect(before.every((r) => r.source === 'POPULARITY')).toBe(true);
    await rate(1003, 10, 5);
    const after = await recommendationIds(1003);
    expect(after.map((r) => r.movie.id)).not.toEqual(before.map((r) => r.movie.id));
    expect(after.map((r) => r.movie.id)).not.toContain('10');
    expect(after.some((r) => r.source === 'NEIGHBOURS')).toBe(true);
  });

  it('given movies 901 and 902 co-rated by one user, when a new user rates both, then each lists the other with support 2', async () => {
    const before = (await similarOf(901)).find((s) => s.movie.id === '902');
    expect(before?.support).toBe(1);
    await rate(1004, 901, 4);
    await rate(1004, 902, 4);
    const after901 = (await similarOf(901)).find((s) => s.movie.id === '902');
    const after902 = (await similarOf(902)).find((s) => s.movie.id === '901');
    expect(after901?.support).toBe(2);
    expect(after902?.support).toBe(2);
    expect(after901?.similarity).toBeGreaterThan(before?.similarity ?? 1);
    expect(after902?.similarity).toBeCloseTo(after901?.similarity ?? 0, 6);
  });

  it('given a movie nobody rated, when a new user rates it, then its count, mean and similar list reflect the rating', async () => {
    const before = await gqlData<{ movie: { ratingCount: number; averageRating: number | null } }>(
      server.url,
      '{ movie(id: 999) { ratingCount averageRating } }',
    );
    expect(before.movie).toEqual({ ratingCount: 0, averageRating: null });
    expect(await similarOf(999)).toEqual([]);
    await rate(1006, 1, 4);
    await rate(1006, 999, 3.5);
    const after = await gqlData<{ movie: { ratingCount: number; averageRating: number | null } }>(
      server.url,
      '{ movie(id: 999) { ratingCount averageRating } }',
    );
    expect(after.movie).toEqual({ ratingCount: 1, averageRating: 3.5 });
    const similar = await similarOf(999);
    expect(similar.map((s) => [s.movie.id, s.support])).toEqual([['1', 1]]);
  });

  it('given a new user who rates exactly as user 3 did, when reading similar users, then each lists the other with full support', async () => {
    const { user } = await gqlData<{
      user: { ratings: { edges: Array<{ node: { value: number; movie: { id: string } } }> } };
    }>(
      server.url,
      '{ user(id: 3) { ratings(first: 100) { edges { node { value movie { id } } } } } }',
    );
    const theirs = user.ratings.edges.map((e) => e.node);
    for (const r of theirs) await rate(1007, Number(r.movie.id), r.value);
    const data = await gqlData<{
      twin: { similarUsers: Array<{ similarity: number; support: number; user: { id: string } }> };
      three: { similarUsers: Array<{ similarity: number; support: number; user: { id: string } }> };
    }>(
      server.url,
      `{ twin: user(id: 1007) { similarUsers(first: 50) { similarity support user { id } } }
         three: user(id: 3) { similarUsers(first: 50) { similarity support user { id } } } }`,
    );
    expect(data.twin.similarUsers[0]).toEqual({
      similarity: expect.closeTo(1, 5),
      support: theirs.length,
      user: { id: '3' },
    });
    expect(data.three.similarUsers[0]).toEqual({
      similarity: expect.closeTo(1, 5),
      support: theirs.length,
      user: { id: '1007' },
    });
  });

  it('given an acknowledged rating, when reading the journal, then its last line is that rating', async () => {
    await rate(1005, 12, 2.5);
    const lines = (await readFile(server.journalPath ?? '', 'utf8')).trimEnd().split('\n');
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({
      v: 1,
      k: 'rate',
      u: 1005,
      m: 12,
      r: 2.5,
    });
  });
});

describe('removeRating', () => {
  it('given a rating, when removing it, then the payload holds it and the user and movie no longer count it', async () => {
    const before = await ratingCountOf(14);
    await rate(1010, 14, 3.5);
    const { removeRating } = await gqlData<{
      removeRating: {
        rating: { value: number; user: { id: string }; movie: { id: string } };
        user: { id: string; ratingCount: number };
        movie: { id: string; ratingCount: number };
      };
    }>(server.url, REMOVE, { userId: '1010', movieId: '14' });
    expect(removeRating).toEqual({
      rating: { value: 3.5, user: { id: '1010' }, movie: { id: '14' } },
      user: { id: '1010', ratingCount: 0 },
      movie: { id: '14', ratingCount: before },
    });
    const { user } = await gqlData<{
      user: { ratingCount: number; ratings: { totalCount: number } } | null;
    }>(server.url, '{ user(id: 1010) { ratingCount ratings { totalCount } } }');
    expect(user?.ratingCount ?? 0).toBe(0);
    expect(user?.ratings.totalCount ?? 0).toBe(0);
  });

  it('given no rating of the movie by the user, when removing, then NOT_FOUND names the user and the movie', async () => {
    const result = await gql(server.url, REMOVE, { userId: '1011', movieId: '14' });
    const error = onlyError(result);
    expect(error.extensions?.code).toBe('NOT_FOUND');
    expect(error.message).toContain('1011');
    expect(error.message).toContain('14');
  });
});

describe('concurrent mutations of one rating', () => {
  it('given a rating removed twice at the same time, when both removals are sent concurrently, then one succeeds and the other is NOT_FOUND', async () => {
    await rate(1012, 15, 4);
    slowDisk(50);
    const results = await Promise.all([
      gql(server.url, REMOVE, { userId: '1012', movieId: '15' }),
      gql(server.url, REMOVE, { userId: '1012', movieId: '15' }),
    ]);
    const codes = results.map((r) => r.errors?.[0]?.extensions?.code ?? 'OK').sort();
    expect(codes).toEqual(['NOT_FOUND', 'OK']);
  });

  it('given a rating of 2, when two replacements (3 and 4) are sent at the same time, then one of them reports the other as previousValue', async () => {
    await rate(1013, 16, 2);
    slowDisk(50);
    const [a, b] = await Promise.all([
      gqlData<{ rateMovie: RatePayload }>(server.url, RATE, {
        userId: '1013',
        movieId: '16',
        rating: 3,
      }),
      gqlData<{ rateMovie: RatePayload }>(server.url, RATE, {
        userId: '1013',
        movieId: '16',
        rating: 4,
      }),
    ]);
    const previous = [a.rateMovie.previousValue, b.rateMovie.previousValue].sort();
    // whichever was applied second replaced the first one's value, not the original 2
    expect([
      [2, 3],
      [2, 4],
    ]).toContainEqual(previous);
  });
});
