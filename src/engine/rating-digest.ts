/**
 * An order-independent digest of a set of ratings: the sum, modulo 2^32 in each of two
 * lanes, of a 64-bit hash of every (user, movie, value) triple. A sum commutes, so the
 * digest names the set whatever order it was built in, and it moves in O(1) when one
 * rating is added, changed or removed (subtract the old triple, add the new): a replica
 * keeps it current on every rating and stamps each neighbour list it computes with it, so
 * another replica can tell whether a list reflects exactly the ratings it has applied.
 *
 * Values enter as their Float32 bits, the precision the model stores. Timestamps do not
 * enter: neighbour lists do not depend on them. `withTimestamps` adds them for the model
 * version, which names the loaded content (hybrid weights are fitted on a split by time).
 */

/** The two lanes of a digest. */
export interface Digest {
  hi: number;
  lo: number;
}

const f32 = new Float32Array(1);
const f32bits = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const f64bits = new Uint32Array(f64.buffer);

/** murmur3's 32-bit finaliser: every input bit flips about half the output bits. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function combine(seed: number, a: number, b: number, c: number, d: number): number {
  let h = mix(seed ^ a);
  h = mix(h ^ Math.imul(b, 0x9e3779b1));
  h = mix(h ^ Math.imul(c, 0x7feb352d));
  return mix(h ^ Math.imul(d, 0x846ca68b));
}

/** Adds (sign 1) or removes (sign -1) one rating's contribution. */
export function digestRating(
  d: Digest,
  sign: 1 | -1,
  userId: number,
  movieId: number,
  value: number,
  timestamp?: number,
): void {
  f32[0] = value;
  let t = 0;
  if (timestamp !== undefined) {
    f64[0] = timestamp;
    t = mix(f64bits[0] ^ mix(f64bits[1]));
  }
  const hi = combine(0x243f6a88, userId, movieId, f32bits[0], t);
  const lo = combine(0x85a308d3, movieId, userId, f32bits[0], t);
  d.hi = (d.hi + sign * hi) >>> 0;
  d.lo = (d.lo + sign * lo) >>> 0;
}

export function emptyDigest(): Digest {
  return { hi: 0, lo: 0 };
}

/** The digest of the first `length` ratings of these columns. */
export function ratingSetDigest(
  userIds: ArrayLike<number>,
  movieIds: ArrayLike<number>,
  values: ArrayLike<number>,
  length: number,
  timestamps?: ArrayLike<number>,
): Digest {
  const d = emptyDigest();
  for (let t = 0; t < length; t++) {
    digestRating(d, 1, userIds[t], movieIds[t], values[t], timestamps?.[t]);
  }
  return d;
}

/** 16 lower-case hex digits. */
export function digestHex(d: Digest): string {
  return d.hi.toString(16).padStart(8, '0') + d.lo.toString(16).padStart(8, '0');
}
