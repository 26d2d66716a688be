/**
 * The reference for exactness tests: the neighbour lists a fit from scratch gives on the
 * ratings a test knows it had accepted, computed without the live model, and a
 * comparison that allows only what may legitimately differ (Float32 rounding, the order
 * of tied neighbours, which of several tied neighbours fill the last places).
 */
import type { Dataset } from '../../src/data/types.ts';
import { buildRatingMatrix, type Side } from '../../src/engine/matrix.ts';
import { defaultModelConfig, type ModelConfig } from '../../src/engine/model.ts';
import { buildNeighbourLists, listEnd, listStart } from '../../src/engine/neighbours.ts';
import { similaritySpace } from '../../src/engine/similarity.ts';
import type { RecommenderService } from '../../src/service/recommender-service.ts';

/** A neighbour list as (MovieLens id, similarity) pairs, best first. */
export type PlainList = Array<[number, number]>;

/** `user:movie` -> value: the ratings a test expects, starting from a data set's. */
export function ratingsOf(dataset: Dataset): Map<string, number> {
  const out = new Map<string, number>();
  const r = dataset.ratings;
  for (let t = 0; t < r.length; t++) out.set(`${r.userIds[t]}:${r.movieIds[t]}`, r.values[t]);
  return out;
}

/** Every list of both sides, by MovieLens id, fitted from scratch on `ratings`. */
export function rebuildLists(
  movieIds: Int32Array,
  ratings: ReadonlyMap<string, number>,
  config: ModelConfig = defaultModelConfig,
): Record<Side, Map<number, PlainList>> {
  const userIds = [...new Set([...ratings.keys()].map((k) => Number(k.split(':')[0])))].sort(
    (a, b) => a - b,
  );
  const userIndex = new Map(userIds.map((id, u) => [id, u]));
  const itemIndex = new Map(Array.from(movieIds, (id, i) => [id, i]));
  const users: number[] = [];
  const items: number[] = [];
  const values: number[] = [];
  for (const [key, value] of ratings) {
    const [u, m] = key.split(':').map(Number);
    users.push(userIndex.get(u) as number);
    items.push(itemIndex.get(m) as number);
    values.push(value);
  }
  const matrix = buildRatingMatrix(
    Int32Array.from(users),
    Int32Array.from(items),
    Float32Array.from(values),
    userIds.length,
    movieIds.length,
  );
  const out = { item: new Map<number, PlainList>(), user: new Map<number, PlainList>() };
  for (const side of ['item', 'user'] as const) {
    const options = config[side].rankSimilarity;
    if (options.metric === 'pearson-baseline') throw new Error('rank lists need no baseline');
    const lists = buildNeighbourLists(
      similaritySpace(matrix, side, options),
      config[side].listSize,
    );
    const idOf = (a: number) => (side === 'item' ? movieIds[a] : userIds[a]);
    const n = side === 'item' ? movieIds.length : userIds.length;
    for (let a = 0; a < n; a++) {
      const list: PlainList = [];
      for (let q = listStart(lists, a); q < listEnd(lists, a); q++)
        list.push([idOf(lists.idx[q]), lists.sim[q]]);
      out[side].set(idOf(a), list);
    }
  }
  return out;
}

/** Every list a service serves (through its API), by MovieLens id. */
export async function servedLists(
  service: RecommenderService,
  side: Side,
  ids: ReadonlyArray<number>,
): Promise<Map<number, PlainList>> {
  const out = new Map<number, PlainList>();
  if (side === 'item') {
    const got = await service.similarMovies(ids.map((movieId) => ({ movieId, first: 100 })));
    got.forEach((list, t) => {
      out.set(
        ids[t],
        list.map((n) => [n.movieId, n.similarity]),
      );
    });
  } else {
    const got = await service.similarUsers(ids.map((userId) => ({ userId, first: 100 })));
    got.forEach((list, t) => {
      out.set(
        ids[t],
        list.map((n) => [n.userId, n.similarity]),
      );
    });
  }
  return out;
}

/**
 * What differs between a list and the reference, or null: the similarities position by
 * position (within 1e-5), then the ids of each group of tied similarities, the last
 * group (ties straddling the end of the list) only needing to come from the reference's.
 */
export function listDifference(got: PlainList, want: PlainList): string | null {
  const show = () => `got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`;
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}: ${show()}`;
  for (let t = 0; t < got.length; t++) {
    if (Math.abs(got[t][1] - want[t][1]) > 1e-5) return `similarity at ${t}: ${show()}`;
  }
  let start = 0;
  while (start < got.length) {
    let end = start + 1;
    while (end < got.length && Math.abs(got[end][1] - got[start][1]) <= 1e-5) end++;
    const a = got.slice(start, end).map((x) => x[0]);
    const b = new Set(want.slice(start, end).map((x) => x[0]));
    const last = end === got.length;
    if (!last && !a.every((id) => b.has(id))) return `tied group at ${start}: ${show()}`;
    start = end;
  }
  return null;
}

/**
 * What differs between every list a service serves, on both sides, and a rebuild from the
 * ratings it accepted: one line per entity whose list differs, none when all are exact.
 */
export async function servedDifferences(
  service: RecommenderService,
  accepted: ReadonlyMap<string, number>,
  config: ModelConfig = defaultModelConfig,
): Promise<string[]> {
  const want = rebuildLists(service.live.movieIds, accepted, config);
  const out: string[] = [];
  for (const side of ['item', 'user'] as const) {
    const ids = [...want[side].keys()];
    const got = await servedLists(service, side, ids);
    for (const id of ids) {
      const d = listDifference(got.get(id) ?? [], want[side].get(id) ?? []);
      if (d) out.push(`${side} ${id}: ${d}`);
    }
  }
  return out;
}
