import type { Logger } from 'pino';
import type { Side } from '../engine/matrix.ts';
import { listEnd, listStart } from '../engine/neighbours.ts';
import type { NeighbourStore, StoredList } from '../store/neighbour-store.ts';
import type { LiveModel } from './live-model.ts';

const SIDES: ReadonlyArray<Side> = ['item', 'user'];
/** Fields per HSET/HMGET when moving every list at start. */
const BATCH = 1000;
/** How long readers may go on using a replaced version's lists. */
export const PREVIOUS_VERSION_TTL_SECONDS = 600;

/**
 * Keeps a NeighbourStore in step with the live model's lists for one model version:
 * every list the model recomputes is written, every list it invalidates is deleted, so
 * the store holds only lists that are exact for the current ratings. Writes are batched
 * per flush and flushes run one after another. When the store cannot be reached, reads
 * fall back to computing lists here and failed writes are logged (the store then lags
 * until the next publish).
 */
export class ListSync {
  private readonly put: Record<Side, Set<number>> = { item: new Set(), user: new Set() };
  private readonly drop: Record<Side, Set<number>> = { item: new Set(), user: new Set() };
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly store: NeighbourStore,
    readonly version: string,
    private readonly live: LiveModel,
    private readonly logger: Logger | null,
  ) {
    live.onListChange((side, a, change) => {
      const id = this.idOf(side, a);
      if (change === 'recomputed') {
        this.put[side].add(id);
        this.drop[side].delete(id);
      } else {
        this.drop[side].add(id);
        this.put[side].delete(id);
      }
    });
  }

  /**
   * Brings the live model's lists from the store when it holds this version (a warm
   * start) and returns how many were loaded; lists it lacks stay to be computed on read.
   */
  async loadAll(): Promise<number> {
    if ((await this.store.currentVersion()) !== this.version) return 0;
    let loaded = 0;
    for (const side of SIDES) {
      const n = this.entityCount(side);
      for (let from = 0; from < n; from += BATCH) {
        const entities = Array.from({ length: Math.min(BATCH, n - from) }, (_, t) => from + t);
        const stored = await this.store.getLists(
          this.version,
          side,
          entities.map((a) => this.idOf(side, a)),
        );
        stored.forEach((list, t) => {
          if (list && this.install(side, entities[t], list)) loaded++;
        });
      }
    }
    return loaded;
  }

  /** Writes every list of the model under this version and publishes it (a cold start). */
  async publishAll(
    meta: Readonly<Record<string, string>>,
    onProgress?: (done: number, total: number) => void,
  ): Promise<void> {
    const total = SIDES.reduce((n, side) => n + this.entityCount(side), 0);
    let done = 0;
    onProgress?.(0, total);
    for (const side of SIDES) {
      await this.putRange(side, 0, this.entityCount(side), (written) => {
        done += written;
        onProgress?.(done, total);
      });
    }
    await this.store.putMeta(this.version, meta);
    await this.store.publish(this.version, PREVIOUS_VERSION_TTL_SECONDS);
    this.put.item.clear();
    this.put.user.clear();
  }

  /**
   * Computes the lists of entities [from, to) of a side (each exactly as a read would)
   * and writes them under this version: one share of a distributed build.
   */
  async writeRange(side: Side, from: number, to: number): Promise<number> {
    const end = Math.min(to, this.entityCount(side));
    this.live.ensureLists(side, indexes(from, end));
    await this.putRange(side, from, end);
    return Math.max(0, end - from);
  }

  /** Writes the lists of entities [from, to) as they are in the model, BATCH at a time. */
  private async putRange(
    side: Side,
    from: number,
    to: number,
    onBatch: (written: number) => void = () => {},
  ): Promise<void> {
    for (let start = from; start < to; start += BATCH) {
      const entries = [];
      for (let a = start; a < Math.min(to, start + BATCH); a++) {
        entries.push({ id: this.idOf(side, a), list: this.storedList(side, a) });
      }
      await this.store.putLists(this.version, side, entries);
      onBatch(entries.length);
    }
  }

  /** Whether changes are waiting to be sent (the store was unreachable). */
  get behind(): boolean {
    return SIDES.some((side) => this.put[side].size > 0 || this.drop[side].size > 0);
  }

  /**
   * Sends what changed since the last flush; resolves once the store has it, or once the
   * failure is logged (what failed stays queued for the next flush).
   */
  flush(): Promise<void> {
    const run = async () => {
      for (const side of SIDES) {
        const puts = [...this.put[side]];
        const drops = [...this.drop[side]];
        this.put[side].clear();
        this.drop[side].clear();
        try {
          if (drops.length > 0) await this.store.deleteLists(this.version, side, drops);
          if (puts.length > 0) {
            const entries = puts.map((id) => ({
              id,
              list: this.storedList(side, this.indexOf(side, id)),
            }));
            await this.store.putLists(this.version, side, entries);
          }
        } catch (err) {
          // keep what was not sent (unless a newer change superseded it) for the next
          // flush, so the store catches up once it is back
          for (const id of drops) if (!this.put[side].has(id)) this.drop[side].add(id);
          for (const id of puts) if (!this.drop[side].has(id)) this.put[side].add(id);
          throw err;
        }
      }
    };
    this.chain = this.chain.then(run, run).catch((err: unknown) => {
      this.logger?.warn({ err }, 'could not write neighbour lists to the store');
    });
    return this.chain;
  }

  /**
   * The lists of these entities, read from the store in one round trip; those it lacks
   * (invalidated, or never computed) are computed here and written back.
   */
  async read(side: Side, entities: ReadonlyArray<number>): Promise<void> {
    const wanted = entities.filter((a) => a >= 0 && !this.live.isListCurrent(side, a));
    if (wanted.length === 0) return;
    let stored: Array<StoredList | null>;
    try {
      stored = await this.store.getLists(
        this.version,
        side,
        wanted.map((a) => this.idOf(side, a)),
      );
    } catch (err) {
      // the store is unreachable: answer from this process, computing what is missing
      this.logger?.warn(
        { err },
        'could not read neighbour lists from the store; computing them here',
      );
      this.live.ensureLists(side, wanted);
      return;
    }
    const missing: number[] = [];
    stored.forEach((list, t) => {
      if (!list || !this.install(side, wanted[t], list)) missing.push(wanted[t]);
    });
    if (missing.length > 0) {
      this.live.ensureLists(side, missing);
      await this.flush();
    }
  }

  private install(side: Side, a: number, list: StoredList): boolean {
    const idx = new Int32Array(list.ids.length);
    for (let t = 0; t < list.ids.length; t++) {
      idx[t] = this.indexOf(side, list.ids[t]);
      if (idx[t] < 0) return false;
    }
    this.live.loadList(side, a, idx, list.sims, list.supports);
    return true;
  }

  private storedList(side: Side, a: number): StoredList {
    const lists = this.live.model[side]?.lists;
    if (!lists)
      return { ids: new Int32Array(0), sims: new Float32Array(0), supports: new Int32Array(0) };
    const start = listStart(lists, a);
    const end = listEnd(lists, a);
    const ids = new Int32Array(end - start);
    for (let q = start; q < end; q++) ids[q - start] = this.idOf(side, lists.idx[q]);
    return { ids, sims: lists.sim.slice(start, end), supports: lists.support.slice(start, end) };
  }

  private entityCount(side: Side): number {
    return side === 'item' ? this.live.movieIds.length : this.live.userCount;
  }

  private idOf(side: Side, a: number): number {
    return side === 'item' ? this.live.movieIds[a] : this.live.userId(a);
  }

  private indexOf(side: Side, id: number): number {
    return side === 'item' ? this.live.itemIdx(id) : this.live.userIdx(id);
  }
}

function* indexes(from: number, to: number): Generator<number> {
  for (let a = from; a < to; a++) yield a;
}
