import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildIdIndex, idIndexFromSorted } from '../../src/engine/id-index.ts';
import {
  buildRatingMatrix,
  type Csr,
  colsOf,
  findInRow,
  globalMean,
  type RatingMatrix,
  rowMeans,
  rowsOf,
  transpose,
} from '../../src/engine/matrix.ts';
import { gridArb, matrixOf, matrixOfTriples, shuffledTriplesArb } from './helpers.ts';

function rowOf(m: Csr, r: number): { cols: number[]; values: number[] } {
  const start = m.rowPtr[r];
  const end = m.rowEnd[r];
  return {
    cols: Array.from(m.colIdx.subarray(start, end)),
    values: Array.from(m.values.subarray(start, end)),
  };
}

function expectSortedRows(m: Csr): void {
  for (let r = 0; r < m.rows; r++) {
    const { cols } = rowOf(m, r);
    for (let t = 1; t < cols.length; t++) expect(cols[t]).toBeGreaterThan(cols[t - 1]);
  }
}

// u0: i0=5 i2=3; u1: i1=4; u2: i0=1 i1=2 i2=4 (given out of order on purpose)
function small(): RatingMatrix {
  return buildRatingMatrix(
    Int32Array.from([2, 0, 1, 2, 0, 2]),
    Int32Array.from([2, 2, 1, 0, 0, 1]),
    Float32Array.from([4, 3, 4, 1, 5, 2]),
    3,
    3,
  );
}

describe('buildRatingMatrix', () => {
  it('given unsorted triples, when building, then each user row holds its items sorted with their ratings', () => {
    const m = small();
    expect(m.nnz).toBe(6);
    expect(Array.from(m.byUser.rowPtr)).toEqual([0, 2, 3, 6]);
    expect(rowOf(m.byUser, 0)).toEqual({ cols: [0, 2], values: [5, 3] });
    expect(rowOf(m.byUser, 1)).toEqual({ cols: [1], values: [4] });
    expect(rowOf(m.byUser, 2)).toEqual({ cols: [0, 1, 2], values: [1, 2, 4] });
  });

  it('given unsorted triples, when building, then each item row holds its users sorted with their ratings', () => {
    const m = small();
    expect(Array.from(m.byItem.rowPtr)).toEqual([0, 2, 4, 6]);
    expect(rowOf(m.byItem, 0)).toEqual({ cols: [0, 2], values: [5, 1] });
    expect(rowOf(m.byItem, 1)).toEqual({ cols: [1, 2], values: [4, 2] });
    expect(rowOf(m.byItem, 2)).toEqual({ cols: [0, 2], values: [3, 4] });
  });

  it('given a built matrix, when reading itemToUserPos, then each item-order position points at the same rating in user order', () => {
    const m = small();
    // byItem order: (u0,i0) (u2,i0) (u1,i1) (u2,i1) (u0,i2) (u2,i2); byUser positions 0..5 are
    // (u0,i0) (u0,i2) (u1,i1) (u2,i0) (u2,i1) (u2,i2)
    expect(Array.from(m.itemToUserPos)).toEqual([0, 3, 2, 4, 1, 5]);
  });

  it('given users or items without ratings, when building, then their rows are empty', () => {
    const m = buildRatingMatrix(
      Int32Array.from([1]),
      Int32Array.from([2]),
      Float32Array.from([3]),
      3,
      4,
    );
    expect(Array.from(m.byUser.rowPtr)).toEqual([0, 0, 1, 1]);
    expect(Array.from(m.byItem.rowPtr)).toEqual([0, 0, 0, 1, 1]);
    expect(m.byUser.cols).toBe(4);
    expect(m.byItem.cols).toBe(3);
  });

  it('given a side, when asking rowsOf and colsOf, then user-side rows are byUser and item-side rows are byItem', () => {
    const m = small();
    expect(rowsOf(m, 'user')).toBe(m.byUser);
    expect(colsOf(m, 'user')).toBe(m.byItem);
    expect(rowsOf(m, 'item')).toBe(m.byItem);
    expect(colsOf(m, 'item')).toBe(m.byUser);
  });

  it('given random triples in random order, when building, then both orientations hold exactly the grid, sorted, linked by itemToUserPos', () => {
    fc.assert(
      fc.property(
        gridArb().chain((g) => fc.tuple(fc.constant(g), shuffledTriplesArb(g))),
        ([grid, triples]) => {
          const m = matrixOfTriples(triples);
          expect(m.nnz).toBe(triples.users.length);
          expectSortedRows(m.byUser);
          expectSortedRows(m.byItem);
          for (let u = 0; u < triples.nUsers; u++) {
            for (let i = 0; i < triples.nItems; i++) {
              const r = grid[u][i];
              const pu = findInRow(m.byUser, u, i);
              const pi = findInRow(m.byItem, i, u);
              if (r === null) {
                expect(pu).toBe(-1);
                expect(pi).toBe(-1);
              } else {
                expect(m.byUser.values[pu]).toBe(r);
                expect(m.byItem.values[pi]).toBe(r);
                expect(m.itemToUserPos[pi]).toBe(pu);
              }
            }
          }
          for (let i = 0; i < m.nItems; i++) {
            for (let p = m.byItem.rowPtr[i]; p < m.byItem.rowEnd[i]; p++) {
              const q = m.itemToUserPos[p];
              expect(m.byUser.colIdx[q]).toBe(i);
              expect(m.byUser.values[q]).toBe(m.byItem.values[p]);
              expect(q).toBeGreaterThanOrEqual(m.byUser.rowPtr[m.byItem.colIdx[p]]);
              expect(q).toBeLessThan(m.byUser.rowEnd[m.byItem.colIdx[p]]);
            }
          }
        },
      ),
      {
        numRuns: 150,
      },
    );
  });
});

describe('findInRow', () => {
  it('given a row, when looking for a stored column, then returns its position', () => {
    const m = small();
    expect(findInRow(m.byUser, 2, 0)).toBe(3);
    expect(findInRow(m.byUser, 2, 1)).toBe(4);
    expect(findInRow(m.byUser, 2, 2)).toBe(5);
    expect(findInRow(m.byUser, 0, 2)).toBe(1);
  });

  it('given a row, when looking for a column it does not hold, then returns -1', () => {
    const m = small();
    expect(findInRow(m.byUser, 0, 1)).toBe(-1);
    expect(findInRow(m.byUser, 1, 0)).toBe(-1);
    expect(findInRow(m.byUser, 1, 2)).toBe(-1);
  });

  it('given an empty row, when looking for any column, then returns -1', () => {
    const m = buildRatingMatrix(
      Int32Array.from([1]),
      Int32Array.from([0]),
      Float32Array.from([3]),
      2,
      1,
    );
    expect(findInRow(m.byUser, 0, 0)).toBe(-1);
  });
});

describe('transpose', () => {
  it('given byUser, when transposing, then returns byItem and the source position of every entry', () => {
    const m = small();
    const { csr, srcPos } = transpose(m.byUser);
    expect(csr.rows).toBe(3);
    expect(csr.cols).toBe(3);
    expect(Array.from(csr.rowPtr)).toEqual(Array.from(m.byItem.rowPtr));
    expect(Array.from(csr.colIdx)).toEqual(Array.from(m.byItem.colIdx));
    expect(Array.from(csr.values)).toEqual(Array.from(m.byItem.values));
    expect(Array.from(srcPos)).toEqual(Array.from(m.itemToUserPos));
  });

  it('given any matrix, when transposing twice, then returns the original rows', () => {
    fc.assert(
      fc.property(gridArb(), (grid) => {
        const m = matrixOf(grid);
        const back = transpose(transpose(m.byUser).csr).csr;
        expect(back.rows).toBe(m.byUser.rows);
        expect(back.cols).toBe(m.byUser.cols);
        expect(Array.from(back.rowPtr)).toEqual(Array.from(m.byUser.rowPtr));
        expect(Array.from(back.colIdx)).toEqual(Array.from(m.byUser.colIdx));
        expect(Array.from(back.values)).toEqual(Array.from(m.byUser.values));
      }),
      { numRuns: 100 },
    );
  });
});

describe('rowMeans and globalMean', () => {
  it('given rows with ratings and an empty row, when averaging, then each row gets its mean and the empty one the fallback', () => {
    const m = buildRatingMatrix(
      Int32Array.from([0, 0, 2]),
      Int32Array.from([0, 1, 1]),
      Float32Array.from([4, 1, 3]),
      3,
      2,
    );
    expect(Array.from(rowMeans(m.byUser, 9))).toEqual([2.5, 9, 3]);
    expect(globalMean(m.byUser)).toBeCloseTo(8 / 3, 12);
  });

  it('given no ratings, when taking the global mean, then returns 0', () => {
    const m = buildRatingMatrix(new Int32Array(0), new Int32Array(0), new Float32Array(0), 2, 2);
    expect(globalMean(m.byUser)).toBe(0);
  });
});

describe('id index', () => {
  it('given repeated unsorted ids, when indexing, then dense indexes follow ascending id order', () => {
    const index = buildIdIndex([50, 7, 50, 300, 7, 12]);
    expect(index.size).toBe(4);
    expect(Array.from(index.ids)).toEqual([7, 12, 50, 300]);
    expect(index.indexOf(7)).toBe(0);
    expect(index.indexOf(300)).toBe(3);
  });

  it('given an id that was never indexed, when looking it up, then returns -1', () => {
    expect(buildIdIndex([1, 2]).indexOf(3)).toBe(-1);
    expect(idIndexFromSorted(Int32Array.from([4, 9])).indexOf(5)).toBe(-1);
  });
});
