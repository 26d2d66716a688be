/**
 * Read queries over HTTP against the real server on the full ml-latest-small, with every
 * expected value computed independently from the loaded data set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset, MovieInfo } from '../../src/data/types.ts';
import { gql, gqlData, type InProcessServer, START_TIMEOUT_MS, startInProcess } from './helpers.ts';

let server: InProcessServer;
let ds: Dataset;

beforeAll(async () => {
  server = await startInProcess({ dataset: 'ml-latest-small' });
  ds = server.dataset;
}, START_TIMEOUT_MS);

afterAll(async () => {
  await server?.close();
});

// ---- references computed from the data set, not from the service -----------------------

function ratingsOfMovie(movieId: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < ds.ratings.length; t++)
    if (ds.ratings.movieIds[t] === movieId) out.push(ds.ratings.values[t]);
  return out;
}

function ratingsOfUser(userId: number): Array<{ movieId: number; value: number; ts: number }> {
  const out: Array<{ movieId: number; value: number; ts: number }> = [];
  for (let t = 0; t < ds.ratings.length; t++) {
    if (ds.ratings.userIds[t] === userId) {
      out.push({
        movieId: ds.ratings.movieIds[t],
        value: ds.ratings.values[t],
        ts: ds.ratings.timestamps[t],
      });
    }
  }
  return out;
}

let counts: Map<number, number> | null = null;

/** How many ratings each movie has (computed once). */
function ratingsOfMovieCount(movieId: number): number {
  if (counts === null) {
    counts = new Map();
    for (let t = 0; t < ds.ratings.length; t++) {
      const id = ds.ratings.movieIds[t];
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts.get(movieId) ?? 0;
}

const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length;
const catalogue = (): MovieInfo[] => [...ds.movies.values()];

interface MovieNode {
  id: string;
  title: string;
  year: number | null;
  genres: string[];
  ratingCount: number;
  averageRating: number | null;
}

interface MoviesPage {
  movies: {
    totalCount: number;
    edges: Array<{ cursor: string; node: MovieNode }>;
    pageInfo: {
      hasNextPage: boolean;
      hasPreviousPage: boolean;
      startCursor: string | null;
      endCursor: string | null;
    };
  };
}

const MOVIES = `query($filter: MovieFilter, $orderBy: MovieOrder, $first: Int, $after: String) {
  movies(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    edges { cursor node { id title year genres ratingCount averageRating } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

/** Every page of a movies query, walked with first/after. */
async function walkMovies(
  variables: Record<string, unknown>,
  pageSize: number,
): Promise<{ nodes: MovieNode[]; pages: MoviesPage['movies'][] }> {
  const pages: MoviesPage['movies'][] = [];
  let after: string | null = null;
  for (;;) {
    const page: MoviesPage = await gqlData<MoviesPage>(server.url, MOVIES, {
      ...variables,
      first: pageSize,
      after,
    });
    const movies = page.movies;
    pages.push(movies);
    if (!movies.pageInfo.hasNextPage) break;
    after = movies.pageInfo.endCursor;
    if (pages.length > 1000) throw new Error('pagination does not end');
  }
  return { nodes: pages.flatMap((p) => p.edges.map((e) => e.node)), pages };
}

describe('movie(id)', () => {
  it('given Heat (id 6), when querying its fields, then they are those of movies.csv, links.csv and its ratings', async () => {
    const { movie } = await gqlData<{ movie: Record<string, unknown> }>(
      server.url,
      '{ movie(id: "6") { id title year genres averageRating ratingCount imdbId tmdbId } }',
    );
    const ratings = ratingsOfMovie(6);
    expect(movie).toEqual({
      id: '6',
      title: 'Heat',
      year: 1995,
      genres: ['Action', 'Crime', 'Thriller'],
      averageRating: expect.closeTo(mean(ratings), 9),
      ratingCount: ratings.length,
      imdbId: '0113277',
      tmdbId: 949,
    });
  });

  it('given a movie with tags, when querying its tags, then they are the distinct tags of tags.csv', async () => {
    const { movie } = await gqlData<{ movie: { title: string; tags: string[] } }>(
      server.url,
      '{ movie(id: 60756) { title tags } }',
    );
    expect(movie.title).toBe('Step Brothers');
    expect(movie.tags).toEqual(ds.tags.get(60756));
    expect(movie.tags).toEqual(
      expect.arrayContaining(['funny', 'Highly quotable', 'will ferrell']),
    );
  });

  it('given an id no movie has, when querying it, then the answer is null without errors', async () => {
    const result = await gql<{ movie: unknown }>(server.url, '{ movie(id: 2000000000) { title } }');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ movie: null });
  });
});

describe('movies connection', () => {
  it('given a search of two words, when listing, then exactly the titles holding both words (any case) match', async () => {
    const { nodes, pages } = await walkMovies({ filter: { search: 'STAR wars' } }, 100);
    const expected = catalogue()
      .filter(
        (m) => m.title.toLowerCase().includes('star') && m.title.toLowerCase().includes('wars'),
      )
      .map((m) => String(m.id));
    expect(nodes.map((n) => n.id).sort()).toEqual(expected.sort());
    expect(pages[0].totalCount).toBe(expected.length);
  });

  it('given two genres, when listing, then the movies with at least one of them match', async () => {
    const { nodes, pages } = await walkMovies(
      { filter: { genres: ['Film-Noir', 'Western'] } },
      100,
    );
    const expected = catalogue().filter(
      (m) => m.genres.includes('Film-Noir') || m.genres.includes('Western'),
    );
    expect(nodes.map((n) => Number(n.id)).sort((a, b) => a - b)).toEqual(
      expected.map((m) => m.id).sort((a, b) => a - b),
    );
    expect(pages[0].totalCount).toBe(expected.length);
  });

  it('given yearFrom and yearTo, when listing, then the movies released in that range (bounds included) match', async () => {
    const { nodes, pages } = await walkMovies({ filter: { yearFrom: 1994, yearTo: 1995 } }, 100);
    const expected = catalogue().filter((m) => m.year !== null && m.year >= 1994 && m.year <= 1995);
    expect(nodes.every((n) => n.year === 1994 || n.year === 1995)).toBe(true);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(expected.length);
    expect(pages[0].totalCount).toBe(expected.length);
  });

  it('given orderBy POPULARITY, when listing, then rating counts never increase', async () => {
    const { movies } = await gqlData<MoviesPage>(server.url, MOVIES, {
      orderBy: 'POPULARITY',
      first: 100,
    });
    const counts = movies.edges.map((e) => e.node.ratingCount);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const most = Math.max(...catalogue().map((m) => ratingsOfMovieCount(m.id)));
    expect(counts[0]).toBe(most);
  });

  it('given orderBy AVERAGE_RATING, when listing, then damped means (sum + 5 mu) / (n + 5) never increase', async () => {
    const { movies } = await gqlData<MoviesPage>(server.url, MOVIES, {
      orderBy: 'AVERAGE_RATING',
      first: 100,
    });
    const mu = mean(Array.from(ds.ratings.values));
    const damped = movies.edges.map(({ node }) => {
      const n = node.ratingCount;
      return ((node.averageRating ?? 0) * n + 5 * mu) / (n + 5);
    });
    for (let k = 1; k < damped.length; k++)
      expect(damped[k]).toBeLessThanOrEqual(damped[k - 1] + 1e-9);
    // the damping keeps a single 5.0 from the top
    expect(movies.edges[0].node.ratingCount).toBeGreaterThan(1);
  });

  it('given orderBy TITLE, when listing, then titles are in alphabetical order ignoring case', async () => {
    const { movies } = await gqlData<MoviesPage>(server.url, MOVIES, {
      orderBy: 'TITLE',
      filter: { genres: ['Western'] },
      first: 100,
    });
    const titles = movies.edges.map((e) => e.node.title.toLowerCase());
    for (let k = 1; k < titles.length; k++) expect(titles[k - 1] <= titles[k]).toBe(true);
  });

  it('given orderBy YEAR, when listing, then years never increase and movies without a year come last', async () => {
    const { movies } = await gqlData<MoviesPage>(server.url, MOVIES, {
      orderBy: 'YEAR',
      filter: { search: 'moon' },
      first: 100,
    });
    const years = movies.edges.map((e) => e.node.year);
    expect(movies.totalCount).toBeLessThanOrEqual(100);
    expect(years).toContain(null); // "Moonlight" has no year in ml-latest-small
    const firstNull = years.indexOf(null);
    expect(years.slice(firstNull).every((y) => y === null)).toBe(true);
    const dated = years.slice(0, firstNull) as number[];
    expect(dated).toEqual([...dated].sort((a, b) => b - a));
  });

  it('given pages of 37, when walking with first/after, then every match is seen once and the count is totalCount', async () => {
    const filter = { genres: ['Drama'], yearFrom: 2010 };
    const { nodes, pages } = await walkMovies({ filter, orderBy: 'TITLE' }, 37);
    const expected = catalogue().filter(
      (m) => m.genres.includes('Drama') && m.year !== null && m.year >= 2010,
    );
    const ids = nodes.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(expected.length);
    expect(pages.length).toBe(Math.ceil(expected.length / 37));
    for (const page of pages) expect(page.totalCount).toBe(expected.length);
    expect(pages[0].pageInfo.hasPreviousPage).toBe(false);
    expect(pages.slice(1).every((p) => p.pageInfo.hasPreviousPage)).toBe(true);
    // the whole walk is the unpaged order
    const titles = nodes.map((n) => n.title.toLowerCase());
    for (let k = 1; k < titles.length; k++) expect(titles[k - 1] <= titles[k]).toBe(true);
  });
});

describe('genres', () => {
  it('given the catalogue, when listing genres, then each name comes once, by name, with its movie count', async () => {
    const { genres } = await gqlData<{ genres: Array<{ name: string; movieCount: number }> }>(
      server.url,
      '{ genres { name movieCount } }',
    );
    const counts = new Map<string, number>();
    for (const m of catalogue()) for (const g of m.genres) counts.set(g, (counts.get(g) ?? 0) + 1);
    const expected = [...counts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, movieCount]) => ({ name, movieCount }));
    expect(genres).toEqual(expected);
  });
});

describe('user(id)', () => {
  it('given user 1, when querying, then ratingCount and meanRating are those of ratings.csv', async () => {
    const { user } = await gqlData<{
      user: { id: string; ratingCount: number; meanRating: number };
    }>(server.url, '{ user(id: 1) { id ratingCount meanRating } }');
    const ratings = ratingsOfUser(1);
    expect(user).toEqual({
      id: '1',
      ratingCount: ratings.length,
      meanRating: expect.closeTo(mean(ratings.map((r) => r.value)), 9),
    });
  });

  it('given user 1, when listing their ratings, then they come newest first and total the rating count', async () => {
    const { user } = await gqlData<{
      user: {
        ratings: {
          totalCount: number;
          edges: Array<{ node: { value: number; ratedAt: string; movie: { id: string } } }>;
        };
      };
    }>(
      server.url,
      '{ user(id: 1) { ratings(first: 100) { totalCount edges { node { value ratedAt movie { id } } } } } }',
    );
    const reference = ratingsOfUser(1).sort((a, b) => b.ts - a.ts || a.movieId - b.movieId);
    const { edges, totalCount } = user.ratings;
    expect(totalCount).toBe(reference.length);
    expect(edges).toHaveLength(100);
    expect(
      edges.map((e) => [Number(e.node.movie.id), e.node.value, Date.parse(e.node.ratedAt) / 1000]),
    ).toEqual(reference.slice(0, 100).map((r) => [r.movieId, r.value, r.ts]));
  });

  it('given user 1, when walking their ratings 50 at a time, then every rating comes once, newest first across pages', async () => {
    const seen: Array<{ movieId: number; ts: number }> = [];
    let after: string | null = null;
    for (let page = 0; ; page++) {
      const data: {
        user: {
          ratings: {
            totalCount: number;
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
            edges: Array<{ node: { ratedAt: string; movie: { id: string } } }>;
          };
        };
      } = await gqlData(
        server.url,
        'query($after: String) { user(id: 1) { ratings(first: 50, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ratedAt movie { id } } } } } }',
        { after },
      );
      const { ratings } = data.user;
      for (const e of ratings.edges)
        seen.push({ movieId: Number(e.node.movie.id), ts: Date.parse(e.node.ratedAt) / 1000 });
      if (!ratings.pageInfo.hasNextPage) break;
      after = ratings.pageInfo.endCursor;
      expect(page).toBeLessThan(20);
    }
    const reference = ratingsOfUser(1).sort((a, b) => b.ts - a.ts || a.movieId - b.movieId);
    expect(seen).toEqual(reference.map((r) => ({ movieId: r.movieId, ts: r.ts })));
  });

  it('given user 1, when asking for similar users, then they are other users, most similar first, with support', async () => {
    const { user } = await gqlData<{
      user: {
        ratingCount: number;
        similarUsers: Array<{
          similarity: number;
          support: number;
          user: { id: string; ratingCount: number };
        }>;
      };
    }>(
      server.url,
      '{ user(id: 1) { ratingCount similarUsers(first: 8) { similarity support user { id ratingCount } } } }',
    );
    const list = user.similarUsers;
    expect(list).toHaveLength(8);
    expect(list.map((s) => s.user.id)).not.toContain('1');
    expect(new Set(list.map((s) => s.user.id)).size).toBe(8);
    for (let k = 0; k < list.length; k++) {
      expect(list[k].similarity).toBeGreaterThan(0);
      expect(list[k].similarity).toBeLessThanOrEqual(1 + 1e-6);
      if (k > 0) expect(list[k].similarity).toBeLessThanOrEqual(list[k - 1].similarity);
      // support = movies both rated
      const mine = new Set(ratingsOfUser(1).map((r) => r.movieId));
      const shared = ratingsOfUser(Number(list[k].user.id)).filter((r) => mine.has(r.movieId));
      expect(list[k].support).toBe(shared.length);
      expect(list[k].support).toBeGreaterThan(0);
    }
  });
});

interface Rec {
  score: number;
  predictedRating: number | null;
  source: 'NEIGHBOURS' | 'POPULARITY';
  movie: { id: string; genres: string[]; ratingCount: number };
  reasons: Array<{
    kind: 'RATED_MOVIE' | 'SIMILAR_USER';
    weight: number;
    rating: number | null;
    movie: { id: string } | null;
    user: { id: string } | null;
  }>;
}

const RECS = `query($userId: ID!, $first: Int, $strategy: Strategy, $genres: [String!], $excludeRated: Boolean) {
  recommendations(userId: $userId, first: $first, strategy: $strategy, genres: $genres, excludeRated: $excludeRated) {
    score predictedRating source
    movie { id genres ratingCount }
    reasons { kind weight rating movie { id } user { id } }
  }
}`;

async function recommend(variables: Record<string, unknown>): Promise<Rec[]> {
  return (await gqlData<{ recommendations: Rec[] }>(server.url, RECS, variables)).recommendations;
}

describe('recommendations', () => {
  it('given user 1, when asking for the first 15, then 15 distinct movies they never rated come back', async () => {
    const recs = await recommend({ userId: '1', first: 15 });
    const rated = new Set(ratingsOfUser(1).map((r) => String(r.movieId)));
    expect(recs).toHaveLength(15);
    expect(new Set(recs.map((r) => r.movie.id)).size).toBe(15);
    expect(recs.filter((r) => rated.has(r.movie.id))).toEqual([]);
  });

  it('given a genre filter, when recommending, then every movie has one of the genres', async () => {
    const recs = await recommend({ userId: '1', first: 20, genres: ['Horror', 'Western'] });
    expect(recs).toHaveLength(20);
    for (const r of recs)
      expect(r.movie.genres.some((g) => g === 'Horror' || g === 'Western')).toBe(true);
  });

  it('given excludeRated false, when recommending, then movies the user rated may come back', async () => {
    const recs = await recommend({ userId: '1', first: 50, excludeRated: false });
    const rated = new Set(ratingsOfUser(1).map((r) => String(r.movieId)));
    expect(recs.some((r) => rated.has(r.movie.id))).toBe(true);
  });

  it.each(['HYBRID', 'USER_BASED', 'ITEM_BASED'] as const)(
    'given strategy %s for user 1, when recommending, then neighbours score them best first, with a rating on the scale and positive reasons',
    async (strategy) => {
      const recs = await recommend({ userId: '1', first: 10, strategy });
      const rated = new Map(ratingsOfUser(1).map((r) => [String(r.movieId), r.value]));
      expect(recs).toHaveLength(10);
      for (let k = 0; k < recs.length; k++) {
        const r = recs[k];
        expect(r.source).toBe('NEIGHBOURS');
        if (k > 0) expect(r.score).toBeLessThanOrEqual(recs[k - 1].score);
        expect(r.predictedRating).not.toBeNull();
        expect(r.predictedRating).toBeGreaterThanOrEqual(0.5);
        expect(r.predictedRating).toBeLessThanOrEqual(5);
        expect(r.reasons.length).toBeGreaterThan(0);
        for (let q = 0; q < r.reasons.length; q++) {
          const reason = r.reasons[q];
          expect(reason.weight).toBeGreaterThan(0);
          if (q > 0) expect(reason.weight).toBeLessThanOrEqual(r.reasons[q - 1].weight);
          if (reason.kind === 'RATED_MOVIE') {
            expect(strategy).not.toBe('USER_BASED');
            expect(reason.movie).not.toBeNull();
            // "because you rated this": the user's own rating of it
            expect(reason.rating).toBe(rated.get(reason.movie?.id ?? ''));
          } else {
            expect(strategy).not.toBe('ITEM_BASED');
            expect(reason.user).not.toBeNull();
            expect(reason.rating).toBeGreaterThanOrEqual(0.5);
          }
        }
      }
    },
  );

  it('given strategy POPULAR, when recommending, then the most rated unseen movies come, scored by count, without a predicted rating', async () => {
    const recs = await recommend({ userId: '1', first: 10, strategy: 'POPULAR' });
    const rated = new Set(ratingsOfUser(1).map((r) => r.movieId));
    const expected = catalogue()
      .filter((m) => !rated.has(m.id))
      .map((m) => ({ id: m.id, count: ratingsOfMovieCount(m.id) }))
      .sort((a, b) => b.count - a.count)
      .slice(0, 10);
    expect(recs.map((r) => r.movie.ratingCount)).toEqual(expected.map((e) => e.count));
    for (const r of recs) {
      expect(r.predictedRating).toBeNull();
      expect(r.score).toBe(r.movie.ratingCount);
    }
  });

  it('given a user id with no ratings, when recommending, then the most rated movies come flagged POPULARITY', async () => {
    const recs = await recommend({ userId: '987654', first: 10 });
    const top = catalogue()
      .map((m) => ratingsOfMovieCount(m.id))
      .sort((a, b) => b - a)
      .slice(0, 10);
    expect(recs.map((r) => r.source)).toEqual(Array(10).fill('POPULARITY'));
    expect(recs.map((r) => r.movie.ratingCount)).toEqual(top);
    for (const r of recs) expect(r.reasons).toEqual([]);
  });
});

describe('similar movies', () => {
  it('given Heat, when asking similarMovies and Movie.similar, then both give the same list, most similar first, with support', async () => {
    const data = await gqlData<{
      similarMovies: Array<{ similarity: number; support: number; movie: { id: string } }>;
      movie: { similar: Array<{ similarity: number; support: number; movie: { id: string } }> };
    }>(
      server.url,
      `{ similarMovies(movieId: 6, first: 12) { similarity support movie { id } }
         movie(id: 6) { similar(first: 12) { similarity support movie { id } } } }`,
    );
    const list = data.similarMovies;
    expect(list).toHaveLength(12);
    expect(data.movie.similar).toEqual(list);
    expect(list.map((s) => s.movie.id)).not.toContain('6');
    const heatRaters = new Set<number>();
    for (let t = 0; t < ds.ratings.length; t++)
      if (ds.ratings.movieIds[t] === 6) heatRaters.add(ds.ratings.userIds[t]);
    for (let k = 0; k < list.length; k++) {
      expect(list[k].similarity).toBeGreaterThan(0);
      expect(list[k].similarity).toBeLessThanOrEqual(1 + 1e-6);
      if (k > 0) expect(list[k].similarity).toBeLessThanOrEqual(list[k - 1].similarity);
      let both = 0;
      for (let t = 0; t < ds.ratings.length; t++) {
        if (
          ds.ratings.movieIds[t] === Number(list[k].movie.id) &&
          heatRaters.has(ds.ratings.userIds[t])
        )
          both++;
      }
      expect(list[k].support).toBe(both);
      expect(list[k].support).toBeGreaterThan(0);
    }
  });
});
