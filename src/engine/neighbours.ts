import type { RowVisitor } from './knn.ts';
import {
  canAccompany,
  computeRow,
  type RowScratch,
  rowScratch,
  type SimilaritySpace,
} from './similarity.ts';
import { TopK } from './top-k.ts';

/**
 * The top-k most similar entities of each entity of one side, in CSR form: the list of
 * `a` is `idx/sim/support[rowPtr[a] .. rowPtr[a+1])`, sorted by descending similarity,
 * ties to the lower index. Only positive similarities are kept.
 */
export interface NeighbourLists {
  readonly k: number;
  readonly rowPtr: Int32Array;
  readonly idx: Int32Array;
  readonly sim: Float32Array;
  /** Number of co-raters behind each similarity. */
  readonly support: Int32Array;
}

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
 * Computes every entity's top-k list on one thread. A `visitor` also receives the rows it
 * wants of its own space, from the same pass: the very same rows when both use one space,
 * one traversal computing both similarities when they can share it (see canAccompany),
 * else a second computation of just the wanted rows.
 */
export function buildNeighbourLists(
  space: SimilaritySpace,
  k: number,
  visitor?: RowVisitor,
): NeighbourLists {
  const n = space.rows.rows;
  const scratch = rowScratch(n);
  const extra =
    visitor && visitor.space !== space && !canAccompany(visitor.space, space)
      ? rowScratch(n)
      : null;
  const top = new TopK(k);
  const rowPtr = new Int32Array(n + 1);
  let idx: Int32Array = new Int32Array(Math.min(n * k, 1 << 20));
  let sim: Float32Array = new Float32Array(idx.length);
  let support: Int32Array = new Int32Array(idx.length);
  const rowIds = new Int32Array(k);
  const rowSims = new Float64Array(k);
  for (let a = 0; a < n; a++) {
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
    const start = rowPtr[a];
    if (start + count > idx.length) {
      const size = Math.min(n * k, Math.max(idx.length * 2, start + count));
      idx = grow(idx, size);
      sim = growF(sim, size);
      support = grow(support, size);
    }
    for (let t = 0; t < count; t++) {
      idx[start + t] = rowIds[t];
      sim[start + t] = rowSims[t];
      support[start + t] = scratch.support[rowIds[t]];
    }
    rowPtr[a + 1] = start + count;
  }
  const total = rowPtr[n];
  return {
    k,
    rowPtr,
    idx: idx.slice(0, total),
    sim: sim.slice(0, total),
    support: support.slice(0, total),
  };
}

function grow(a: Int32Array, size: number): Int32Array {
  const out = new Int32Array(size);
  out.set(a);
  return out;
}

function growF(a: Float32Array, size: number): Float32Array {
  const out = new Float32Array(size);
  out.set(a);
  return out;
}
