import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListStamp, NeighbourStore, StoredList } from '../../src/store/neighbour-store.ts';

export function list(
  entries: ReadonlyArray<readonly [number, number, number]>,
  stamp: ListStamp = { digest: '00000000000000aa', position: 0 },
): StoredList {
  return {
    ids: Int32Array.from(entries, (e) => e[0]),
    sims: Float32Array.from(entries, (e) => e[1]),
    supports: Int32Array.from(entries, (e) => e[2]),
    stamp,
  };
}

export function plain(l: StoredList | null) {
  return (
    l && {
      ids: Array.from(l.ids),
      sims: Array.from(l.sims),
      supports: Array.from(l.supports),
      stamp: l.stamp,
    }
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
      await store.putLists(
        'v-read',
        'item',
        [
          { id: 10, list: a },
          { id: 11, list: b },
        ],
        'create',
      );
      const got = await store.getLists('v-read', 'item', [11, 99, 10]);
      expect(got.map(plain)).toEqual([plain(b), null, plain(a)]);
      expect(await store.getLists('v-read', 'user', [10])).toEqual([null]);
      expect(await store.getLists('v-other', 'item', [10])).toEqual([null]);
    });

    it('given a stored list, when it is written again or deleted, then the read sees the change', async () => {
      await store.putMeta('v-write', {});
      await store.putLists('v-write', 'user', [{ id: 1, list: list([[2, 0.9, 4]]) }]);
      await store.putLists('v-write', 'user', [{ id: 1, list: list([[3, 0.8, 2]]) }]);
      expect(plain((await store.getLists('v-write', 'user', [1]))[0])).toEqual(
        plain(list([[3, 0.8, 2]])),
      );
      await store.deleteLists('v-write', 'user', [1]);
      expect(await store.getLists('v-write', 'user', [1])).toEqual([null]);
    });

    it('given a list stamped at a later position, when a replica that lags writes its list back, then the later list stays and an equal or later one replaces it', async () => {
      const later = list([[2, 0.9, 4]], { digest: '1111111111111111', position: 2000 });
      await store.putLists('v-order', 'item', [{ id: 5, list: later }], 'create');
      const lagging = list([[3, 0.8, 1]], { digest: '2222222222222222', position: 1999 });
      await store.putLists('v-order', 'item', [{ id: 5, list: lagging }]);
      expect(plain((await store.getLists('v-order', 'item', [5]))[0])).toEqual(plain(later));
      const same = list([[4, 0.7, 2]], { digest: '3333333333333333', position: 2000 });
      await store.putLists('v-order', 'item', [{ id: 5, list: same }]);
      expect(plain((await store.getLists('v-order', 'item', [5]))[0])).toEqual(plain(same));
      const newer = list([[6, 0.6, 3]], { digest: 'ffffffffffffffff', position: 2001.5 });
      await store.putLists('v-order', 'item', [{ id: 5, list: newer }]);
      expect(plain((await store.getLists('v-order', 'item', [5]))[0])).toEqual(plain(newer));
    });

    it('given a version that does not exist, when lists are written back into it, then nothing is created; a build creates it', async () => {
      await store.putLists('v-gone', 'user', [{ id: 1, list: list([[2, 0.5, 1]]) }]);
      expect(await store.getLists('v-gone', 'user', [1])).toEqual([null]);
      expect(await store.versions()).not.toContain('v-gone');
      await store.putLists('v-gone', 'user', [{ id: 1, list: list([[2, 0.5, 1]]) }], 'create');
      expect(plain((await store.getLists('v-gone', 'user', [1]))[0])).toEqual(
        plain(list([[2, 0.5, 1]])),
      );
      expect(await store.versions()).toContain('v-gone');
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
            await store.putLists('v-prop', 'item', [{ id: 7, list: l }], 'create');
            expect(plain((await store.getLists('v-prop', 'item', [7]))[0])).toEqual(plain(l));
          },
        ),
        { numRuns: 40 },
      );
    });
  });
}
