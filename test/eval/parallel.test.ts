import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import type { Scale } from '../../src/engine/scale.ts';
import { selectColumns } from '../../src/eval/columns.ts';
import {
  type EvalOptions,
  type EvalResult,
  evaluate,
  type FoldResult,
} from '../../src/eval/evaluate.ts';
import { createFoldPool, evaluateParallel } from '../../src/eval/parallel.ts';
import { type Fold, kfoldSplit } from '../../src/eval/splits.ts';

// The bundled data set, by path, so that MOVIELENS_DIR cannot swap in another copy.
const bundled = fileURLToPath(new URL('../../data/ml-latest-small', import.meta.url));
const options: EvalOptions = { algorithm: 'item-knn' };

/** Everything but the timings, which differ from run to run. */
function withoutSeconds<T extends { fitSeconds: number; predictSeconds: number }>(r: T) {
  const { fitSeconds: _fit, predictSeconds: _predict, ...rest } = r;
  return rest;
}

function comparable(r: EvalResult) {
  return { ...withoutSeconds(r), folds: r.folds.map(withoutSeconds) };
}

describe('evaluateParallel', () => {
  let folds: Fold[];
  let scale: Scale;
  let onThisThread: EvalResult;

  beforeAll(async () => {
    const dataset = await loadDataset(bundled, { includeTags: false });
    const first = Array.from({ length: 15000 }, (_, p) => p);
    folds = kfoldSplit(selectColumns(dataset.ratings, first), 3, 42);
    scale = dataset.scale;
    onThisThread = evaluate(folds, options, scale);
  });

  it('given three folds and two worker threads, when evaluating, then every metric but the seconds equals the single-thread run', async () => {
    const seen: FoldResult[] = [];
    const inWorkers = await evaluateParallel(folds, options, scale, (r) => seen.push(r), 2);
    expect(comparable(inWorkers)).toEqual(comparable(onThisThread));
    expect(inWorkers.neighbourShare).toBeGreaterThan(0);
    expect(inWorkers.folds.map((f) => f.name)).toEqual(['kfold-1', 'kfold-2', 'kfold-3']);
    // onFold hears of each fold once, in whatever order the workers finish
    expect(seen.map((f) => f.name).sort()).toEqual(['kfold-1', 'kfold-2', 'kfold-3']);
  });

  it('given one pool and two runs evaluated at once, when both finish, then each equals its own single-thread run', async () => {
    const popularity: EvalOptions = { algorithm: 'popularity' };
    const pool = createFoldPool(2);
    try {
      const [knn, popular] = await Promise.all([
        pool.evaluate(folds, options, scale),
        pool.evaluate(folds, popularity, scale),
      ]);
      expect(comparable(knn)).toEqual(comparable(onThisThread));
      expect(comparable(popular)).toEqual(comparable(evaluate(folds, popularity, scale)));
    } finally {
      await pool.close();
    }
  });

  it('given a fold that throws in every worker, when evaluating and then evaluating again, then both reject naming a fold instead of hanging', async () => {
    const broken = { algorithm: 'no-such-algorithm' } as unknown as EvalOptions;
    const pool = createFoldPool(2);
    try {
      await expect(pool.evaluate(folds, broken, scale)).rejects.toThrow(/^fold kfold-\d/);
      await expect(pool.evaluate(folds, options, scale)).rejects.toThrow(/no worker left/);
    } finally {
      await pool.close();
    }
  });

  it('given one thread, when evaluating, then it stays on this thread and matches evaluate, reporting folds in order', async () => {
    const seen: string[] = [];
    const result = await evaluateParallel(folds, options, scale, (r) => seen.push(r.name), 1);
    expect(comparable(result)).toEqual(comparable(onThisThread));
    expect(seen).toEqual(['kfold-1', 'kfold-2', 'kfold-3']);
  });
});
