import type { Csr } from './matrix.ts';
import { float64Array, int32Array, type Memory } from './memory.ts';
import { emptyNeighbourLists, type NeighbourLists } from './neighbour-lists.ts';
import { type SimilaritySpace, vectorCosine } from './similarity.ts';
import { TopK, worse } from './top-k.ts';

/**
 * Every entity's top-k vector-cosine neighbours computing each pair once. Similarity is
 * symmetric, so row a only needs the entities after a: for each co-rater o of a, the
 * part of o's row after a. Each pair found is offered to both a's and b's bounded heaps
 * (one heap of k slots per entity). That halves the accumulations and the similarity
 * arithmetic of a full-row build, which is what bounds building large data sets.
 *
 * The sums are the ones a full row makes (the same products in the same co-rater
 * order), and heaps rank by (similarity, lower id), which does not depend on the order
 * of offers, so the lists equal buildNeighbourLists' exactly.
 */

/** One bounded min-heap per entity, by (key, id) as TopK, with each candidate's support. */
export interface HeapSet {
  readonly k: number;
  readonly size: Int32Array;
  /**
   * Each heap's admission bar: its worst key once full, -Infinity before. Kept apart from
   * the heaps so that rejecting a candidate, the common case, reads 8 bytes per entity
   * that stay in cache instead of a heap root on a cache line of its own.
   */
  readonly bar: Float64Array;
  /** The id of each full heap's worst entry: a candidate tying the bar needs a lower id. */
  readonly barId: Int32Array;
  readonly keys: Float64Array;
  readonly ids: Int32Array;
  readonly supports: Int32Array;
}

export function emptyHeapSet(n: number, k: number, memory: Memory = 'heap'): HeapSet {
  return {
    k,
    size: int32Array(n, memory),
    bar: float64Array(n, memory).fill(Number.NEGATIVE_INFINITY),
    barId: int32Array(n, memory),
    keys: float64Array(n * k, memory),
    ids: int32Array(n * k, memory),
    supports: int32Array(n * k, memory),
  };
}

function offer(h: HeapSet, e: number, key: number, id: number, support: number): void {
  const k = h.k;
  if (k === 0) return;
  const base = e * k;
  const { keys, ids, supports } = h;
  const size = h.size[e];
  if (size < k) {
    let c = size;
    h.size[e] = size + 1;
    while (c > 0) {
      const parent = (c - 1) >> 1;
      if (!worse(key, id, keys[base + parent], ids[base + parent])) break;
      keys[base + c] = keys[base + parent];
      ids[base + c] = ids[base + parent];
      supports[base + c] = supports[base + parent];
      c = parent;
    }
    keys[base + c] = key;
    ids[base + c] = id;
    supports[base + c] = support;
    if (size + 1 === k) {
      h.bar[e] = keys[base];
      h.barId[e] = ids[base];
    }
    return;
  }
  if (!worse(keys[base], ids[base], key, id)) return;
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= k) break;
    let m = l;
    const r = l + 1;
    if (r < k && worse(keys[base + r], ids[base + r], keys[base + l], ids[base + l])) m = r;
    if (!worse(keys[base + m], ids[base + m], key, id)) break;
    keys[base + c] = keys[base + m];
    ids[base + c] = ids[base + m];
    supports[base + c] = supports[base + m];
    c = m;
  }
  keys[base + c] = key;
  ids[base + c] = id;
  supports[base + c] = support;
  h.bar[e] = keys[base];
  h.barId[e] = ids[base];
}

/** Scratch for one thread's upper-row pass: a count and a dot product per entity. */
export interface UpperScratch {
  readonly sums: Float64Array;
  readonly touched: Int32Array;
}

export function upperScratch(n: number): UpperScratch {
  return { sums: new Float64Array(n * 2), touched: new Int32Array(n) };
}

/** Whether the symmetric build applies: vector-cosine, the metric of the stored lists. */
export function canBuildSymmetric(space: SimilaritySpace): boolean {
  return space.options.metric === 'vector-cosine';
}

/**
 * Finds every b > a sharing a co-rater with a, computes sim(a, b) and offers it to the
 * heaps of a and of b.
 */
export function offerUpperRow(
  space: SimilaritySpace,
  a: number,
  s: UpperScratch,
  heaps: HeapSet,
): void {
  const rowPtr = space.rows.rowPtr;
  const rowEnd = space.rows.rowEnd;
  const rowIdx = space.rows.colIdx;
  const colPtr = space.cols.rowPtr;
  const colEnd = space.cols.rowEnd;
  const colIdx = space.cols.colIdx;
  const xRows = space.xRows;
  const xCols = space.xCols;
  const { sums, touched } = s;
  let count = 0;
  const end = rowEnd[a];
  for (let p = rowPtr[a]; p < end; p++) {
    const o = rowIdx[p];
    const xa = xRows[p];
    // o's row is sorted: start just after a
    let lo = colPtr[o];
    let hi = colEnd[o];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (colIdx[mid] <= a) lo = mid + 1;
      else hi = mid;
    }
    const qEnd = colEnd[o];
    for (let q = lo; q < qEnd; q++) {
      const b = colIdx[q];
      const k = b << 1;
      if (sums[k] === 0) touched[count++] = b;
      sums[k] += 1;
      sums[k + 1] += xa * xCols[q];
    }
  }
  const { minSupport, shrinkage } = space.options;
  const norms = space.norms;
  const na = norms[a];
  const { bar, barId } = heaps;
  for (let t = 0; t < count; t++) {
    const b = touched[t];
    const j = b << 1;
    const n = sums[j];
    const v = vectorCosine(sums[j + 1], n, na * norms[b], minSupport, shrinkage);
    sums[j] = 0;
    sums[j + 1] = 0;
    // most candidates lose to a full heap's worst: test that here, before the call
    if (v > 0) {
      if (v > bar[a] || (v === bar[a] && b < barId[a])) offer(heaps, a, v, b, n);
      if (v > bar[b] || (v === bar[b] && a < barId[b])) offer(heaps, b, v, a, n);
    }
  }
}

/**
 * Merges the heaps of every thread into sorted lists: each pair was offered to exactly
 * one thread's heaps, and each keeps its k best, so the k best of their union are exact.
 */
export function mergeHeaps(
  heaps: ReadonlyArray<HeapSet>,
  n: number,
  k: number,
  memory: Memory = 'heap',
  /** How many entities the heaps' ids range over (more than n when the heaps are a slice). */
  idSpace = n,
): NeighbourLists {
  const lists = emptyNeighbourLists(n, k, memory);
  const top = new TopK(k);
  const supportOf = new Int32Array(idSpace);
  const ids = new Int32Array(k);
  const sims = new Float64Array(k);
  for (let e = 0; e < n; e++) {
    top.clear();
    for (const h of heaps) {
      const base = e * h.k;
      for (let t = 0; t < h.size[e]; t++) {
        const id = h.ids[base + t];
        supportOf[id] = h.supports[base + t];
        top.offer(h.keys[base + t], id);
      }
    }
    const count = top.drainSorted(ids, sims);
    const start = e * k;
    for (let t = 0; t < count; t++) {
      lists.idx[start + t] = ids[t];
      lists.sim[start + t] = sims[t];
      lists.support[start + t] = supportOf[ids[t]];
    }
    lists.length[e] = count;
  }
  return lists;
}

/** The symmetric build on one thread (see parallel-lists.ts for several). */
export function buildSymmetricLists(space: SimilaritySpace, k: number): NeighbourLists {
  const n = space.rows.rows;
  const heaps = emptyHeapSet(n, k);
  const s = upperScratch(n);
  for (let a = 0; a < n; a++) offerUpperRow(space, a, s, heaps);
  return mergeHeaps([heaps], n, k);
}

/**
 * Running totals of the symmetric build's work per row: work[a] is the work of rows
 * before a, counted as the co-rater entries row a walks (each co-rater's entries after a).
 * One pass over `cols`, the transposed matrix of the side (rows of the other side).
 */
export function upperWork(cols: Csr, n: number): Float64Array {
  const work = new Float64Array(n + 1);
  for (let o = 0; o < cols.rows; o++) {
    const to = cols.rowEnd[o];
    for (let p = cols.rowPtr[o]; p < to; p++) work[cols.colIdx[p] + 1] += to - 1 - p;
  }
  for (let a = 0; a < n; a++) work[a + 1] += work[a];
  return work;
}

/**
 * Cuts rows 0..n into `parts` runs of about equal work (from upperWork's totals), each
 * [from, to); runs are never empty, so there may be fewer than `parts`.
 */
export function balancedRanges(work: Float64Array, parts: number): Array<[number, number]> {
  const n = work.length - 1;
  const ranges: Array<[number, number]> = [];
  let from = 0;
  for (let j = 1; j <= parts && from < n; j++) {
    const target = (work[n] * j) / parts;
    let to = from + 1;
    while (to < n && work[to] < target) to++;
    if (j === parts) to = n;
    ranges.push([from, to]);
    from = to;
  }
  return ranges;
}

/**
 * The symmetric build's share of rows [from, to): each pair (a, b) with a in the range
 * and b > a computed once and offered to both heaps. The heaps of every share of a
 * partition of 0..n, merged (mergeHeaps), are the lists of the whole build.
 */
export function upperRangeHeaps(
  space: SimilaritySpace,
  from: number,
  to: number,
  k: number,
): HeapSet {
  const n = space.rows.rows;
  const heaps = emptyHeapSet(n, k);
  const s = upperScratch(n);
  for (let a = from; a < Math.min(to, n); a++) offerUpperRow(space, a, s, heaps);
  return heaps;
}
