import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyNeighbourLists,
  LIST_TIE,
  listEnd,
  listStart,
  placeInList,
  writeList,
} from '../../src/engine/neighbour-lists.ts';
import { TopK } from '../../src/engine/top-k.ts';

/** The top k positive similarities of `sims` (entity b's row), best first, ties to the lower index. */
function topK(sims: number[], k: number): Array<[number, number]> {
  return sims
    .map((sim, id): [number, number] => [id, sim])
    .filter(([, sim]) => sim > 0)
    .sort((x, y) => y[1] - x[1] || x[0] - y[0])
    .slice(0, k);
}

/** The best positive similarity of `sims` outside its top k: what bounds[b] must stay above. */
function bestOutside(sims: number[], k: number): number {
  const inList = new Set(topK(sims, k).map(([id]) => id));
  return Math.max(0, ...sims.filter((sim, id) => sim > 0 && !inList.has(id)));
}

/** b's row as a list of entity 0 in lists of k slots, as the engine writes it. */
function listOf(sims: number[], k: number) {
  const lists = emptyNeighbourLists(1, k);
  const top = new TopK(k);
  sims.forEach((sim, id) => {
    if (sim > 0) top.offer(sim, id);
  });
  const ids = new Int32Array(k);
  const out = new Float64Array(k);
  const count = top.drainSorted(ids, out);
  const support = Int32Array.from(sims, (_, id) => 100 + id);
  writeList(lists, 0, ids, out, support, count);
  return lists;
}

// similarities on a coarse grid, so that ties and near-ties happen often
const sim = fc.integer({ min: -2, max: 20 }).map((x) => x / 20);

describe('placeInList', () => {
  it('given a full or partial top-k list and one changed similarity, when the edit is not unknown, then the list is the top k of the changed row', () => {
    fc.assert(
      fc.property(
        fc.array(sim, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(),
        sim,
        fc.boolean(),
        (row, k, which, changed, boundKnown) => {
          const a = which % row.length;
          const lists = listOf(row, k);
          // as the live model keeps it: exact after a recomputation, else unknown
          const bounds = Float32Array.of(
            boundKnown ? bestOutside(row, k) : Number.POSITIVE_INFINITY,
          );
          const after = [...row];
          after[a] = changed;
          const edit = placeInList(lists, 0, a, changed, 100 + a, bounds);
          const got = Array.from(
            { length: listEnd(lists, 0) - listStart(lists, 0) },
            (_, t): [number, number] => [lists.idx[t], lists.sim[t]],
          );
          if (edit === 'unknown') {
            // nothing changed: the list is still the old row's
            expect(got.map(([id]) => id)).toEqual(topK(row, k).map(([id]) => id));
            return;
          }
          const want = topK(after, k);
          expect(got.map(([id]) => id)).toEqual(want.map(([id]) => id));
          for (const [t, [, s]] of got.entries())
            expect(Math.abs(s - want[t][1])).toBeLessThan(LIST_TIE);
          for (let t = 0; t < got.length; t++) expect(lists.support[t]).toBe(100 + lists.idx[t]);
          if (edit === 'unchanged') expect(want).toEqual(topK(row, k));
          // the bound still bounds everything outside the list
          expect(bounds[0]).toBeGreaterThanOrEqual(Math.fround(bestOutside(after, k)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('given a change that lifts an entity above the last entry of a full list, then it is edited in place, not left to a recomputation', () => {
    const lists = listOf([0.9, 0.5, 0.3, 0.1], 3);
    expect(placeInList(lists, 0, 3, 0.6, 7, Float32Array.of(0.1))).toBe('edited');
    expect(Array.from(lists.idx.subarray(0, 3))).toEqual([0, 3, 1]);
  });

  it('given an entity of a full list that falls below its last entry, when what is outside is unknown or ties it, then only a recomputation can tell what replaces it', () => {
    const lists = listOf([0.9, 0.5, 0.3, 0.1], 3);
    expect(placeInList(lists, 0, 1, 0.2, 7, Float32Array.of(Number.POSITIVE_INFINITY))).toBe(
      'unknown',
    );
    expect(placeInList(lists, 0, 1, 0.1, 7, Float32Array.of(0.1))).toBe('unknown');
    expect(Array.from(lists.idx.subarray(0, 3))).toEqual([0, 1, 2]);
  });

  it('given an entity of a full list that falls below its last entry but stays above everything outside, then it is edited in place, last', () => {
    const lists = listOf([0.9, 0.5, 0.3, 0.1], 3);
    expect(placeInList(lists, 0, 1, 0.2, 7, Float32Array.of(0.1))).toBe('edited');
    expect(Array.from(lists.idx.subarray(0, 3))).toEqual([0, 2, 1]);
  });
});
