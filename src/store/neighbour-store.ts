import type { Side } from '../engine/matrix.ts';

/**
 * One entity's neighbour list as stored: MovieLens ids (not dense indexes, which differ
 * between replicas that saw new users in a different order), best first.
 */
export interface StoredList {
  readonly ids: Int32Array;
  readonly sims: Float32Array;
  readonly supports: Int32Array;
}

/**
 * Where neighbour lists live between processes. Lists belong to a model version (the data
 * set and the journal position they were computed from); a full rebuild writes a new
 * version and then publishes it by switching one pointer, so readers never see a mix.
 */
export interface NeighbourStore {
  readonly kind: 'memory' | 'redis';
  /** The lists of these entities of one side, in one round trip; null where none is stored. */
  getLists(
    version: string,
    side: Side,
    ids: ReadonlyArray<number>,
  ): Promise<Array<StoredList | null>>;
  /** Writes (replaces) lists in one round trip. */
  putLists(
    version: string,
    side: Side,
    entries: ReadonlyArray<{ id: number; list: StoredList }>,
  ): Promise<void>;
  /** Forgets lists, so the next read recomputes them. */
  deleteLists(version: string, side: Side, ids: ReadonlyArray<number>): Promise<void>;
  /** Small facts about a version (such as the hybrid weights its lists were built with). */
  putMeta(version: string, meta: Readonly<Record<string, string>>): Promise<void>;
  getMeta(version: string): Promise<Record<string, string> | null>;
  /** The published version, or null before the first publish. */
  currentVersion(): Promise<string | null>;
  /** Makes `version` current in one atomic step; the previous version's lists expire. */
  publish(version: string, previousTtlSeconds: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The packed form of a list: little-endian `count` (u32), then `count` Int32 ids,
 * `count` Float32 similarities and `count` Int32 supports: 4 + 12n bytes, about a
 * third of a sorted set's memory for the same list and decoded without parsing.
 */
export function packList(list: StoredList): Buffer {
  const n = list.ids.length;
  const out = Buffer.allocUnsafe(4 + 12 * n);
  out.writeUInt32LE(n, 0);
  for (let t = 0; t < n; t++) {
    out.writeInt32LE(list.ids[t], 4 + 4 * t);
    out.writeFloatLE(list.sims[t], 4 + 4 * n + 4 * t);
    out.writeInt32LE(list.supports[t], 4 + 8 * n + 4 * t);
  }
  return out;
}

export function unpackList(bytes: Buffer): StoredList {
  const n = bytes.readUInt32LE(0);
  if (bytes.length !== 4 + 12 * n) {
    throw new Error(
      `a packed neighbour list of ${n} entries must be ${4 + 12 * n} bytes, got ${bytes.length}`,
    );
  }
  const ids = new Int32Array(n);
  const sims = new Float32Array(n);
  const supports = new Int32Array(n);
  for (let t = 0; t < n; t++) {
    ids[t] = bytes.readInt32LE(4 + 4 * t);
    sims[t] = bytes.readFloatLE(4 + 4 * n + 4 * t);
    supports[t] = bytes.readInt32LE(4 + 8 * n + 4 * t);
  }
  return { ids, sims, supports };
}
