/**
 * USER_LISTS=read: a start builds the movies' neighbour lists only, and each user's list
 * is computed when first read. What is served must still equal a rebuild, and a shared
 * store must never receive a user list before it is computed.
 */
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import type { Dataset } from '../../src/data/types.ts';
import {
  listsAtStart,
  RecommenderService,
  USER_LISTS_AT_START_UP_TO,
} from '../../src/service/recommender-service.ts';
import { MemoryNeighbourStore } from '../../src/store/memory-neighbour-store.ts';
import { FIXED_WEIGHTS, FIXTURE_DIR } from '../e2e/helpers.ts';
import { ratingsOf, servedDifferences } from '../support/rebuild.ts';

const quiet = pino({ level: 'silent' });
let dataset: Dataset;

beforeAll(async () => {
  dataset = await loadDataset(FIXTURE_DIR);
});

async function expectServedEqualsRebuild(service: RecommenderService): Promise<void> {
  expect(await servedDifferences(service, ratingsOf(dataset))).toEqual([]);
}

describe('user lists computed on first read', () => {
  it('given USER_LISTS=auto, when deciding, then the users’ lists are built at start up to the threshold and on first read above it; start and read decide alone', () => {
    expect(listsAtStart('auto', USER_LISTS_AT_START_UP_TO)).toBe('compute');
    expect(listsAtStart('auto', USER_LISTS_AT_START_UP_TO + 1)).toBe('movies');
    expect(listsAtStart('start', 25_000_000)).toBe('compute');
    expect(listsAtStart('read', 100)).toBe('movies');
    expect(listsAtStart(undefined, 25_000_000)).toBe('compute');
  });

  it('given USER_LISTS=read, when started, then only movie lists are built, and every list served equals a rebuild', async () => {
    const service = RecommenderService.create({
      dataset,
      hybrid: FIXED_WEIGHTS,
      logger: quiet,
      userLists: 'read',
    });
    const { live } = service;
    for (let u = 0; u < live.userCount; u++) expect(live.isListCurrent('user', u)).toBe(false);
    for (let i = 0; i < live.movieIds.length; i++) expect(live.isListCurrent('item', i)).toBe(true);
    await expectServedEqualsRebuild(service);
  });

  it('given a shared store and USER_LISTS=read, when a cold start publishes, then no user list is written until it is computed, and a replica starting warm serves lists equal to a rebuild', async () => {
    const store = new MemoryNeighbourStore();
    const first = await RecommenderService.createWithStore({
      dataset,
      hybrid: FIXED_WEIGHTS,
      logger: quiet,
      userLists: 'read',
      store,
    });
    expect(first.warm).toBe(false);
    const version = (await store.currentVersion()) as string;
    const userIds = [...new Set(dataset.ratings.userIds)];
    const stored = await store.getLists(version, 'user', userIds);
    expect(stored.every((list) => list === null)).toBe(true);
    const movies = await store.getLists(version, 'item', [...first.service.live.movieIds]);
    expect(movies.every((list) => list !== null)).toBe(true);
    // a read computes the user's list and writes it for the others
    await first.service.similarUsers([{ userId: userIds[0], first: 10 }]);
    await first.service.resyncRedis();
    const [written] = await store.getLists(version, 'user', [userIds[0]]);
    expect(written).not.toBeNull();
    const second = await RecommenderService.createWithStore({
      dataset,
      hybrid: FIXED_WEIGHTS,
      logger: quiet,
      userLists: 'read',
      store,
    });
    expect(second.warm).toBe(true);
    await expectServedEqualsRebuild(second.service);
  });
});
