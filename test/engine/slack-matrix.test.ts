import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRatingMatrix, findInRow } from '../../src/engine/matrix.ts';
import {
  addRow,
  insertEntry,
  removeEntry,
  type SlackCsr,
  withSlack,
} from '../../src/engine/slack-matrix.ts';

/** The rows of a CSR as sorted [column, value, lane value] triples. */
function rowsOf(m: SlackCsr, lane: Float32Array): Array<Array<[number, number, number]>> {
  const out: Array<Array<[number, number, number]>> = [];
  for (let r = 0; r < m.rows; r++) {
    const row: Array<[number, number, number]> = [];
    for (let p = m.rowPtr[r]; p < m.rowEnd[r]; p++) row.push([m.colIdx[p], m.values[p], lane[p]]);
    out.push(row);
  }
  return out;
}

const op = fc.record({
  kind: fc.constantFrom('set', 'remove', 'row'),
  r: fc.nat(20),
  c: fc.nat(9),
  v: fc.integer({ min: 1, max: 10 }),
});

describe('slack matrix', () => {
  it('given random insertions, removals and new rows, when applied, then every row holds exactly the reference entries, sorted, with their lane values', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.nat(5), fc.nat(9), fc.integer({ min: 1, max: 10 })), {
          selector: (t) => `${t[0]}:${t[1]}`,
          maxLength: 30,
        }),
        fc.array(op, { maxLength: 60 }),
        fc.constantFrom(0, 3, 50),
        (triples, ops, spare) => {
          const m = withSlack(
            buildRatingMatrix(
              Int32Array.from(triples, (t) => t[0]),
              Int32Array.from(triples, (t) => t[1]),
              Float32Array.from(triples, (t) => t[2]),
              6,
              10,
            ),
            spare,
          ).byUser;
          // a lane that mirrors value * 10, to check lanes move with their entries
          const lane = new Float32Array(m.colIdx.length);
          for (let r = 0; r < m.rows; r++)
            for (let p = m.rowPtr[r]; p < m.rowEnd[r]; p++) lane[p] = m.values[p] * 10;
          const want: Array<Map<number, number>> = Array.from({ length: 6 }, () => new Map());
          for (const [r, c, v] of triples) want[r].set(c, v);
          for (const o of ops) {
            if (o.kind === 'row') {
              expect(addRow(m)).toBe(want.length);
              want.push(new Map());
              continue;
            }
            const r = o.r % m.rows;
            const p = findInRow(m, r, o.c);
            if (o.kind === 'remove') {
              if (p >= 0) removeEntry(m, r, p, [lane]);
              want[r].delete(o.c);
            } else if (p >= 0) {
              m.values[p] = o.v;
              lane[p] = o.v * 10;
              want[r].set(o.c, o.v);
            } else {
              const before = rowsOf(m, lane);
              const q = insertEntry(m, r, o.c, [lane]);
              if (q < 0) {
                // out of room: nothing changed, and the room really is short
                expect(rowsOf(m, lane)).toEqual(before);
                expect(m.tail + Math.max(4, m.rowCap[r] * 2)).toBeGreaterThan(m.colIdx.length);
                continue;
              }
              m.values[q] = o.v;
              lane[q] = o.v * 10;
              want[r].set(o.c, o.v);
            }
          }
          const expected = want.map((row) =>
            [...row.entries()]
              .sort((a, b) => a[0] - b[0])
              .map(([c, v]): [number, number, number] => [c, v, v * 10]),
          );
          expect(rowsOf(m, lane)).toEqual(expected);
          // no two rows share a position
          const owner = new Int32Array(m.colIdx.length).fill(-1);
          for (let r = 0; r < m.rows; r++) {
            expect(m.rowEnd[r] - m.rowPtr[r]).toBeLessThanOrEqual(m.rowCap[r]);
            for (let p = m.rowPtr[r]; p < m.rowPtr[r] + m.rowCap[r]; p++) {
              expect(owner[p]).toBe(-1);
              owner[p] = r;
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('given a compact matrix, when given slack, then itemToUserPos links the two orientations in the new layout', () => {
    const m = withSlack(
      buildRatingMatrix(
        Int32Array.from([0, 0, 1, 2, 2]),
        Int32Array.from([1, 2, 0, 1, 2]),
        Float32Array.from([1, 2, 3, 4, 5]),
        3,
        3,
      ),
    );
    for (let i = 0; i < m.nItems; i++) {
      for (let p = m.byItem.rowPtr[i]; p < m.byItem.rowEnd[i]; p++) {
        const q = m.itemToUserPos[p];
        expect(m.byUser.colIdx[q]).toBe(i);
        expect(m.byUser.values[q]).toBe(m.byItem.values[p]);
      }
    }
    expect(m.byUser.rowCap[0]).toBeGreaterThan(2);
  });
});
