import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopK } from '../../src/engine/top-k.ts';

function drain(top: TopK): Array<[number, number]> {
  const ids = new Int32Array(top.size);
  const keys = new Float64Array(top.size);
  const count = top.drainSorted(ids, keys);
  return Array.from({ length: count }, (_, t) => [ids[t], keys[t]]);
}

describe('TopK', () => {
  it('given more candidates than capacity, when offering, then keeps the k with the highest keys', () => {
    const top = new TopK(3);
    const keys = [0.1, 0.9, 0.5, 0.3, 0.7, 0.2];
    keys.forEach((k, id) => {
      top.offer(k, id);
    });
    expect(drain(top)).toEqual([
      [1, 0.9],
      [4, 0.7],
      [2, 0.5],
    ]);
  });

  it('given equal keys, when the capacity cuts between them, then the lower ids are kept', () => {
    const top = new TopK(2);
    for (const id of [5, 3, 9, 1, 7]) top.offer(1, id);
    expect(drain(top)).toEqual([
      [1, 1],
      [3, 1],
    ]);
  });

  it('given equal keys, when draining, then the lower id comes first', () => {
    const top = new TopK(4);
    top.offer(2, 8);
    top.offer(1, 0);
    top.offer(2, 3);
    top.offer(2, 5);
    expect(drain(top)).toEqual([
      [3, 2],
      [5, 2],
      [8, 2],
      [0, 1],
    ]);
  });

  it('given fewer candidates than capacity, when draining, then returns all of them best first and empties the heap', () => {
    const top = new TopK(10);
    top.offer(-1, 2);
    top.offer(3, 7);
    top.offer(0, 4);
    expect(drain(top)).toEqual([
      [7, 3],
      [4, 0],
      [2, -1],
    ]);
    expect(top.size).toBe(0);
  });

  it('given an offset, when draining, then writes from that offset on', () => {
    const top = new TopK(2);
    top.offer(1, 1);
    top.offer(2, 2);
    const ids = [-1, -1, -1, -1];
    const keys = [0, 0, 0, 0];
    expect(top.drainSorted(ids, keys, 1)).toBe(2);
    expect(ids).toEqual([-1, 2, 1, -1]);
    expect(keys).toEqual([0, 2, 1, 0]);
  });

  it('given capacity 0, when offering, then keeps nothing', () => {
    const top = new TopK(0);
    top.offer(1, 1);
    expect(top.size).toBe(0);
    expect(drain(top)).toEqual([]);
  });

  it('given a cleared heap, when reused, then earlier candidates are forgotten', () => {
    const top = new TopK(2);
    top.offer(9, 9);
    top.clear();
    top.offer(1, 1);
    expect(drain(top)).toEqual([[1, 1]]);
  });

  it('given random keys, when offering them all, then drains the same as sorting by key then id and taking k', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        // small key range so ties are common
        fc.array(
          fc.integer({ min: -4, max: 4 }).map((k) => k / 2),
          { maxLength: 40 },
        ),
        (k, keys) => {
          const top = new TopK(k);
          keys.forEach((key, id) => {
            top.offer(key, id);
          });
          const expected = keys
            .map((key, id): [number, number] => [id, key])
            .sort((a, b) => b[1] - a[1] || a[0] - b[0])
            .slice(0, k);
          expect(drain(top)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('given one heap reused for several batches, when draining after each, then every batch matches its own sort', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { maxLength: 15 }), {
          maxLength: 4,
        }),
        (k, batches) => {
          const top = new TopK(k);
          for (const keys of batches) {
            keys.forEach((key, id) => {
              top.offer(key, id);
            });
            const expected = keys
              .map((key, id): [number, number] => [id, key])
              .sort((a, b) => b[1] - a[1] || a[0] - b[0])
              .slice(0, k);
            expect(drain(top)).toEqual(expected);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
