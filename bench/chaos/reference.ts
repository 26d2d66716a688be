import type { Dataset } from '../../src/data/types.ts';
import { buildRatingMatrix } from '../../src/engine/matrix.ts';
import { defaultModelConfig, fitModel } from '../../src/engine/model.ts';
import { listEnd, listStart, type NeighbourLists } from '../../src/engine/neighbours.ts';
import { digestHex, ratingSetDigest } from '../../src/engine/rating-digest.ts';
import type { RatingEvent } from '../../src/store/rating-event.ts';

/**
 * What the replicas and Redis must hold, computed by the harness on its own: the data
 * set's ratings plus every replica's journal, merged by the documented order rule, and
 * the neighbour lists a from-scratch fit of those ratings gives.
 *
 * The order rule: for each (user, movie), the winning event is the greatest by
 * timestamp, then kind (remove > rate), then rating value; a data-set rating is a rate
 * event with its timestamp; a winning remove means no rating. The merge is written here
 * with a plain Map on purpose: the service's own merge is what is under test.
 */

/** Where an event came from: the data set, or the journal of a replica slot. */
export type Source = 'dataset' | number;

export interface RefEvent {
  readonly kind: 'rate' | 'remove';
  /** The rating (0 for a remove). */
  readonly value: number;
  /** Seconds since the epoch, as journaled. */
  readonly timestamp: number;
  readonly source: Source;
}

/** One neighbour list: MovieLens ids, best first. */
export interface List {
  readonly ids: ArrayLike<number>;
  readonly sims: ArrayLike<number>;
  readonly supports: ArrayLike<number>;
}

export interface Reference {
  /** The winning event of every (user, movie) key (`user:movie`) that has one. */
  readonly winners: ReadonlyMap<string, RefEvent>;
  /** Ratings in force: user -> movie -> rating. */
  readonly byUser: ReadonlyMap<number, ReadonlyMap<number, { value: number; timestamp: number }>>;
  /** Raters of each movie, for the support of an item pair. */
  readonly byMovie: ReadonlyMap<number, ReadonlyMap<number, number>>;
  readonly movieIds: ReadonlyArray<number>;
  /** Users with at least one rating, ascending. */
  readonly userIds: ReadonlyArray<number>;
  readonly itemLists: ReadonlyMap<number, List>;
  readonly userLists: ReadonlyMap<number, List>;
  /** digestHex of the ratings in force (see src/engine/rating-digest.ts). */
  readonly digest: string;
  readonly ratings: number;
}

/** Whether `a` beats `b` under the order rule. */
export function beats(a: RefEvent, b: RefEvent): boolean {
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  if (a.kind !== b.kind) return a.kind === 'remove';
  return a.value > b.value;
}

/** The winning event of each (user, movie): the data set's ratings, then every journal. */
export function mergeEvents(
  dataset: Dataset,
  journals: ReadonlyArray<ReadonlyArray<RatingEvent>>,
): Map<string, RefEvent> {
  const winners = new Map<string, RefEvent>();
  const offer = (userId: number, movieId: number, event: RefEvent) => {
    const key = `${userId}:${movieId}`;
    const current = winners.get(key);
    if (current === undefined || beats(event, current)) winners.set(key, event);
  };
  const r = dataset.ratings;
  for (let t = 0; t < r.length; t++) {
    offer(r.userIds[t], r.movieIds[t], {
      kind: 'rate',
      value: r.values[t],
      timestamp: r.timestamps[t],
      source: 'dataset',
    });
  }
  journals.forEach((events, slot) => {
    for (const e of events) {
      offer(e.userId, e.movieId, {
        kind: e.kind,
        value: e.kind === 'rate' ? e.rating : 0,
        timestamp: e.timestamp,
        source: slot,
      });
    }
  });
  return winners;
}

/**
 * The reference for the data set plus these journals (one per replica slot): the merged
 * ratings, their digest, and the lists of a from-scratch fit on dense indexes (movies: the
 * catalogue's ids ascending; users: the rating users' ids ascending).
 */
export function buildReference(
  dataset: Dataset,
  journals: ReadonlyArray<ReadonlyArray<RatingEvent>>,
): Reference {
  const winners = mergeEvents(dataset, journals);
  const byUser = new Map<number, Map<number, { value: number; timestamp: number }>>();
  const byMovie = new Map<number, Map<number, number>>();
  for (const [key, event] of winners) {
    if (event.kind !== 'rate') continue;
    const [userId, movieId] = key.split(':').map(Number);
    const row = byUser.get(userId) ?? new Map<number, { value: number; timestamp: number }>();
    row.set(movieId, { value: event.value, timestamp: event.timestamp });
    byUser.set(userId, row);
    const column = byMovie.get(movieId) ?? new Map<number, number>();
    column.set(userId, event.value);
    byMovie.set(movieId, column);
  }
  const movieIds = [...dataset.movies.keys()].sort((a, b) => a - b);
  const userIds = [...byUser.keys()].sort((a, b) => a - b);
  const movieIndex = new Map(movieIds.map((id, k) => [id, k]));
  const userIndex = new Map(userIds.map((id, k) => [id, k]));

  let n = 0;
  for (const row of byUser.values()) n += row.size;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const values = new Float32Array(n);
  const rawUsers = new Int32Array(n);
  const rawMovies = new Int32Array(n);
  let t = 0;
  for (const userId of userIds) {
    const row = byUser.get(userId) as Map<number, { value: number }>;
    for (const movieId of [...row.keys()].sort((a, b) => a - b)) {
      const i = movieIndex.get(movieId);
      if (i === undefined) throw new Error(`movie ${movieId} is rated but not in the catalogue`);
      users[t] = userIndex.get(userId) as number;
      items[t] = i;
      values[t] = (row.get(movieId) as { value: number }).value;
      rawUsers[t] = userId;
      rawMovies[t] = movieId;
      t++;
    }
  }
  const matrix = buildRatingMatrix(users, items, values, userIds.length, movieIds.length);
  const model = fitModel(
    matrix,
    { ...defaultModelConfig, scale: dataset.scale },
    { item: true, user: true, lists: true },
  );
  if (!model.item || !model.user) throw new Error('the reference fit has no lists');
  return {
    winners,
    byUser,
    byMovie,
    movieIds,
    userIds,
    itemLists: listsById(model.item.lists, movieIds),
    userLists: listsById(model.user.lists, userIds),
    digest: digestHex(ratingSetDigest(rawUsers, rawMovies, values, n)),
    ratings: n,
  };
}

function listsById(lists: NeighbourLists, ids: ReadonlyArray<number>): Map<number, List> {
  const out = new Map<number, List>();
  ids.forEach((id, a) => {
    const start = listStart(lists, a);
    const end = listEnd(lists, a);
    out.set(id, {
      ids: Array.from(lists.idx.subarray(start, end), (b) => ids[b]),
      sims: Array.from(lists.sim.subarray(start, end)),
      supports: Array.from(lists.support.subarray(start, end)),
    });
  });
  return out;
}

/** The co-rater count of two movies (item side) or two users (user side). */
export function trueSupport(ref: Reference, side: 'item' | 'user', a: number, b: number): number {
  const rows = side === 'item' ? ref.byMovie : ref.byUser;
  const x = rows.get(a);
  const y = rows.get(b);
  if (!x || !y) return 0;
  let n = 0;
  const [small, large] = x.size <= y.size ? [x, y] : [y, x];
  for (const key of small.keys()) if (large.has(key)) n++;
  return n;
}

/**
 * The vector-cosine similarity of two movies or users over the reference ratings (the
 * metric the lists rank by; see src/engine/similarity.ts), computed directly.
 */
export function trueSimilarity(
  ref: Reference,
  side: 'item' | 'user',
  a: number,
  b: number,
): number {
  const rows = side === 'item' ? ref.byMovie : ref.byUser;
  const value = (v: number | { value: number }) => (typeof v === 'number' ? v : v.value);
  const x = rows.get(a);
  const y = rows.get(b);
  if (!x || !y) return 0;
  let dot = 0;
  let nx = 0;
  let ny = 0;
  for (const [key, v] of x) {
    const r = Math.fround(value(v));
    nx += r * r;
    const w = y.get(key);
    if (w !== undefined) dot += r * Math.fround(value(w));
  }
  for (const w of y.values()) ny += Math.fround(value(w)) ** 2;
  return nx === 0 || ny === 0 ? 0 : dot / Math.sqrt(nx * ny);
}
