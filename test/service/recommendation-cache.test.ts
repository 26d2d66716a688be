/**
 * The service keeps recommendation answers between requests while the ratings do not
 * change. Every answer must still be the one a service fitted from scratch on the accepted
 * ratings gives (that service keeps nothing), whatever was asked and rated before.
 */
import fc from 'fast-check';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import type { Dataset } from '../../src/data/types.ts';
import { RecommenderService } from '../../src/service/recommender-service.ts';
import type { RecommendationRequest, RecommendationView } from '../../src/service/views.ts';
import type { RatingEvent } from '../../src/store/rating-event.ts';
import { FIXED_WEIGHTS, FIXTURE_DIR } from '../e2e/helpers.ts';

const quiet = pino({ level: 'silent' });

let dataset: Dataset;
let userIds: number[];
let movieIds: number[];

beforeAll(async () => {
  dataset = await loadDataset(FIXTURE_DIR);
  userIds = [...new Set(dataset.ratings.userIds)].slice(0, 6);
  movieIds = [...new Set(dataset.ratings.movieIds)].slice(0, 12);
});

/** What a client sees of an answer: movies, scores and reasons. */
function shown(views: RecommendationView[][]): unknown {
  return views.map((list) =>
    list.map((v) => ({
      movieId: v.movieId,
      score: Math.round(v.score * 1e9) / 1e9,
      source: v.source,
      reasons: v.reasons.map((r) => [r.kind, r.movieId, r.userId, Math.round(r.weight * 1e9)]),
    })),
  );
}

type Step =
  | { kind: 'rate'; user: number; movie: number; value: number }
  | { kind: 'remove'; user: number; movie: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('rate' as const),
    user: fc.nat(7),
    movie: fc.nat(11),
    value: fc.integer({ min: 1, max: 10 }).map((h) => h / 2),
  }),
  fc.record({ kind: fc.constant('remove' as const), user: fc.nat(7), movie: fc.nat(11) }),
);

/** Every user of the test (6 and 7 are not in the data set), asked two ways. */
function requests(idOf: (u: number) => number): RecommendationRequest[] {
  return Array.from({ length: 8 }, (_, u) => [
    { userId: idOf(u), first: 10, strategy: 'hybrid' as const, genres: [], excludeRated: true },
    {
      userId: idOf(u),
      first: 3,
      strategy: 'hybrid' as const,
      genres: ['Drama'],
      excludeRated: true,
    },
  ]).flat();
}

describe('recommendation answers kept between requests', () => {
  it('given answers kept and any sequence of ratings and removals, then every later answer equals a service fitted from scratch on the accepted ratings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        const service = RecommenderService.create({
          dataset,
          hybrid: FIXED_WEIGHTS,
          logger: quiet,
        });
        const accepted: RatingEvent[] = [];
        // users 6 and 7 are not in the data set: new users, and an unknown one
        const idOf = (u: number) => userIds[u] ?? 100_000 + u;
        let t = 2_000_000_000;
        const asked = requests(idOf);
        // asked before any change: the answers kept from here must not outlive a change
        await service.recommendations(asked);
        for (const s of steps) {
          if (s.kind === 'rate') {
            await service.rate(idOf(s.user), movieIds[s.movie], s.value, ++t);
            accepted.push({
              kind: 'rate',
              userId: idOf(s.user),
              movieId: movieIds[s.movie],
              rating: s.value,
              timestamp: t,
            });
          } else {
            try {
              await service.remove(idOf(s.user), movieIds[s.movie], ++t);
              accepted.push({
                kind: 'remove',
                userId: idOf(s.user),
                movieId: movieIds[s.movie],
                timestamp: t,
              });
            } catch {
              // nothing to remove: refused, nothing changed
            }
          }
          const fresh = RecommenderService.create({
            dataset,
            events: accepted,
            hybrid: FIXED_WEIGHTS,
            logger: quiet,
            recommendationCache: 0,
          });
          const reference = shown(await fresh.recommendations(asked));
          // one at a time, then all in one batch: kept answers and computed ones mixed
          for (const [k, request] of asked.entries()) {
            expect(shown(await service.recommendations([request]))).toEqual([
              (reference as unknown[])[k],
            ]);
          }
          expect(shown(await service.recommendations(asked))).toEqual(reference);
        }
      }),
      { numRuns: 40, seed: 16 },
    );
  });
});
