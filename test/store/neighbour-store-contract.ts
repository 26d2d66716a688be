import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NeighbourStore, StoredList } from '../../src/store/neighbour-store.ts';

export function list(entries: ReadonlyArray<readonly [number, number, number]>): StoredList {
  return {
    ids: Int32Array.from(entries, (e) => e[0]),
    sims: Float32Array.from(entries, (e) => e[1]),
    supports: Int32Array.from(entries, (e) => e[2]),
  };
}

export function plain(l: StoredList | null) {
  return (
    l && { ids: Array.from(l.ids), sims: Array.from(l.sims), supports: Array.from(l.supports) }
  );
}

/** The behaviour every NeighbourStore must have; run against each implementation. */
export function describeNeighbourStore(
  name: string,
  make: () => Promise<{ store: NeighbourStore; cleanup: () => Promise<void> }>,
): void {
  describe(`${name} NeighbourStore`, () => {
    let store: NeighbourStore;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await make());
    });
    afterAll(async () => {
      await cleanup?.();
    });

    it('given lists written for a version, when read back in any order, then each comes back exactly and missing ones are null', async () => {
      const a = list([
        [20, 0.5, 3],
        [30, 0.25, 1],
      ]);
      const b = list([]);
      await store.putLists('v-read', 'item', [
        { id: 10, list: a },
        { id: 11, list: b },
      ]);
      const got = await store.getLists('v-read', 'item', [11, 99, 10]);
      expect(got.map(plain)).toEqual([plain(b), null, plain(a)]);
      expect(await store.getLists('v-read', 'user', [10])).toEqual([null]);
      expect(await store.getLists('v-other', 'item', [10])).toEqual([null]);
    });

    it('given a stored list, when it is written again or deleted, then the read sees the change', async () => {
      await store.putLists('v-write', 'user', [{ id: 1, list: list([[2, 0.9, 4]]) }]);
      await store.putLists('v-write', 'user', [{ id: 1, list: list([[3, 0.8, 2]]) }]);
      expect(plain((await store.getLists('v-write', 'user', [1]))[0])).toEqual(
        plain(list([[3, 0.8, 2]])),
      );
      await store.deleteLists('v-write', 'user', [1]);
      expect(await store.getLists('v-write', 'user', [1])).toEqual([null]);
    });

    it('given two versions, when the second is published, then it is current and the first is no longer current', async () => {
      await store.publish('v-one', 60);
      expect(await store.currentVersion()).toBe('v-one');
      await store.publish('v-two', 60);
      expect(await store.currentVersion()).toBe('v-two');
    });

    it('given meta written in two steps for a version, when read, then both fields are there and other versions have none', async () => {
      await store.putMeta('v-meta', { weights: '1,2' });
      await store.putMeta('v-meta', { built: 'x' });
      await store.putMeta('v-meta', {});
      expect(await store.getMeta('v-meta')).toEqual({ weights: '1,2', built: 'x' });
      expect(await store.getMeta('v-none')).toBeNull();
    });

    it('given random lists, when stored and read, then they round-trip (Float32 similarities exactly)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.tuple(
              fc.integer({ min: 1, max: 2 ** 31 - 1 }),
              fc.float({ min: 0, max: 1, noNaN: true }),
              fc.nat(),
            ),
            {
              maxLength: 60,
            },
          ),
          async (entries) => {
            const l = list(entries);
            await store.putLists('v-prop', 'item', [{ id: 7, list: l }]);
            expect(plain((await store.getLists('v-prop', 'item', [7]))[0])).toEqual(plain(l));
          },
        ),
        { numRuns: 40 },
      );
    });
  });
}
