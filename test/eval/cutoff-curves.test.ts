import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { rankingScores } from '../../src/engine/ranking-metrics.ts';
import { cutoffCurves } from '../../src/eval/cutoff-curves.ts';

/** Precision and recall at cutoff c straight from the definition: count in the prefix. */
function reference(
  recommended: ReadonlyArray<number>,
  relevant: ReadonlySet<number>,
  relevantCount: number,
  c: number,
) {
  const hits = recommended.slice(0, c).filter((id) => relevant.has(id)).length;
  return { precision: hits / c, recall: relevantCount > 0 ? hits / relevantCount : 0 };
}

// A ranked list has no repeats; relevant movies may lie outside it (test movies the
// training data never saw), so relevantCount can exceed the relevant ones in the list.
const caseArb = fc.record({
  recommended: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 25 }),
  relevant: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 15 }),
  unseenRelevant: fc.nat({ max: 5 }),
  maxCutoff: fc.integer({ min: 1, max: 30 }),
});

describe('cutoffCurves', () => {
  test.prop([caseArb])(
    'given a random ranked list and relevant set, when taking every cutoff, then each value equals the count over the list prefix',
    ({ recommended, relevant, unseenRelevant, maxCutoff }) => {
      const set = new Set(relevant);
      const relevantCount = set.size + unseenRelevant;
      const curves = cutoffCurves(recommended, (id) => set.has(id), relevantCount, maxCutoff);
      expect(curves.precision).toHaveLength(maxCutoff);
      expect(curves.recall).toHaveLength(maxCutoff);
      for (let c = 1; c <= maxCutoff; c++) {
        const want = reference(recommended, set, relevantCount, c);
        expect(curves.precision[c - 1]).toBeCloseTo(want.precision, 12);
        expect(curves.recall[c - 1]).toBeCloseTo(want.recall, 12);
      }
    },
  );

  test.prop([caseArb])(
    'given a random ranked list, when reading cutoff n, then precision and recall are exactly rankingScores at n',
    ({ recommended, relevant, unseenRelevant, maxCutoff }) => {
      const set = new Set(relevant);
      const relevantCount = set.size + unseenRelevant;
      const isRelevant = (id: number) => set.has(id);
      const curves = cutoffCurves(recommended, isRelevant, relevantCount, maxCutoff);
      for (let n = 1; n <= maxCutoff; n++) {
        const s = rankingScores(recommended, isRelevant, relevantCount, n);
        expect(curves.precision[n - 1]).toBe(s.precision);
        expect(curves.recall[n - 1]).toBe(s.recall);
      }
    },
  );

  it('given a list shorter than the cutoff, when taking precision, then it still divides by the cutoff', () => {
    const curves = cutoffCurves([7, 8], (id) => id === 7, 1, 4);
    expect(curves.precision).toEqual([1, 1 / 2, 1 / 3, 1 / 4]);
    expect(curves.recall).toEqual([1, 1, 1, 1]);
  });

  it('given no relevant movies at all, when taking recall, then it is 0 rather than NaN', () => {
    expect(cutoffCurves([1, 2, 3], () => false, 0, 3).recall).toEqual([0, 0, 0]);
  });
});
