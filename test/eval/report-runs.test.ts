import { describe, expect, it } from 'vitest';
import { algorithms } from '../../src/eval/evaluate.ts';
import { defaultReportKs, reportRuns, reportSimilarities } from '../../src/eval/report-runs.ts';

describe('reportRuns', () => {
  it('given default settings, when planning, then each algorithm runs once and each kNN side runs at every similarity and k', () => {
    const runs = reportRuns({});
    const table = runs.filter((r) => r.kind === 'algorithm');
    const sweep = runs.filter((r) => r.kind === 'sweep');
    expect(table.map((r) => r.options.algorithm)).toEqual([...algorithms]);
    expect(sweep).toHaveLength(2 * reportSimilarities.length * defaultReportKs.length);
    const points = new Set(
      sweep.map((r) => `${r.options.algorithm} ${r.options.similarity} ${r.options.k}`),
    );
    expect(points.size).toBe(sweep.length);
    expect(points).toContain('item-knn pearson-baseline 100');
    expect(points).toContain('user-knn cosine 5');
  });

  it('given the four similarities of the results table, when planning, then the sweep compares exactly those', () => {
    expect(reportSimilarities).toEqual([
      'cosine',
      'adjusted-cosine',
      'pearson',
      'pearson-baseline',
    ]);
  });

  it('given shrinkage, centring, k and similarity, when planning, then the table runs take all four and the sweep keeps shrinkage and centring but sets its own k and similarity', () => {
    const runs = reportRuns({
      k: 7,
      similarity: 'cosine',
      shrinkage: 3,
      centring: 'mean',
      ks: [2, 4],
    });
    const itemKnn = runs.find((r) => r.kind === 'algorithm' && r.label === 'item-knn');
    expect(itemKnn?.options).toMatchObject({
      k: 7,
      similarity: 'cosine',
      shrinkage: 3,
      centring: 'mean',
    });
    const sweep = runs.filter((r) => r.kind === 'sweep');
    expect(new Set(sweep.map((r) => r.options.k))).toEqual(new Set([2, 4]));
    for (const r of sweep) expect(r.options).toMatchObject({ shrinkage: 3, centring: 'mean' });
    expect(sweep.map((r) => r.label)).toContain('user-knn adjusted-cosine k=4');
  });
});
