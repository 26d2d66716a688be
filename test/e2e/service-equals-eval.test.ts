/**
 * The served model is the evaluated model: fitted on the same training ratings, the
 * service's HYBRID recommendations are the top-10 lists the evaluation scores
 * (src/eval/evaluate.ts), so the published metrics describe what clients get.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import type { Dataset } from '../../src/data/types.ts';
import { foldTopN } from '../../src/eval/evaluate.ts';
import { type Fold, temporalSplit } from '../../src/eval/splits.ts';
import { gqlData, type InProcessServer, startInProcess } from './helpers.ts';

const TOP_N = 10;
const USERS = 20;

let server: InProcessServer;
let fold: Fold;
let full: Dataset;

beforeAll(async () => {
  full = await loadDataset('ml-latest-small');
  fold = temporalSplit(full.ratings, 0.2);
  server = await startInProcess({ dataset: { ...full, ratings: fold.train }, hybrid: 'fit' });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe('service and evaluation', () => {
  it('given the service fitted on a temporal fold’s training ratings, when 20 test users ask for 10 HYBRID recommendations, then each list is the evaluation’s top-10', async () => {
    // users that have test ratings, spread over the id range
    const testUsers = [...new Set(fold.test.userIds)].sort((a, b) => a - b);
    const step = Math.floor(testUsers.length / USERS);
    const userIds = Array.from({ length: USERS }, (_, k) => testUsers[k * step]);

    const query = `{ ${userIds
      .map((id) => `u${id}: recommendations(userId: ${id}, first: ${TOP_N}) { movie { id } }`)
      .join('\n')} }`;
    const data = await gqlData<Record<string, Array<{ movie: { id: string } }>>>(server.url, query);
    const served = new Map(
      userIds.map((id) => [id, data[`u${id}`].map((r) => Number(r.movie.id))]),
    );

    // the evaluation's own lists, as its ranking metrics score them
    const expected = foldTopN(fold, { algorithm: 'hybrid', topN: TOP_N }, full.scale, userIds);
    expect(served).toEqual(expected);
  });
});
