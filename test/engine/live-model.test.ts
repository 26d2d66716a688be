import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveRows, solveScratch } from '../../src/engine/factors.ts';
import { LiveModel } from '../../src/engine/live-model.ts';
import { type Csr, rowMeans } from '../../src/engine/matrix.ts';
import type { ModelConfig } from '../../src/engine/model.ts';
import { computePopularity } from '../../src/engine/popularity.ts';
import {
  type SimilaritySpace,
  similarityMetrics,
  similaritySpace,
} from '../../src/engine/similarity.ts';
import type { RatingEvent } from '../../src/store/rating-event.ts';
import {
  base,
  columns,
  config,
  event,
  expectListsEqualRebuild,
  freshMatrix,
  listOf,
  movieIds,
  rebuiltLists,
  weights,
} from './live-fixtures.ts';

/** Each row of a per-entry array laid out like `rows`, as plain lists. */
function rowsOfLane(rows: Csr, lane: Float32Array): number[][] {
  return Array.from({ length: rows.rows }, (_, r) =>
    Array.from(lane.subarray(rows.rowPtr[r], rows.rowEnd[r])),
  );
}

/**
 * Asserts the live model's matrix, spaces, means and popularity are the very numbers a
 * fit of the same ratings (with the same baseline) computes.
 */
function expectStateEqualsFit(live: LiveModel) {
  const fresh = freshMatrix(live);
  const model = live.model;
  expect(model.matrix.nnz).toBe(fresh.nnz);
  for (const [got, want] of [
    [model.matrix.byUser, fresh.byUser],
    [model.matrix.byItem, fresh.byItem],
  ] as const) {
    expect(got.rows).toBe(want.rows);
    expect(rowsOfLane(got, got.values)).toEqual(rowsOfLane(want, want.values));
    const cols = (m: Csr) => rowsOfLane(m, Float32Array.from(m.colIdx));
    expect(cols(got)).toEqual(cols(want));
  }
  const { baseline } = model;
  for (const side of ['item', 'user'] as const) {
    const sideModel = model[side];
    if (!sideModel) throw new Error('missing side');
    for (const space of [sideModel.predictSpace, sideModel.rankSpace]) {
      const want: SimilaritySpace = similaritySpace(fresh, side, space.options, baseline);
      const what = `${side} ${space.options.metric}`;
      expect(rowsOfLane(space.rows, space.xRows), what).toEqual(rowsOfLane(want.rows, want.xRows));
      expect(rowsOfLane(space.cols, space.xCols), what).toEqual(rowsOfLane(want.cols, want.xCols));
      expect(Array.from(space.norms.subarray(0, want.norms.length)), what).toEqual(
        Array.from(want.norms),
      );
    }
  }
  const means = rowMeans(fresh.byUser, baseline.mu);
  expect(Array.from(model.userMeans.subarray(0, means.length))).toEqual(Array.from(means));
  // the factor model: each user's part is the solve over its current ratings with the
  // movies' part held, as the fit's last step gives it
  const f = model.factors;
  if (!f) throw new Error('missing factors');
  const solved = {
    ...f,
    userFactors: new Float32Array(fresh.nUsers * f.k),
    userBias: new Float32Array(fresh.nUsers),
  };
  solveRows(fresh.byUser, solved, 'user', 0, fresh.nUsers, solveScratch(f.k));
  expect(Array.from(f.userFactors.subarray(0, fresh.nUsers * f.k))).toEqual(
    Array.from(solved.userFactors),
  );
  expect(Array.from(f.userBias.subarray(0, fresh.nUsers))).toEqual(Array.from(solved.userBias));
  const pop = computePopularity(fresh, baseline.mu, config.popularityDamping);
  expect(Array.from(model.popularity.order)).toEqual(Array.from(pop.order));
  expect(Array.from(model.popularity.count)).toEqual(Array.from(pop.count));
  expect(Array.from(model.popularity.dampedMean)).toEqual(Array.from(pop.dampedMean));
}

describe('LiveModel', () => {
  it('given random ratings and a random sequence of new, changed and removed ratings, when every list is read, then each equals a rebuild from the same ratings', () => {
    fc.assert(
      fc.property(base, fc.array(event, { minLength: 1, maxLength: 12 }), (rows, events) => {
        const live = LiveModel.create(movieIds, columns(rows), config, weights);
        for (const e of events) live.apply([e as RatingEvent]);
        expectListsEqualRebuild(live);
      }),
      { numRuns: 150 },
    );
  });

  it('given any similarity metric for the lists, when random ratings change, then every list read equals a rebuild with the same parameters', () => {
    fc.assert(
      fc.property(
        base,
        fc.array(event, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(...similarityMetrics),
        fc.constantFrom(0, 5, 100),
        fc.constantFrom(1, 2),
        (rows, events, metric, shrinkage, minSupport) => {
          const rank = { metric, shrinkage, minSupport };
          const cfg: ModelConfig = {
            ...config,
            item: { ...config.item, rankSimilarity: rank },
            user: { ...config.user, rankSimilarity: rank },
          };
          const live = LiveModel.create(movieIds, columns(rows), cfg, weights);
          for (const e of events) live.apply([e as RatingEvent]);
          expectListsEqualRebuild(live, cfg);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('given events applied in batches of any size, with some lists read between batches, then every list equals a rebuild, for any metric', () => {
    fc.assert(
      fc.property(
        base,
        fc.array(fc.tuple(event, fc.boolean()), { minLength: 1, maxLength: 16 }),
        fc.array(fc.tuple(fc.constantFrom('item' as const, 'user' as const), fc.nat(8)), {
          maxLength: 6,
        }),
        fc.constantFrom(...similarityMetrics),
        (rows, marked, reads, metric) => {
          const rank = { metric, shrinkage: 0, minSupport: 1 };
          const cfg: ModelConfig = {
            ...config,
            item: { ...config.item, rankSimilarity: rank },
            user: { ...config.user, rankSimilarity: rank },
          };
          const live = LiveModel.create(movieIds, columns(rows), cfg, weights);
          // an event flagged true closes its batch; lists are read between batches, so a
          // later batch must invalidate lists recomputed after the one before it
          let batch: RatingEvent[] = [];
          marked.forEach(([e, closes], t) => {
            batch.push({ ...e, timestamp: 100 + t } as RatingEvent);
            if (!closes && t < marked.length - 1) return;
            live.apply(batch);
            batch = [];
            for (const [side, a] of reads) {
              const n = side === 'item' ? movieIds.length : live.userCount;
              live.ensureLists(side, [a % n]);
            }
          });
          expectListsEqualRebuild(live, cfg);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('given lists left for later, when created, then none is built, and each read equals a rebuild', () => {
    fc.assert(
      fc.property(base, fc.constantFrom('later' as const, 'movies' as const), (rows, lists) => {
        const live = LiveModel.create(movieIds, columns(rows), config, weights, lists);
        const built = { item: lists === 'movies', user: false };
        for (const side of ['item', 'user'] as const) {
          const n = side === 'item' ? movieIds.length : live.userCount;
          const sideLists = live.model[side]?.lists;
          for (let a = 0; a < n; a++) {
            expect(live.isListCurrent(side, a)).toBe(built[side]);
            // not computed and thrown away: a list left for later is empty until read
            if (!built[side]) expect(sideLists?.length[a]).toBe(0);
          }
        }
        expectListsEqualRebuild(live);
      }),
      { numRuns: 100 },
    );
  });

  it('given lists left for their first read, when changes arrive and the background refresh runs to the end, then it computes no list that was never read, and every read still equals a rebuild', () => {
    fc.assert(
      fc.property(base, fc.array(event, { minLength: 1, maxLength: 8 }), (rows, events) => {
        const live = LiveModel.create(movieIds, columns(rows), config, weights, 'movies');
        const users = live.userCount;
        for (const e of events) live.apply([e as RatingEvent]);
        while (live.refreshLists(() => true) > 0);
        // the users known at start whose list nobody read: still waiting for a read (the
        // changed users' own lists are recomputed by the change itself)
        const changed = new Set(events.map((e) => live.userIdx(e.userId)));
        for (let u = 0; u < users; u++) {
          if (!changed.has(u)) expect(live.isListCurrent('user', u)).toBe(false);
        }
        expectListsEqualRebuild(live);
      }),
      { numRuns: 150 },
    );
  });

  it("given random changes and any pair of metrics, when applied, then the matrix, spaces, means, popularity and the users' factors are exactly those of a fit on the same ratings", () => {
    fc.assert(
      fc.property(
        base,
        fc.array(event, { minLength: 1, maxLength: 16 }),
        fc.constantFrom(...similarityMetrics),
        fc.constantFrom(...similarityMetrics),
        fc.constantFrom(0, 2, 1024),
        (rows, events, predictMetric, rankMetric, spare) => {
          const predict = { metric: predictMetric, shrinkage: 10, minSupport: 1 };
          const rank = { metric: rankMetric, shrinkage: 0, minSupport: 1 };
          const cfg: ModelConfig = {
            ...config,
            item: { ...config.item, predictSimilarity: predict, rankSimilarity: rank },
            user: { ...config.user, predictSimilarity: predict, rankSimilarity: rank },
          };
          // spare 0 or 2: the matrix runs out of room and is refitted along the way
          const live = LiveModel.create(movieIds, columns(rows), cfg, weights, 'compute', {
            spare: () => spare,
          });
          for (const e of events) live.apply([e as RatingEvent]);
          expectStateEqualsFit(live);
          expectListsEqualRebuild(live, cfg);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('given a matrix with no spare room, when new ratings arrive, then it is refitted and stays exact', () => {
    const live = LiveModel.create(
      movieIds,
      columns([
        [1, 10, 4],
        [2, 20, 3],
      ]),
      config,
      weights,
      'compute',
      { spare: () => 0 },
    );
    for (let t = 0; t < 12; t++) {
      live.apply([
        { kind: 'rate', userId: 1 + (t % 3), movieId: movieIds[t % 6], rating: 3, timestamp: t },
      ]);
    }
    expect(live.refits).toBeGreaterThan(0);
    expectStateEqualsFit(live);
    expectListsEqualRebuild(live);
  });

  it('given a rating, when it is applied, then only the lists it can reach are recomputed, not every list', () => {
    const rows: Array<[number, number, number]> = [];
    for (let u = 1; u <= 6; u++)
      for (const m of movieIds)
        if ((u + m / 10) % 3 !== 0) rows.push([u, m, ((u * m) % 9) / 2 + 0.5]);
    const live = LiveModel.create(movieIds, columns(rows), config, weights);
    const before = live.listsRecomputed;
    live.apply([{ kind: 'rate', userId: 1, movieId: 10, rating: 5, timestamp: 1 }]);
    // the movie's and the user's own lists, at once
    expect(live.listsRecomputed - before).toBe(2);
  });

  it('given ratings applied one by one, when each returns its invalidated lists, then the counter is their sum and each is at least the two own lists', () => {
    const rows: Array<[number, number, number]> = [];
    for (let u = 1; u <= 5; u++)
      for (const m of movieIds) if ((u * m) % 7 !== 0) rows.push([u, m, 1 + ((u + m) % 5)]);
    const live = LiveModel.create(movieIds, columns(rows), config, weights);
    const counts = [
      live.apply([{ kind: 'rate', userId: 1, movieId: 20, rating: 4, timestamp: 1001 }]),
      live.apply([{ kind: 'rate', userId: 9, movieId: 30, rating: 2, timestamp: 1002 }]),
      live.apply([{ kind: 'remove', userId: 2, movieId: 40, timestamp: 1003 }]),
    ];
    for (const c of counts) expect(c).toBeGreaterThanOrEqual(2);
    expect(live.listsInvalidated).toBe(counts[0] + counts[1] + counts[2]);
  });

  it('given a rating event older than the rating it would replace, when applied, then it changes nothing', () => {
    const live = LiveModel.create(movieIds, columns([[1, 10, 4]]), config, weights);
    live.apply([{ kind: 'rate', userId: 1, movieId: 10, rating: 2, timestamp: 50 }]);
    expect(live.apply([{ kind: 'rate', userId: 1, movieId: 10, rating: 5, timestamp: 40 }])).toBe(
      0,
    );
    expect(live.ratingOf(live.userIdx(1), live.itemIdx(10))?.value).toBe(2);
  });

  it('given a removal, when an older rating of the same pair arrives afterwards, then the rating stays removed', () => {
    const live = LiveModel.create(movieIds, columns([[1, 10, 4]]), config, weights);
    live.apply([{ kind: 'remove', userId: 1, movieId: 10, timestamp: 50 }]);
    live.apply([{ kind: 'rate', userId: 1, movieId: 10, rating: 3, timestamp: 45 }]);
    expect(live.ratingOf(live.userIdx(1), live.itemIdx(10))).toBeNull();
  });

  it('given the same events delivered twice in different orders, when applied, then the ratings end the same (last writer by time wins)', () => {
    fc.assert(
      fc.property(base, fc.array(event, { minLength: 1, maxLength: 10 }), (rows, events) => {
        const stamped = events.map((e, t) => ({ ...e, timestamp: 1000 + t }) as RatingEvent);
        const a = LiveModel.create(movieIds, columns(rows), config, weights);
        const b = LiveModel.create(movieIds, columns(rows), config, weights);
        for (const e of stamped) a.apply([e]);
        for (const e of [...stamped].reverse()) b.apply([e]);
        for (const e of stamped) b.apply([e]);
        for (let u = 1; u <= 8; u++) {
          for (const m of movieIds) {
            const ra = a.userIdx(u) < 0 ? null : a.ratingOf(a.userIdx(u), a.itemIdx(m));
            const rb = b.userIdx(u) < 0 ? null : b.ratingOf(b.userIdx(u), b.itemIdx(m));
            expect(rb?.value ?? null, `${u}:${m}`).toBe(ra?.value ?? null);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('given a new user, when they rate a movie, then they get an index and their rating counts', () => {
    const live = LiveModel.create(
      movieIds,
      columns([
        [1, 10, 4],
        [2, 20, 3],
      ]),
      config,
      weights,
    );
    live.apply([{ kind: 'rate', userId: 99, movieId: 30, rating: 4.5, timestamp: 5 }]);
    const u = live.userIdx(99);
    expect(u).toBe(2);
    expect(live.ratingOf(u, live.itemIdx(30))).toEqual({ value: 4.5, timestamp: 5 });
    expect(live.model.matrix.nUsers).toBe(3);
  });

  it('given a removal, when it is applied, then the rating is gone and the others stay', () => {
    const live = LiveModel.create(
      movieIds,
      columns([
        [1, 10, 4],
        [1, 20, 3],
        [2, 20, 2],
      ]),
      config,
      weights,
    );
    live.apply([{ kind: 'remove', userId: 1, movieId: 10, timestamp: 5 }]);
    expect(live.ratingOf(live.userIdx(1), live.itemIdx(10))).toBeNull();
    expect(live.ratingOf(live.userIdx(1), live.itemIdx(20))?.value).toBe(3);
    expect(live.model.matrix.nnz).toBe(2);
  });
});

describe('LiveModel near-ties', () => {
  it('given a new similarity that ties the last entry of a full list up to Float32 rounding, when applied, then the list equals a rebuild', () => {
    // s(20, 40) after the rating equals s(20, 10) mathematically; the rebuild decides the
    // tie in Float64, so the live model must recompute 20's list rather than trust the
    // Float32 value stored for 10.
    const rows: Array<[number, number, number]> = [
      [2, 60, 0.5],
      [2, 30, 0.5],
      [1, 40, 1.5],
      [3, 20, 4.5],
      [2, 20, 0.5],
      [1, 10, 0.5],
      [2, 10, 0.5],
    ];
    const live = LiveModel.create(movieIds, columns(rows), config, weights);
    live.apply([{ kind: 'rate', userId: 2, movieId: 40, rating: 1.5, timestamp: 100 }]);
    live.ensureLists('item', [1]);
    const want = rebuiltLists(live).item;
    const got = live.model.item?.lists;
    if (!got) throw new Error('missing side');
    expect(listOf(got, 1).map((x) => x[0])).toEqual(listOf(want, 1).map((x) => x[0]));
  });
});
