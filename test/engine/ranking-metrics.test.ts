import { describe, expect, it } from 'vitest';
import { rankingScores } from '../../src/engine/ranking-metrics.ts';

const relevantIn =
  (set: ReadonlyArray<number>) =>
  (item: number): boolean =>
    set.includes(item);

describe('rankingScores', () => {
  it('given hits at ranks 2 and 4 of 4 with 3 relevant items, when scoring at n = 4, then matches the hand computation', () => {
    const r = rankingScores([3, 1, 7, 5], relevantIn([1, 5, 9]), 3, 4);
    expect(r.precision).toBe(2 / 4);
    expect(r.recall).toBe(2 / 3);
    // DCG = 1/log2(3) + 1/log2(5); ideal over min(4, 3) = 3 positions
    expect(r.ndcg).toBeCloseTo(
      (1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3) + 1 / 2),
      12,
    );
    // AP = (1/2 + 2/4) / min(4, 3)
    expect(r.ap).toBeCloseTo((1 / 2 + 2 / 4) / 3, 12);
  });

  it('given more relevant items than n, when scoring, then ideal DCG and AP are normalised over n', () => {
    const r = rankingScores([4, 8], relevantIn([1, 2, 3, 4, 5]), 5, 2);
    expect(r.precision).toBe(1 / 2);
    expect(r.recall).toBe(1 / 5);
    expect(r.ndcg).toBeCloseTo(1 / (1 + 1 / Math.log2(3)), 12);
    expect(r.ap).toBeCloseTo(1 / 2, 12);
  });

  it('given every slot a hit, when scoring, then every metric is 1', () => {
    const r = rankingScores([2, 1], relevantIn([1, 2]), 2, 2);
    expect(r).toEqual({ precision: 1, recall: 1, ndcg: 1, ap: 1 });
  });

  it('given no hits, when scoring, then every metric is 0', () => {
    const r = rankingScores([7, 8, 9], relevantIn([1]), 1, 3);
    expect(r).toEqual({ precision: 0, recall: 0, ndcg: 0, ap: 0 });
  });

  it('given no relevant items, when scoring, then recall, nDCG and AP are 0 rather than NaN', () => {
    const r = rankingScores([1, 2], () => false, 0, 2);
    expect(r).toEqual({ precision: 0, recall: 0, ndcg: 0, ap: 0 });
  });

  it('given a list longer than n, when scoring, then only the first n count', () => {
    const r = rankingScores([9, 8, 1], relevantIn([1]), 1, 2);
    expect(r).toEqual({ precision: 0, recall: 0, ndcg: 0, ap: 0 });
  });

  it('given a list shorter than n, when scoring, then precision still divides by n', () => {
    const r = rankingScores([1], relevantIn([1, 2]), 2, 4);
    expect(r.precision).toBe(1 / 4);
    expect(r.recall).toBe(1 / 2);
    expect(r.ndcg).toBeCloseTo(1 / (1 + 1 / Math.log2(3)), 12);
    expect(r.ap).toBeCloseTo(1 / 2, 12);
  });
});
