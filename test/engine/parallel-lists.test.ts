import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fitBaseline } from '../../src/engine/baseline.ts';
import { buildRatingMatrix } from '../../src/engine/matrix.ts';
import { buildListsRowByRow } from '../../src/engine/neighbours.ts';
import { createListPool } from '../../src/engine/parallel-lists.ts';
import { similarityMetrics, similaritySpace } from '../../src/engine/similarity.ts';
import { withSlack } from '../../src/engine/slack-matrix.ts';
import { buildSymmetricLists } from '../../src/engine/symmetric-lists.ts';
import { gridArb, matrixOf } from './helpers.ts';

describe('lists built on several threads', () => {
  const pool = createListPool(2);
  afterAll(async () => {
    await pool.close();
  });

  it('given random matrices, metrics, sides and k, when built on two threads, then the lists are exactly those of one thread', async () => {
    await fc.assert(
      fc.asyncProperty(
        gridArb(12, 12),
        fc.constantFrom(...similarityMetrics),
        fc.constantFrom('user' as const, 'item' as const),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        async (grid, metric, side, k, slack) => {
          const compact = matrixOf(grid);
          const m = slack ? withSlack(compact) : compact;
          const space = similaritySpace(
            m,
            side,
            { metric, shrinkage: 3, minSupport: 1 },
            fitBaseline(compact),
          );
          const one = buildListsRowByRow(space, k);
          const two = await pool.build(space, k);
          expect(Array.from(two.length)).toEqual(Array.from(one.length));
          expect(Array.from(two.idx)).toEqual(Array.from(one.idx));
          expect(Array.from(two.sim)).toEqual(Array.from(one.sim));
          expect(Array.from(two.support)).toEqual(Array.from(one.support));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('given random matrices, shrinkage and minimum support, when vector-cosine lists are built pair by pair (each pair once), then they equal the row-by-row build exactly', () => {
    fc.assert(
      fc.property(
        gridArb(14, 14),
        fc.constantFrom('user' as const, 'item' as const),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(0, 4),
        fc.constantFrom(1, 2),
        (grid, side, k, shrinkage, minSupport) => {
          const space = similaritySpace(matrixOf(grid), side, {
            metric: 'vector-cosine',
            shrinkage,
            minSupport,
          });
          const one = buildListsRowByRow(space, k);
          const sym = buildSymmetricLists(space, k);
          expect(Array.from(sym.length)).toEqual(Array.from(one.length));
          expect(Array.from(sym.idx)).toEqual(Array.from(one.idx));
          expect(Array.from(sym.sim)).toEqual(Array.from(one.sim));
          expect(Array.from(sym.support)).toEqual(Array.from(one.support));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('given 3,000 items that thread claims race for, when built, then every list is written once and complete', async () => {
    const nItems = 3000;
    const users = Int32Array.from({ length: nItems * 2 }, (_, t) => t % 7);
    const items = Int32Array.from({ length: nItems * 2 }, (_, t) => t >> 1);
    const m = buildRatingMatrix(
      users,
      items,
      new Float32Array(nItems * 2).fill(4),
      7,
      nItems,
      'shared',
    );
    const space = similaritySpace(
      m,
      'item',
      { metric: 'cosine', shrinkage: 0, minSupport: 1 },
      undefined,
      'shared',
    );
    const lists = await pool.build(space, 10);
    expect(lists.length.every((n) => n === 10)).toBe(true);
    expect(lists.idx.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});
