import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PairIndex } from '../../src/engine/pair-index.ts';

/** Keys as the live model makes them: user * movies + movie, up to 2^53. */
const key = fc.oneof(
  fc.integer({ min: 0, max: 64 }),
  fc.integer({ min: 0, max: 2 ** 40 }),
  fc.constantFrom(2 ** 53 - 1, 2 ** 32, 2 ** 32 - 1),
);

describe('PairIndex', () => {
  it('given any sequence of sets and deletes, when read, then it answers as a Map does', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('set' as const), key, value: fc.integer() }),
            fc.record({ op: fc.constant('delete' as const), key }),
          ),
          { maxLength: 400 },
        ),
        (ops) => {
          const index = new PairIndex(4);
          const reference = new Map<number, number>();
          for (const o of ops) {
            if (o.op === 'set') {
              index.set(o.key, o.value);
              reference.set(o.key, o.value | 0);
            } else {
              expect(index.delete(o.key)).toBe(reference.delete(o.key));
            }
          }
          expect(index.size).toBe(reference.size);
          for (const o of ops) expect(index.get(o.key)).toBe(reference.get(o.key));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('given a dense block of user x movie keys, when set, then every one is found and a key never set is not', () => {
    const index = new PairIndex();
    const movies = 59_047;
    for (let u = 0; u < 300; u++)
      for (let i = 0; i < 1000; i++) index.set(u * movies + i * 7, u + i);
    expect(index.size).toBe(300_000);
    for (let u = 0; u < 300; u += 37)
      for (let i = 0; i < 1000; i += 101) {
        expect(index.get(u * movies + i * 7)).toBe(u + i);
      }
    expect(index.get(5 * movies + 1)).toBeUndefined();
  });
});
