/**
 * The one order of rating changes, the same live, at replay and on every replica: for a
 * (user, movie), the change that ranks last decides (a rating sets the value, a removal
 * deletes it). Changes rank by timestamp; at an equal timestamp a removal ranks after a
 * rating and a higher rating after a lower one. Every two different changes of a pair are
 * ordered, so replicas that apply the same changes in any order, any number of times,
 * end with the same ratings, and a replay of the journal gives the state served before
 * the restart.
 *
 * Timestamps come from each replica's hybrid clock (service/hybrid-clock.ts), which never
 * issues one below a change it has seen: a rating a replica accepts ranks after
 * everything it has applied, so it is served at once whatever the wall clock does.
 */

/** A change to one rating, as the engine applies it. */
export type RatingEdit =
  | {
      readonly kind: 'rate';
      readonly userId: number;
      readonly movieId: number;
      readonly rating: number;
      /** Seconds since the Unix epoch; may be fractional. */
      readonly timestamp: number;
    }
  | {
      readonly kind: 'remove';
      readonly userId: number;
      readonly movieId: number;
      readonly timestamp: number;
    };

/** A removal that decided its (user, movie): a rating ranking before it stays out. */
export interface Removal {
  readonly userId: number;
  readonly movieId: number;
  readonly timestamp: number;
}

/** Whether change a ranks after change b (b may be a removal: `bRemoved`). */
export function ranksAfter(
  aTimestamp: number,
  aRemoved: boolean,
  aValue: number,
  bTimestamp: number,
  bRemoved: boolean,
  bValue: number,
): boolean {
  if (aTimestamp !== bTimestamp) return aTimestamp > bTimestamp;
  if (aRemoved !== bRemoved) return aRemoved;
  return !aRemoved && Math.fround(aValue) > Math.fround(bValue);
}

/** Whether edit a ranks after edit b. */
export function editRanksAfter(a: RatingEdit, b: RatingEdit): boolean {
  return ranksAfter(
    a.timestamp,
    a.kind === 'remove',
    a.kind === 'rate' ? a.rating : 0,
    b.timestamp,
    b.kind === 'remove',
    b.kind === 'rate' ? b.rating : 0,
  );
}

/** The edit of each (user, movie) that ranks last, keyed `userId:movieId`. */
export function latestByPair<E extends RatingEdit>(edits: ReadonlyArray<E>): Map<string, E> {
  const out = new Map<string, E>();
  for (const e of edits) {
    const key = `${e.userId}:${e.movieId}`;
    const held = out.get(key);
    if (!held || editRanksAfter(e, held)) out.set(key, e);
  }
  return out;
}
