/**
 * Maps between MovieLens ids (sparse, arbitrary) and dense indexes 0..n-1 (what the
 * typed arrays are indexed by). Dense indexes are assigned in ascending id order so the
 * same set of ids always gets the same indexes.
 */
export interface IdIndex {
  readonly size: number;
  /** `ids[idx]` is the MovieLens id of dense index `idx`. */
  readonly ids: Int32Array;
  /** Dense index of a MovieLens id, or -1. */
  indexOf(id: number): number;
}

export function buildIdIndex(rawIds: ArrayLike<number>): IdIndex {
  const sorted = Int32Array.from(rawIds).sort();
  let n = 0;
  for (let k = 0; k < sorted.length; k++) {
    if (k === 0 || sorted[k] !== sorted[k - 1]) sorted[n++] = sorted[k];
  }
  return idIndexFromSorted(sorted.slice(0, n));
}

/** `sortedIds` must be ascending and distinct. */
export function idIndexFromSorted(sortedIds: Int32Array): IdIndex {
  const lookup = new Map<number, number>();
  for (let i = 0; i < sortedIds.length; i++) lookup.set(sortedIds[i], i);
  return {
    size: sortedIds.length,
    ids: sortedIds,
    indexOf: (id) => lookup.get(id) ?? -1,
  };
}
