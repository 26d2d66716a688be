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

/**
 * How far apart two similarities must be to be ordered by their stored Float32 copies; a
 * closer pair is a tie only a full recomputation (in Float64) decides.
 */
export const LIST_TIE = 1e-6;

/** What placing one changed similarity in a list did. */
export type ListEdit = 'unchanged' | 'edited' | 'unknown';

/**
 * Brings b's list up to date for a change of one similarity, sim(a, b), when every other
 * similarity of b is unchanged: `sim` and `support` are the new values (0 when a no
 * longer reaches b). `bounds[b]` is at least the best positive similarity of b outside its
 * list (0 when the list has room: nothing positive is outside; Infinity when unknown),
 * and is kept so. The edit is exact when a stays in the list above that bound, enters it
 * above its last entry (which then leaves), or leaves a list with room; otherwise, or
 * when a's new place ties another entry, it changes nothing and answers 'unknown': only a
 * recomputation can tell.
 */
export function placeInList(
  lists: NeighbourLists,
  b: number,
  a: number,
  sim: number,
  support: number,
  bounds: Float32Array,
): ListEdit {
  const { k, idx } = lists;
  const start = b * k;
  const n = lists.length[b];
  let at = -1;
  for (let q = start; q < start + n; q++) {
    if (idx[q] === a) {
      at = q;
      break;
    }
  }
  const last = n > 0 ? lists.sim[start + n - 1] : 0;
  const positive = sim > 0;
  if (at < 0) {
    if (!positive) return 'unchanged';
    if (n < k) return insertEntry(lists, b, n, a, sim, support) ? 'edited' : 'unknown';
    if (sim < last - LIST_TIE) {
      // a stays outside, and may now be the best there
      if (sim > bounds[b]) bounds[b] = sim;
      return 'unchanged';
    }
    if (sim <= last + LIST_TIE) return 'unknown';
    // a enters above the last entry, which leaves and joins those outside
    if (!insertEntry(lists, b, n - 1, a, sim, support)) return 'unknown';
    if (last > bounds[b]) bounds[b] = last;
    return 'edited';
  }
  // a is in the list: when it is full, a stays only while above every candidate outside:
  // its old last entry (a's old similarity included) bounds them, and so does bounds[b]
  if (n === k && !(positive && (sim > last + LIST_TIE || sim > bounds[b] + LIST_TIE)))
    return 'unknown';
  if (positive && !placeable(lists, start, n, at, sim)) return 'unknown';
  lists.idx.copyWithin(at, at + 1, start + n);
  lists.sim.copyWithin(at, at + 1, start + n);
  lists.support.copyWithin(at, at + 1, start + n);
  lists.length[b] = n - 1;
  if (positive) insertEntry(lists, b, n - 1, a, sim, support);
  return 'edited';
}

/** Whether `sim` is clear of every entry of [start, start + n) but `skip` by LIST_TIE. */
function placeable(
  lists: NeighbourLists,
  start: number,
  n: number,
  skip: number,
  sim: number,
): boolean {
  for (let q = start; q < start + n; q++) {
    if (q !== skip && Math.abs(lists.sim[q] - sim) <= LIST_TIE) return false;
  }
  return true;
}

/**
 * Inserts (a, sim) into the first `kept` entries of b's list at its place by similarity
 * (the entries after them are dropped); false, changing nothing, when it ties an entry.
 */
function insertEntry(
  lists: NeighbourLists,
  b: number,
  kept: number,
  a: number,
  sim: number,
  support: number,
): boolean {
  const start = b * lists.k;
  if (!placeable(lists, start, kept, -1, sim)) return false;
  let at = start;
  while (at < start + kept && lists.sim[at] > sim) at++;
  const end = start + kept;
  lists.idx.copyWithin(at + 1, at, end);
  lists.sim.copyWithin(at + 1, at, end);
  lists.support.copyWithin(at + 1, at, end);
  lists.idx[at] = a;
  lists.sim[at] = sim;
  lists.support[at] = support;
  lists.length[b] = kept + 1;
  return true;
}
