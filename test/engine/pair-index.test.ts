import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PairIndex } from '../../src/engine/pair-index.ts';

/** Keys as the live model makes them: user * movies + movie, up to 2^53. */
const key = fc.oneof(
  fc.integer({ min: 0, max: 64 }),
  fc.integer({ min: 0, max: 2 ** 40 }),
  fc.constantFrom(2 ** 53 - 1, 2 ** 32, 2 ** 32 - 1),
);

/**
 * Columns kept as the live model keeps its ratings: appended at the end, removed by
 * moving the last one into the hole, with the index told of every move.
 */
function columns(expected: number) {
  const keys: number[] = [];
  const index = new PairIndex((p) => keys[p], expected);
  return {
    keys,
    index,
    insert(k: number): void {
      if (index.get(k) !== undefined) return;
      keys.push(k);
      index.set(k, keys.length - 1);
    },
    remove(k: number): boolean {
      const p = index.get(k);
      if (p === undefined) return false;
      index.delete(k);
      const last = keys.length - 1;
      if (p !== last) {
        keys[p] = keys[last];
        index.set(keys[p], p);
      }
      keys.pop();
      return true;
    },
  };
}

describe('PairIndex', () => {
  it('given any sequence of inserts and swap-removals, when read, then every key leads to its position and no other key is found', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ op: fc.constantFrom('insert', 'remove'), key }), { maxLength: 400 }),
        fc.integer({ min: 1, max: 64 }),
        (ops, expected) => {
          const c = columns(expected);
          const reference = new Set<number>();
          for (const o of ops) {
            if (o.op === 'insert') {
              c.insert(o.key);
              reference.add(o.key);
            } else {
              expect(c.remove(o.key)).toBe(reference.delete(o.key));
            }
          }
          expect(c.index.size).toBe(reference.size);
          expect(c.keys.length).toBe(reference.size);
          for (const o of ops) {
            const p = c.index.get(o.key);
            if (reference.has(o.key)) expect(c.keys[p as number]).toBe(o.key);
            else expect(p).toBeUndefined();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('given a dense block of user x movie keys, when set, then every one is found and a key never set is not', () => {
    const c = columns(16);
    const movies = 59_047;
    for (let u = 0; u < 300; u++) for (let i = 0; i < 1000; i++) c.insert(u * movies + i * 7);
    expect(c.index.size).toBe(300_000);
    for (let u = 0; u < 300; u += 37)
      for (let i = 0; i < 1000; i += 101) {
        expect(c.keys[c.index.get(u * movies + i * 7) as number]).toBe(u * movies + i * 7);
      }
    expect(c.index.get(5 * movies + 1)).toBeUndefined();
  });
});
