/**
 * The served model is the evaluated model: fitted on the same training ratings, the
 * service's HYBRID recommendations are the top-10 lists the evaluation scores
 * (src/eval/evaluate.ts), so the published metrics describe what clients get.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import type { Dataset } from '../../src/data/types.ts';
import { defaultHybridFitOptions, fitHybridWeights } from '../../src/engine/hybrid.ts';
import { buildIdIndex } from '../../src/engine/id-index.ts';
import { buildRatingMatrix } from '../../src/engine/matrix.ts';
import { defaultModelConfig, fitModel } from '../../src/engine/model.ts';
import { recommendForUser, recommendScratch } from '../../src/engine/recommend.ts';
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

/** Top-N movie ids per user, computed as evaluateFold does for the hybrid on this fold. */
function evaluationTopN(userIds: ReadonlyArray<number>): Map<number, number[]> {
  const { train } = fold;
  // encodeFold: dense indexes from the training data alone
  const users = buildIdIndex(train.userIds);
  const items = buildIdIndex(train.movieIds);
  const ui = Int32Array.from(train.userIds, (id) => users.indexOf(id));
  const ii = Int32Array.from(train.movieIds, (id) => items.indexOf(id));
  const matrix = buildRatingMatrix(ui, ii, train.values, users.size, items.size);
  const config = { ...defaultModelConfig, scale: full.scale };
  const hybrid = fitHybridWeights(matrix, config, {
    ...defaultHybridFitOptions,
    relevantFrom: 4,
    topN: TOP_N,
  });
  const model = fitModel(matrix, { ...config, hybrid });
  const scratch = recommendScratch(model);
  return new Map(
    userIds.map((id) => [
      id,
      recommendForUser(model, users.indexOf(id), { strategy: 'hybrid', n: TOP_N }, scratch).map(
        (r) => items.ids[r.item],
      ),
    ]),
  );
}

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

    const expected = evaluationTopN(userIds);
    expect(served).toEqual(expected);
  });
});
