import type { Side } from '../engine/matrix.ts';
import type { NeighbourStore, StoredList } from './neighbour-store.ts';

/** The reference NeighbourStore: process memory, the same semantics as the Redis one. */
export class MemoryNeighbourStore implements NeighbourStore {
  readonly kind = 'memory';
  private readonly lists = new Map<string, Map<string, StoredList>>();
  private current: string | null = null;

  async getLists(
    version: string,
    side: Side,
    ids: ReadonlyArray<number>,
  ): Promise<Array<StoredList | null>> {
    const lists = this.lists.get(version);
    return ids.map((id) => lists?.get(`${side}:${id}`) ?? null);
  }

  async putLists(
    version: string,
    side: Side,
    entries: ReadonlyArray<{ id: number; list: StoredList }>,
    mode: 'create' | 'existing' = 'existing',
  ): Promise<void> {
    let lists = this.lists.get(version);
    if (!lists) {
      if (mode !== 'create') return;
      lists = new Map();
      this.lists.set(version, lists);
    }
    for (const { id, list } of entries) {
      const key = `${side}:${id}`;
      const held = lists.get(key);
      if (!held || held.stamp.position <= list.stamp.position) lists.set(key, copy(list));
    }
  }

  async deleteLists(version: string, side: Side, ids: ReadonlyArray<number>): Promise<void> {
    const lists = this.lists.get(version);
    for (const id of ids) lists?.delete(`${side}:${id}`);
  }

  private readonly meta = new Map<string, Record<string, string>>();

  async putMeta(version: string, meta: Readonly<Record<string, string>>): Promise<void> {
    this.meta.set(version, { ...this.meta.get(version), ...meta });
    if (!this.lists.has(version)) this.lists.set(version, new Map());
  }

  async getMeta(version: string): Promise<Record<string, string> | null> {
    const m = this.meta.get(version);
    return m && Object.keys(m).length > 0 ? { ...m } : null;
  }

  async versions(): Promise<string[]> {
    return [...this.lists.keys()].sort();
  }

  async currentVersion(): Promise<string | null> {
    return this.current;
  }

  /** The previous version is dropped at once: memory has no readers left behind. */
  async publish(version: string, _previousTtlSeconds: number): Promise<void> {
    const previous = this.current;
    this.current = version;
    if (previous !== null && previous !== version) {
      this.lists.delete(previous);
      this.meta.delete(previous);
    }
  }

  async close(): Promise<void> {}
}

function copy(list: StoredList): StoredList {
  return {
    ids: list.ids.slice(),
    sims: list.sims.slice(),
    supports: list.supports.slice(),
    stamp: { ...list.stamp },
  };
}
