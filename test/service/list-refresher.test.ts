/**
 * After ratings, a service that refreshes lists in the background brings every
 * invalidated list back to exact without a read asking for it; and what it serves
 * meanwhile is exact too.
 */
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import type { Dataset } from '../../src/data/types.ts';
import { defaultModelConfig, type ModelConfig } from '../../src/engine/model.ts';
import { seededRandom } from '../../src/engine/random.ts';
import { RecommenderService } from '../../src/service/recommender-service.ts';
import { FIXED_WEIGHTS, FIXTURE_DIR } from '../e2e/helpers.ts';
import { ratingsOf, servedDifferences } from '../support/rebuild.ts';

const quiet = pino({ level: 'silent' });
const small: ModelConfig = {
  ...defaultModelConfig,
  item: { ...defaultModelConfig.item, listSize: 3 },
  user: { ...defaultModelConfig.user, listSize: 3 },
};
let dataset: Dataset;

beforeAll(async () => {
  dataset = await loadDataset(FIXTURE_DIR);
});

/** Resolves once the service has no dirty list left (the refresher is done). */
async function refreshed(service: RecommenderService): Promise<void> {
  const { live } = service;
  const dirty = () => {
    let n = 0;
    for (let i = 0; i < live.movieIds.length; i++) if (!live.isListCurrent('item', i)) n++;
    for (let u = 0; u < live.userCount; u++) if (!live.isListCurrent('user', u)) n++;
    return n;
  };
  for (let k = 0; k < 200 && dirty() > 0; k++) await new Promise((r) => setTimeout(r, 10));
  expect(dirty()).toBe(0);
}

describe('background list refresh', () => {
  it('given ratings that invalidate lists, when nothing reads them, then the refresher makes every list exact again, as a rebuild from the accepted ratings', async () => {
    const service = RecommenderService.create({
      dataset,
      // short lists are full, so changes often leave them to a recomputation
      config: small,
      hybrid: FIXED_WEIGHTS,
      logger: quiet,
      refreshLists: true,
    });
    let dirtied = 0;
    service.live.onListChange((_side, _a, change) => {
      if (change === 'invalidated') dirtied++;
    });
    const expected = ratingsOf(dataset);
    const users = [...new Set(dataset.ratings.userIds)];
    const movies = [...new Set(dataset.ratings.movieIds)];
    const rand = seededRandom(9);
    await Promise.all(
      Array.from({ length: 60 }, async (_, k) => {
        const userId = users[Math.floor(rand() * users.length)];
        const movieId = movies[Math.floor(rand() * movies.length)];
        const value = 0.5 + Math.floor(rand() * 10) / 2;
        await service.rate(userId, movieId, value, 2_000_000_000 + k);
        expected.set(`${userId}:${movieId}`, value);
      }),
    );
    const { live } = service;
    const missesBefore = live.listReads.item.miss + live.listReads.user.miss;
    await refreshed(service);
    expect(dirtied).toBeGreaterThan(0);
    expect(live.listsRefreshed).toBeGreaterThan(0);
    // nothing was recomputed by a read: the lists read next are the refresher's
    expect(await servedDifferences(service, expected, small)).toEqual([]);
    expect(live.listReads.item.miss + live.listReads.user.miss).toBe(missesBefore);
    await service.close();
  });
});
