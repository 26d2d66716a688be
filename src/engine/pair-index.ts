/**
 * A map from (user, movie) keys to the position of their rating in the live model's
 * columns, on one Int32Array of slots: open addressing with linear probing and
 * backward-shift deletion, so no tombstones pile up. A slot holds only position + 1; the
 * key of a position is read back from the columns (`keyAt`), so an entry costs 4 bytes a
 * slot instead of a stored 8-byte key: at MovieLens-25M that is 270 MB instead of 870.
 * (A JS Map holds at most 2^24 entries, fewer than the ratings of ML-25M.)
 *
 * The contract with the columns: `set(key, p)` is called once position p holds that key,
 * and a position's key does not change while the index points at it; to move a rating,
 * write its new position, `set` it there, and only then reuse the old one.
 */
export class PairIndex {
  private slots: Int32Array;
  private count = 0;
  private mask: number;

  /** `keyAt(p)`: the key of the rating at position p; `expected`: entries to make room for. */
  constructor(
    private readonly keyAt: (p: number) => number,
    expected = 16,
  ) {
    this.slots = new Int32Array(capacityFor(expected));
    this.mask = this.slots.length - 1;
  }

  get size(): number {
    return this.count;
  }

  get(key: number): number | undefined {
    const { slots, mask } = this;
    for (let s = this.slot(key); slots[s] !== 0; s = (s + 1) & mask) {
      if (this.keyAt(slots[s] - 1) === key) return slots[s] - 1;
    }
    return undefined;
  }

  set(key: number, position: number): void {
    const { slots, mask } = this;
    let s = this.slot(key);
    for (; slots[s] !== 0; s = (s + 1) & mask) {
      if (this.keyAt(slots[s] - 1) === key) {
        slots[s] = position + 1;
        return;
      }
    }
    slots[s] = position + 1;
    // at most half full, so probes stay short
    if (++this.count * 2 > slots.length) this.resize(slots.length * 2);
  }

  delete(key: number): boolean {
    const { slots, mask } = this;
    let s = this.slot(key);
    for (; slots[s] !== 0; s = (s + 1) & mask) {
      if (this.keyAt(slots[s] - 1) === key) break;
    }
    if (slots[s] === 0) return false;
    // backward shift: move later members of the run into the hole, when their home slot
    // does not lie between the hole and them
    let hole = s;
    for (let t = (s + 1) & mask; slots[t] !== 0; t = (t + 1) & mask) {
      const home = this.slot(this.keyAt(slots[t] - 1));
      const between = hole <= t ? home > hole && home <= t : home > hole || home <= t;
      if (between) continue;
      slots[hole] = slots[t];
      hole = t;
    }
    slots[hole] = 0;
    this.count--;
    return true;
  }

  private slot(key: number): number {
    // mix both 32-bit halves: keys are u * movies + i, so the low bits alone repeat
    const lo = key >>> 0;
    const hi = Math.floor(key / 4294967296) >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h & this.mask;
  }

  private resize(capacity: number): void {
    const old = this.slots;
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.count = 0;
    for (let s = 0; s < old.length; s++) {
      if (old[s] !== 0) this.set(this.keyAt(old[s] - 1), old[s] - 1);
    }
  }
}

/** The smallest power of two at least twice `expected` (and 16). */
function capacityFor(expected: number): number {
  let capacity = 16;
  while (capacity < expected * 2) capacity *= 2;
  return capacity;
}
