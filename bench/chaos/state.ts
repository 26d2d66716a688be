import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Side } from '../../src/engine/matrix.ts';
import type { NeighbourStore, StoredList } from '../../src/store/neighbour-store.ts';
import type { RedisClient } from '../../src/store/redis-client.ts';
import { RedisNeighbourStore } from '../../src/store/redis-neighbour-store.ts';
import { postData } from './graphql-client.ts';
import type { List } from './reference.ts';

/**
 * Reads what the replicas serve and what Redis holds: the ratings of the touched users,
 * every movie's and user's neighbour list from every replica (batched with aliases), and
 * every list Redis holds under the harness's prefix.
 */
const LIST_LENGTH = 50;
const ALIASES_PER_REQUEST = 40;
const RATING_PAGE = 100;
/** Pages of one user's ratings at most (a bound, far above the data set's users). */
const MAX_RATING_PAGES = 50;
const READ_TIMEOUT_MS = 10_000;

export interface ServedRating {
  readonly value: number;
  readonly ratedAtMs: number;
}

export interface ReplicaState {
  readonly slot: number;
  /** user -> movie -> rating, for the users asked about. */
  readonly ratings: Map<number, Map<number, ServedRating>>;
  readonly itemLists: Map<number, List>;
  readonly userLists: Map<number, List>;
}

export interface StoredEntry {
  readonly version: string;
  readonly side: Side;
  readonly id: number;
  readonly list: StoredList;
  readonly stamp: { readonly digest: string; readonly position: number } | undefined;
}

export interface RedisState {
  readonly versions: ReadonlyArray<string>;
  readonly entries: ReadonlyArray<StoredEntry>;
}

function chunks<T>(xs: ReadonlyArray<T>, size: number): T[][] {
  const out: T[][] = [];
  for (let k = 0; k < xs.length; k += size) out.push(xs.slice(k, k + size));
  return out;
}

interface RatingsPage {
  ratings: {
    edges: Array<{ node: { movie: { id: string }; value: number; ratedAt: string } }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/** Every rating of these users, as the replica at `url` serves them. */
export async function readRatings(
  url: string,
  userIds: ReadonlyArray<number>,
): Promise<Map<number, Map<number, ServedRating>>> {
  const out = new Map<number, Map<number, ServedRating>>();
  const more: Array<{ userId: number; after: string }> = [];
  const take = (userId: number, page: RatingsPage | null) => {
    const row = out.get(userId) ?? new Map<number, ServedRating>();
    out.set(userId, row);
    if (!page) return null;
    for (const { node } of page.ratings.edges) {
      row.set(Number(node.movie.id), { value: node.value, ratedAtMs: Date.parse(node.ratedAt) });
    }
    return page.ratings.pageInfo.hasNextPage ? page.ratings.pageInfo.endCursor : null;
  };
  const fields = `ratings(first: ${RATING_PAGE}, after: $after) { edges { node { movie { id } value ratedAt } } pageInfo { hasNextPage endCursor } }`;
  for (const batch of chunks(userIds, ALIASES_PER_REQUEST)) {
    const query = `query($after: String) { ${batch.map((u, k) => `u${k}: user(id: "${u}") { ${fields} }`).join(' ')} }`;
    const data = await postData<Record<string, RatingsPage | null>>(
      url,
      query,
      { after: null },
      READ_TIMEOUT_MS,
    );
    batch.forEach((userId, k) => {
      const after = take(userId, data[`u${k}`]);
      if (after) more.push({ userId, after });
    });
  }
  for (const { userId, after: first } of more) {
    let after: string | null = first;
    for (let page = 1; after && page < MAX_RATING_PAGES; page++) {
      const data: Record<string, RatingsPage | null> = await postData(
        url,
        `query($after: String) { u: user(id: "${userId}") { ${fields} } }`,
        { after },
        READ_TIMEOUT_MS,
      );
      after = take(userId, data.u);
    }
  }
  return out;
}

interface ServedNeighbour {
  similarity: number;
  support: number;
  movie?: { id: string };
  user?: { id: string };
}

function toList(entries: ReadonlyArray<ServedNeighbour> | undefined): List {
  const xs = entries ?? [];
  return {
    ids: xs.map((e) => Number(e.movie?.id ?? e.user?.id)),
    sims: xs.map((e) => e.similarity),
    supports: xs.map((e) => e.support),
  };
}

/** Every movie's `similar` and every user's `similarUsers` list, as the replica serves them. */
export async function readLists(
  url: string,
  movieIds: ReadonlyArray<number>,
  userIds: ReadonlyArray<number>,
): Promise<{ itemLists: Map<number, List>; userLists: Map<number, List> }> {
  const itemLists = new Map<number, List>();
  const userLists = new Map<number, List>();
  for (const batch of chunks(movieIds, ALIASES_PER_REQUEST)) {
    const query = `{ ${batch.map((m, k) => `m${k}: movie(id: "${m}") { similar(first: ${LIST_LENGTH}) { movie { id } similarity support } }`).join(' ')} }`;
    const data = await postData<Record<string, { similar: ServedNeighbour[] } | null>>(
      url,
      query,
      {},
      READ_TIMEOUT_MS,
    );
    batch.forEach((movieId, k) => {
      itemLists.set(movieId, toList(data[`m${k}`]?.similar));
    });
  }
  for (const batch of chunks(userIds, ALIASES_PER_REQUEST)) {
    const query = `{ ${batch.map((u, k) => `u${k}: user(id: "${u}") { similarUsers(first: ${LIST_LENGTH}) { user { id } similarity support } }`).join(' ')} }`;
    const data = await postData<Record<string, { similarUsers: ServedNeighbour[] } | null>>(
      url,
      query,
      {},
      READ_TIMEOUT_MS,
    );
    batch.forEach((userId, k) => {
      userLists.set(userId, toList(data[`u${k}`]?.similarUsers));
    });
  }
  return { itemLists, userLists };
}

/** A store with `versions()`, the method being added to list every stored version. */
interface ListsVersions {
  versions(): Promise<ReadonlyArray<string>>;
}

function hasVersions(store: object): store is ListsVersions {
  return typeof (store as Partial<ListsVersions>).versions === 'function';
}

/** Makes the store that reads Redis, for a client and a key prefix. */
export type StoreFactory = (
  client: RedisClient,
  prefix: string,
) => Pick<NeighbourStore, 'currentVersion' | 'getLists'>;

/**
 * The RedisNeighbourStore of the service under test: this project's, or that of the
 * checkout in `serviceRoot` (whose key layout may differ), loaded from its source.
 */
export async function storeFactory(serviceRoot: string | undefined): Promise<StoreFactory> {
  if (serviceRoot === undefined) return (client, prefix) => new RedisNeighbourStore(client, prefix);
  const url = pathToFileURL(join(serviceRoot, 'src/store/redis-neighbour-store.ts')).href;
  const mod = (await import(url)) as { RedisNeighbourStore: typeof RedisNeighbourStore };
  return (client, prefix) => new mod.RedisNeighbourStore(client, prefix);
}

/**
 * Every list Redis holds for these ids, through RedisNeighbourStore under `prefix`: of the
 * current version, and of every version `versions()` lists where the store has it.
 */
export async function readRedisLists(
  makeStore: StoreFactory,
  client: RedisClient,
  prefix: string,
  movieIds: ReadonlyArray<number>,
  userIds: ReadonlyArray<number>,
): Promise<RedisState> {
  const store = makeStore(client, prefix);
  const versions = new Set<string>();
  const current = await store.currentVersion();
  if (current !== null) versions.add(current);
  if (hasVersions(store)) for (const v of await store.versions()) versions.add(v);
  const entries: StoredEntry[] = [];
  for (const version of [...versions].sort()) {
    for (const [side, ids] of [
      ['item', movieIds],
      ['user', userIds],
    ] as const) {
      for (const batch of chunks(ids, 500)) {
        const lists = await store.getLists(version, side, batch);
        lists.forEach((list, k) => {
          if (!list) return;
          // `stamp` is being added to StoredList; read it without relying on the type
          const stamp = (list as { stamp?: StoredEntry['stamp'] }).stamp;
          entries.push({ version, side, id: batch[k], list, stamp });
        });
      }
    }
  }
  return { versions: [...versions].sort(), entries };
}
