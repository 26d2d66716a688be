import type { Side } from '../engine/matrix.ts';

/**
 * One entity's neighbour list as stored: MovieLens ids (not dense indexes, which differ
 * between replicas that saw new users in a different order), best first.
 */
export interface StoredList {
  readonly ids: Int32Array;
  readonly sims: Float32Array;
  readonly supports: Int32Array;
  /** The ratings the list reflects. */
  readonly stamp: ListStamp;
}

/**
 * The ratings a list was computed from: `digest` is the rating-set digest (see
 * engine/rating-digest.ts) of the writer's ratings at the time, so a reader installs the
 * list only when its own digest is the same; `position` orders write-backs (the writer's
 * place in the rating order, in milliseconds of its hybrid clock), so a replica that lags
 * never writes over a list written from a later state.
 */
export interface ListStamp {
  readonly digest: string;
  readonly position: number;
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
  /**
   * Writes lists in one round trip, each only where the stored list of its entity (if
   * any) has a stamp position at or before its own: a write-back from a replica that
   * lags never replaces a list computed from a later state. With `'existing'` (write-backs
   * of a running service) nothing is written into a version that is not there (never
   * created, or expired after a newer one was published), so a replica left on an old
   * version cannot bring it back for good; `'create'` (a build) creates it.
   */
  putLists(
    version: string,
    side: Side,
    entries: ReadonlyArray<{ id: number; list: StoredList }>,
    mode?: 'create' | 'existing',
  ): Promise<void>;
  /** Forgets lists, so the next read recomputes them. */
  deleteLists(version: string, side: Side, ids: ReadonlyArray<number>): Promise<void>;
  /**
   * Small facts about a version (such as the hybrid weights its lists were built with).
   * Writing them creates the version, so later write-backs into it are taken.
   */
  putMeta(version: string, meta: Readonly<Record<string, string>>): Promise<void>;
  getMeta(version: string): Promise<Record<string, string> | null>;
  /** Every version the store holds (current, and previous ones not yet expired). */
  versions(): Promise<string[]>;
  /** The published version, or null before the first publish. */
  currentVersion(): Promise<string | null>;
  /** Makes `version` current in one atomic step; the previous version's lists expire. */
  publish(version: string, previousTtlSeconds: number): Promise<void>;
  close(): Promise<void>;
}

/** Bytes before a packed list's entries: count, digest (two u32) and position (f64). */
export const PACKED_HEADER_BYTES = 20;
/** Where the position (a little-endian f64) sits in a packed list. */
export const PACKED_POSITION_OFFSET = 12;

/**
 * The packed form of a list: little-endian `count` (u32), the stamp's digest as two u32
 * (high, low), its position (f64), then `count` Int32 ids, `count` Float32 similarities
 * and `count` Int32 supports: 20 + 12n bytes, about a third of a sorted set's memory for
 * the same list and decoded without parsing. The position sits at a fixed offset so a
 * Redis script compares it before it writes.
 */
export function packList(list: StoredList): Buffer {
  const n = list.ids.length;
  const h = PACKED_HEADER_BYTES;
  const out = Buffer.allocUnsafe(h + 12 * n);
  out.writeUInt32LE(n, 0);
  out.writeUInt32LE(Number.parseInt(list.stamp.digest.slice(0, 8), 16), 4);
  out.writeUInt32LE(Number.parseInt(list.stamp.digest.slice(8, 16), 16), 8);
  out.writeDoubleLE(list.stamp.position, PACKED_POSITION_OFFSET);
  for (let t = 0; t < n; t++) {
    out.writeInt32LE(list.ids[t], h + 4 * t);
    out.writeFloatLE(list.sims[t], h + 4 * n + 4 * t);
    out.writeInt32LE(list.supports[t], h + 8 * n + 4 * t);
  }
  return out;
}

export function unpackList(bytes: Buffer): StoredList {
  const h = PACKED_HEADER_BYTES;
  if (bytes.length < h) {
    throw new Error(`a packed neighbour list must be at least ${h} bytes, got ${bytes.length}`);
  }
  const n = bytes.readUInt32LE(0);
  if (bytes.length !== h + 12 * n) {
    throw new Error(
      `a packed neighbour list of ${n} entries must be ${h + 12 * n} bytes, got ${bytes.length}`,
    );
  }
  const ids = new Int32Array(n);
  const sims = new Float32Array(n);
  const supports = new Int32Array(n);
  for (let t = 0; t < n; t++) {
    ids[t] = bytes.readInt32LE(h + 4 * t);
    sims[t] = bytes.readFloatLE(h + 4 * n + 4 * t);
    supports[t] = bytes.readInt32LE(h + 8 * n + 4 * t);
  }
  const digest =
    bytes.readUInt32LE(4).toString(16).padStart(8, '0') +
    bytes.readUInt32LE(8).toString(16).padStart(8, '0');
  return {
    ids,
    sims,
    supports,
    stamp: { digest, position: bytes.readDoubleLE(PACKED_POSITION_OFFSET) },
  };
}
