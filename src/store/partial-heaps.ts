import type { Side } from '../engine/matrix.ts';
import type { HeapSet } from '../engine/symmetric-lists.ts';
import type { RedisClient } from './redis-client.ts';

/**
 * One share of a distributed build in Redis: the bounded heaps of every entity after the
 * share's pairs (symmetric-lists.ts), as one string of four sections, sizes (int32 per
 * entity), keys (float64 per slot), ids and supports (int32 per slot), so the heaps of a
 * run of entities are four byte ranges a merge reads with GETRANGE. Keys keep their full
 * precision: the merge ranks exactly as a single process does.
 */

/** How long a share is kept if its build never finishes (a dead coordinator). */
const PARTIAL_TTL_SECONDS = 24 * 3600;

export function partialKey(prefix: string, version: string, side: Side, share: number): string {
  // one hash tag per build and side: a cluster keeps them on one node, as the queue's keys
  return `{${prefix}:jobs}:partial:${version}:${side}:${share}`;
}

interface Layout {
  readonly size: number;
  readonly keys: number;
  readonly ids: number;
  readonly supports: number;
  readonly bytes: number;
}

function layout(n: number, k: number): Layout {
  const size = 0;
  const keys = 4 * n;
  const ids = keys + 8 * n * k;
  const supports = ids + 4 * n * k;
  return { size, keys, ids, supports, bytes: supports + 4 * n * k };
}

export async function putPartial(
  redis: RedisClient,
  key: string,
  heaps: HeapSet,
  n: number,
): Promise<number> {
  const l = layout(n, heaps.k);
  const out = Buffer.allocUnsafe(l.bytes);
  const bytes = (a: Int32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  bytes(heaps.size.subarray(0, n)).copy(out, l.size);
  bytes(heaps.keys.subarray(0, n * heaps.k)).copy(out, l.keys);
  bytes(heaps.ids.subarray(0, n * heaps.k)).copy(out, l.ids);
  bytes(heaps.supports.subarray(0, n * heaps.k)).copy(out, l.supports);
  await redis.set(key, out, 'EX', PARTIAL_TTL_SECONDS);
  return l.bytes;
}

/** The heaps of entities [from, to) of a share of n entities, as a HeapSet of to - from. */
export async function getPartialSlice(
  redis: RedisClient,
  key: string,
  n: number,
  k: number,
  from: number,
  to: number,
): Promise<HeapSet> {
  const l = layout(n, k);
  const range = async (offset: number, width: number): Promise<ArrayBuffer> => {
    if (to <= from) return new ArrayBuffer(0);
    const b = await redis.getrangeBuffer(key, offset + width * from, offset + width * to - 1);
    if (b.length !== width * (to - from)) {
      throw new Error(
        `share ${key} is missing or short (${b.length} bytes): the build must start again`,
      );
    }
    // a copy of its own: typed arrays need aligned offsets
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
  };
  const [size, keys, ids, supports] = await Promise.all([
    range(l.size, 4),
    range(l.keys, 8 * k),
    range(l.ids, 4 * k),
    range(l.supports, 4 * k),
  ]);
  return {
    k,
    size: new Int32Array(size),
    bar: new Float64Array(0),
    barId: new Int32Array(0),
    keys: new Float64Array(keys),
    ids: new Int32Array(ids),
    supports: new Int32Array(supports),
  };
}
