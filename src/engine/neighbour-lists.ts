import { float32Array, int32Array, type Memory } from './memory.ts';

/**
 * The top-k most similar entities of each entity of one side. Every entity owns k slots,
 * so a list can be replaced in place when a rating changes it: the list of `a` is
 * `idx/sim/support[a*k .. a*k + length[a])`, sorted by descending similarity, ties to the
 * lower index. Only positive similarities are kept.
 */
export interface NeighbourLists {
  readonly k: number;
  /** Entries in each entity's list (at most k). */
  readonly length: Int32Array;
  readonly idx: Int32Array;
  readonly sim: Float32Array;
  /** Number of co-raters behind each similarity. */
  readonly support: Int32Array;
}

/** Lists for n entities of k slots each, all empty. */
export function emptyNeighbourLists(n: number, k: number, memory: Memory = 'heap'): NeighbourLists {
  return {
    k,
    length: int32Array(n, memory),
    idx: int32Array(n * k, memory),
    sim: float32Array(n * k, memory),
    support: int32Array(n * k, memory),
  };
}

/**
 * Replaces entity a's list with the first `count` of `ids` (best first) and their
 * similarities; `supportOf[id]` gives each one's co-rater count.
 */
export function writeList(
  lists: NeighbourLists,
  a: number,
  ids: Int32Array,
  sims: Float64Array,
  supportOf: Int32Array,
  count: number,
): void {
  const start = a * lists.k;
  for (let t = 0; t < count; t++) {
    lists.idx[start + t] = ids[t];
    lists.sim[start + t] = sims[t];
    lists.support[start + t] = supportOf[ids[t]];
  }
  lists.length[a] = count;
}

/** The first slot of a's list. */
export function listStart(lists: NeighbourLists, a: number): number {
  return a * lists.k;
}

/** One past the last entry of a's list. */
export function listEnd(lists: NeighbourLists, a: number): number {
  return a * lists.k + lists.length[a];
}
