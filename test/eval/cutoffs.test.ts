import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import type { Scale } from '../../src/engine/scale.ts';
import { selectColumns } from '../../src/eval/columns.ts';
import { algorithms, evaluateFold } from '../../src/eval/evaluate.ts';
import { type Fold, temporalSplit } from '../../src/eval/splits.ts';

// The bundled data set, by path, so that MOVIELENS_DIR cannot swap in another copy.
const bundled = fileURLToPath(new URL('../../data/ml-latest-small', import.meta.url));

describe('evaluateFold: cutoffs 1..20 from one ranked list', () => {
  let fold: Fold;
  let scale: Scale;

  beforeAll(async () => {
    // the first 15,000 ratings (95 users) keep this quick; lists that popularity fills
    // are covered by the hand-built fold in evaluate.test.ts
    const dataset = await loadDataset(bundled, { includeTags: false });
    const first = Array.from({ length: 15000 }, (_, p) => p);
    fold = temporalSplit(selectColumns(dataset.ratings, first), 0.2);
    scale = dataset.scale;
  });

  it.each(algorithms)(
    'given %s, when ranking to 20 instead of 10, then every @10 metric and the coverage equal those of top-10 lists',
    (algorithm) => {
      // maxCutoff 10 ranks lists of 10, as the evaluation did before the cutoffs
      const top10 = evaluateFold(fold, { algorithm, maxCutoff: 10 }, scale);
      const top20 = evaluateFold(fold, { algorithm }, scale);
      expect(top20.rankedUsers).toBeGreaterThan(50);
      expect(top20.precisionAt10).toBeGreaterThan(0);
      expect({
        precisionAt10: top20.precisionAt10,
        recallAt10: top20.recallAt10,
        ndcgAt10: top20.ndcgAt10,
        mapAt10: top20.mapAt10,
        coverage: top20.coverage,
      }).toEqual({
        precisionAt10: top10.precisionAt10,
        recallAt10: top10.recallAt10,
        ndcgAt10: top10.ndcgAt10,
        mapAt10: top10.mapAt10,
        coverage: top10.coverage,
      });
      expect(top20.precisionAt[9]).toBe(top20.precisionAt10);
      expect(top20.recallAt[9]).toBe(top20.recallAt10);
      expect(top20.precisionAt.slice(0, 10)).toEqual(top10.precisionAt);
      expect(top20.recallAt.slice(0, 10)).toEqual(top10.recallAt);
    },
  );

  it('given item-knn, when ranking to 20, then recall never falls as the cutoff grows', () => {
    const r = evaluateFold(fold, { algorithm: 'item-knn' }, scale);
    for (let c = 1; c < 20; c++) expect(r.recallAt[c]).toBeGreaterThanOrEqual(r.recallAt[c - 1]);
    expect(r.recallAt[19]).toBeGreaterThan(r.recallAt[0]);
  });
});
