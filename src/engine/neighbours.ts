import type { RowVisitor } from './knn.ts';
import { emptyNeighbourLists, type NeighbourLists, writeList } from './neighbour-lists.ts';
import {
  canAccompany,
  computeRow,
  type RowScratch,
  rowScratch,
  type SimilaritySpace,
} from './similarity.ts';
import { buildSymmetricLists, canBuildSymmetric } from './symmetric-lists.ts';
import { TopK } from './top-k.ts';

// the lists themselves live in neighbour-lists.ts (symmetric-lists.ts needs them too,
// and must not import this module, which imports it)
export {
  emptyNeighbourLists,
  listEnd,
  listStart,
  type NeighbourLists,
  writeList,
} from './neighbour-lists.ts';

/** Selects the top `k` positive similarities of `sims` among the entries touched in `s`. */
export function selectNeighbours(s: RowScratch, sims: Float64Array, top: TopK): void {
  top.clear();
  for (let t = 0; t < s.count; t++) {
    const b = s.touched[t];
    const sim = sims[b];
    // cheap rejection once the heap is full: most candidates lose to its worst
    if (sim > 0 && top.admits(sim)) top.offer(sim, b);
  }
}

/**
 * Computes every entity's top-k list on one thread. With nothing riding along and the
 * stored metric, each pair is computed once (symmetric-lists.ts: the same lists for half
 * the work); otherwise row by row (buildListsRowByRow).
 */
export function buildNeighbourLists(
  space: SimilaritySpace,
  k: number,
  visitor?: RowVisitor,
  onRow?: (row: number) => void,
): NeighbourLists {
  return !visitor && canBuildSymmetric(space)
    ? buildSymmetricLists(space, k)
    : buildListsRowByRow(space, k, visitor, onRow);
}

/**
 * Computes every entity's top-k list one full similarity row at a time. A `visitor` also
 * receives the rows it wants of its own space, from the same pass: the very same rows
 * when both use one space, one traversal computing both similarities when they can share
 * it (see canAccompany), else a second computation of just the wanted rows.
 */
export function buildListsRowByRow(
  space: SimilaritySpace,
  k: number,
  visitor?: RowVisitor,
  /** Hears every 64th row reached, for progress. */
  onRow?: (row: number) => void,
): NeighbourLists {
  const n = space.rows.rows;
  const scratch = rowScratch(n);
  const extra =
    visitor && visitor.space !== space && !canAccompany(visitor.space, space)
      ? rowScratch(n)
      : null;
  const top = new TopK(k);
  const lists = emptyNeighbourLists(n, k);
  const rowIds = new Int32Array(k);
  const rowSims = new Float64Array(k);
  for (let a = 0; a < n; a++) {
    if ((a & 63) === 0) onRow?.(a);
    let listSims = scratch.sim;
    if (!visitor?.wants(a)) computeRow(space, a, scratch);
    else if (visitor.space === space) {
      computeRow(space, a, scratch);
      visitor.visit(a, scratch.sim);
    } else if (extra) {
      computeRow(visitor.space, a, extra);
      visitor.visit(a, extra.sim);
      computeRow(space, a, scratch);
    } else {
      computeRow(visitor.space, a, scratch, space);
      visitor.visit(a, scratch.sim);
      listSims = scratch.companionSim;
    }
    selectNeighbours(scratch, listSims, top);
    const count = top.drainSorted(rowIds, rowSims);
    writeList(lists, a, rowIds, rowSims, scratch.support, count);
  }
  return lists;
}
