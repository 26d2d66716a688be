/**
 * Bounded selection of the k best (key, id) pairs: higher key first, ties to the lower id,
 * so every ranking in the engine is deterministic. A binary heap keeps the current worst
 * at its root, which costs O(n log k) and allocates nothing per element.
 */
export class TopK {
  readonly keys: Float64Array;
  readonly ids: Int32Array;
  size = 0;

  constructor(readonly capacity: number) {
    this.keys = new Float64Array(Math.max(1, capacity));
    this.ids = new Int32Array(Math.max(1, capacity));
  }

  clear(): void {
    this.size = 0;
  }

  /** Offers a candidate; keeps it if it beats the current worst or there is room. */
  offer(key: number, id: number): void {
    if (this.capacity === 0) return;
    if (this.size < this.capacity) {
      let c = this.size++;
      // sift up: parents must be worse than children
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (!worse(key, id, this.keys[parent], this.ids[parent])) break;
        this.keys[c] = this.keys[parent];
        this.ids[c] = this.ids[parent];
        c = parent;
      }
      this.keys[c] = key;
      this.ids[c] = id;
      return;
    }
    if (!worse(this.keys[0], this.ids[0], key, id)) return;
    this.siftDown(0, key, id, this.size);
  }

  private siftDown(start: number, key: number, id: number, size: number): void {
    let c = start;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= size) break;
      let m = l;
      const r = l + 1;
      if (r < size && worse(this.keys[r], this.ids[r], this.keys[l], this.ids[l])) m = r;
      if (!worse(this.keys[m], this.ids[m], key, id)) break;
      this.keys[c] = this.keys[m];
      this.ids[c] = this.ids[m];
      c = m;
    }
    this.keys[c] = key;
    this.ids[c] = id;
  }

  /** Empties the heap into `outIds`/`outKeys` in no particular order and returns the count. */
  drainUnordered(outIds: Int32Array, outKeys: Float64Array): number {
    const n = this.size;
    outIds.set(this.ids.subarray(0, n));
    outKeys.set(this.keys.subarray(0, n));
    this.size = 0;
    return n;
  }

  /** Whether a candidate with this key could enter: the heap has room or it ties or beats the worst. */
  admits(key: number): boolean {
    return this.size < this.capacity || key >= this.keys[0];
  }

  /**
   * Empties the heap into `outIds`/`outKeys` from best to worst and returns the count.
   * Pops the worst repeatedly and writes from the back.
   */
  drainSorted(
    outIds: Int32Array | number[],
    outKeys: Float64Array | Float32Array | number[],
    offset = 0,
  ): number {
    const n = this.size;
    for (let end = n - 1; end >= 0; end--) {
      outIds[offset + end] = this.ids[0];
      outKeys[offset + end] = this.keys[0];
      const lastKey = this.keys[end];
      const lastId = this.ids[end];
      this.siftDown(0, lastKey, lastId, end);
    }
    this.size = 0;
    return n;
  }
}

/** Whether (k1, id1) ranks below (k2, id2): the engine's one ranking order. */
export function worse(k1: number, id1: number, k2: number, id2: number): boolean {
  return k1 < k2 || (k1 === k2 && id1 > id2);
}
