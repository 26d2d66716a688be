import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildListsRowByRow } from '../../src/engine/neighbours.ts';
import { similaritySpace } from '../../src/engine/similarity.ts';
import {
  balancedRanges,
  type HeapSet,
  mergeHeaps,
  upperRangeHeaps,
  upperWork,
} from '../../src/engine/symmetric-lists.ts';
import { gridArb, matrixOf } from './helpers.ts';

/** Entities [from, to) of a heap set, as a merge job reads them from each share. */
function slice(h: HeapSet, from: number, to: number): HeapSet {
  const k = h.k;
  return {
    k,
    size: h.size.slice(from, to),
    bar: h.bar.slice(from, to),
    barId: h.barId.slice(from, to),
    keys: h.keys.slice(from * k, to * k),
    ids: h.ids.slice(from * k, to * k),
    supports: h.supports.slice(from * k, to * k),
  };
}

describe('the pair-partitioned build (a distributed build’s shares)', () => {
  it('given random matrices, sides, k and numbers of shares, when each share of balanced rows computes its pairs once and slices of the shares are merged, then every list equals the row-by-row build exactly', () => {
    fc.assert(
      fc.property(
        gridArb(14, 14),
        fc.constantFrom('user' as const, 'item' as const),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        (grid, side, k, parts, mergeParts) => {
          const m = matrixOf(grid);
          const space = similaritySpace(m, side, {
            metric: 'vector-cosine',
            shrinkage: 0,
            minSupport: 1,
          });
          const n = space.rows.rows;
          const ranges = balancedRanges(upperWork(space.cols, n), parts);
          // the shares cover every row once, in order, none empty
          let next = 0;
          for (const [from, to] of ranges) {
            expect(from).toBe(next);
            expect(to).toBeGreaterThan(from);
            next = to;
          }
          expect(next).toBe(n);
          expect(ranges.length).toBeLessThanOrEqual(parts);
          const shares = ranges.map(([from, to]) => upperRangeHeaps(space, from, to, k));
          const reference = buildListsRowByRow(space, k);
          const size = Math.max(1, Math.ceil(n / mergeParts));
          for (let from = 0; from < n; from += size) {
            const to = Math.min(n, from + size);
            const merged = mergeHeaps(
              shares.map((h) => slice(h, from, to)),
              to - from,
              k,
              'heap',
              n,
            );
            for (let e = 0; e < to - from; e++) {
              const a = from + e;
              expect(merged.length[e]).toBe(reference.length[a]);
              for (let t = 0; t < merged.length[e]; t++) {
                expect(merged.idx[e * k + t]).toBe(reference.idx[a * k + t]);
                expect(merged.sim[e * k + t]).toBe(reference.sim[a * k + t]);
                expect(merged.support[e * k + t]).toBe(reference.support[a * k + t]);
              }
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('given skewed rows, when cut into balanced ranges, then no range holds much more than its share of the work unless it is one row', () => {
    const work = Float64Array.from([0, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200]);
    const ranges = balancedRanges(work, 4);
    for (const [from, to] of ranges) {
      if (to - from > 1) expect(work[to] - work[from]).toBeLessThanOrEqual(200 / 4 + 10);
    }
    expect(ranges[0]).toEqual([0, 1]);
  });
});
