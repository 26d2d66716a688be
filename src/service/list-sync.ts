import type { Logger } from 'pino';
import type { LiveModel } from '../engine/live-model.ts';
import type { Side } from '../engine/matrix.ts';
import { listEnd, listStart } from '../engine/neighbours.ts';
import type { ListStamp, NeighbourStore, StoredList } from '../store/neighbour-store.ts';

const SIDES: ReadonlyArray<Side> = ['item', 'user'];
/** Fields per HSET/HMGET when moving every list at start. */
const BATCH = 1000;
/** Batches a warm start reads at once. */
const LOADS_IN_FLIGHT = 4;
/** How long readers may go on using a replaced version's lists. */
export const PREVIOUS_VERSION_TTL_SECONDS = 600;

/**
 * Keeps a NeighbourStore in step with the live model's lists for one model version. Every
 * list written carries the stamp of the ratings it reflects (the live model's rating-set
 * digest) and this replica's place in the rating order; a list read is installed only when
 * its digest is the reader's own, so a list computed from other ratings (by a replica that
 * lags or leads, or kept by a Redis restarted from old data) is never served: it is
 * computed here instead and written back. Nothing is deleted: an invalidated list's stamp
 * already says it is stale. Writes are batched per flush and flushes run one after
 * another; when the store cannot be reached, reads fall back to computing lists here and
 * what was not written is written by a later flush, if it is still current then.
 */
export class ListSync {
  private readonly put: Record<Side, Set<number>> = { item: new Set(), user: new Set() };
  private chain: Promise<void> = Promise.resolve();
  /** Lists read from the store and installed, and those refused as stale (for tests, metrics). */
  readonly installs = { taken: 0, stale: 0 };

  constructor(
    readonly store: NeighbourStore,
    readonly version: string,
    private readonly live: LiveModel,
    private readonly logger: Logger | null,
    /** This replica's place in the rating order (its clock's position). */
    private readonly position: () => number = () => 0,
  ) {
    live.onListChange((side, a, change) => {
      const id = this.idOf(side, a);
      if (change === 'recomputed') this.put[side].add(id);
      else this.put[side].delete(id);
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
      const batches: number[] = [];
      for (let from = 0; from < n; from += BATCH) batches.push(from);
      // a few batches in flight: one at a time, the round trips were most of a warm start
      const load = async (): Promise<void> => {
        for (let from = batches.shift(); from !== undefined; from = batches.shift()) {
          const entities = Array.from({ length: Math.min(BATCH, n - from) }, (_, t) => from + t);
          const stored = await this.store.getLists(
            this.version,
            side,
            entities.map((a) => this.idOf(side, a)),
          );
          const digest = this.live.digest;
          stored.forEach((list, t) => {
            if (list && this.install(side, entities[t], list, digest)) loaded++;
          });
        }
      };
      await Promise.all(Array.from({ length: LOADS_IN_FLIGHT }, load));
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
      const stamp = this.stamp();
      for (let a = start; a < Math.min(to, start + BATCH); a++) {
        // a list left for its first read is not known yet: it is written once computed
        if (!this.live.isListCurrent(side, a)) continue;
        entries.push({ id: this.idOf(side, a), list: this.storedList(side, a, stamp) });
      }
      if (entries.length > 0) await this.store.putLists(this.version, side, entries, 'create');
      onBatch(Math.min(to, start + BATCH) - start);
    }
  }

  /** Whether lists are waiting to be written (the store was unreachable). */
  get behind(): boolean {
    return SIDES.some((side) => this.put[side].size > 0);
  }

  /**
   * Writes the lists recomputed since the last flush that are still current, stamped with
   * the ratings they reflect; resolves once the store has them, or once the failure is
   * logged (what failed stays queued for the next flush, which writes it if it is still
   * current then).
   */
  flush(): Promise<void> {
    // nothing waits to be written: the writes under way (if any) hold every list recomputed
    // so far, so waiting for them is enough. Each rating's commit calls this, and so does
    // each applied batch: without this, every rating queued a run of its own.
    if (!this.behind) return this.chain;
    const run = async () => {
      // take every list and its stamp before the first await: ratings applied while the
      // writes are in flight cannot slip into a list stamped with the digest before them
      const stamp = this.stamp();
      const batches = SIDES.map((side) => {
        const ids = [...this.put[side]];
        this.put[side].clear();
        const entries = [];
        for (const id of ids) {
          const a = this.indexOf(side, id);
          if (a >= 0 && this.live.isListCurrent(side, a)) {
            entries.push({ id, list: this.storedList(side, a, stamp) });
          }
        }
        return { side, entries };
      });
      let failure: unknown = null;
      for (const { side, entries } of batches) {
        if (entries.length === 0) continue;
        try {
          await this.store.putLists(this.version, side, entries, 'existing');
        } catch (err) {
          for (const e of entries) this.put[side].add(e.id);
          failure = err;
        }
      }
      if (failure) throw failure;
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
    // the ratings now, after the await: nothing is applied while this batch is installed
    const digest = this.live.digest;
    stored.forEach((list, t) => {
      // a list another read installed meanwhile is current already
      if (this.live.isListCurrent(side, wanted[t])) return;
      if (!list || !this.install(side, wanted[t], list, digest)) missing.push(wanted[t]);
    });
    if (missing.length > 0) {
      this.live.ensureLists(side, missing);
      await this.flush();
    }
  }

  /**
   * Installs a stored list if it reflects exactly the ratings this replica has applied
   * now (`digest`, the live model's, taken once per batch): a list from any other state
   * is refused.
   */
  private install(side: Side, a: number, list: StoredList, digest: string): boolean {
    if (list.stamp.digest !== digest) {
      this.installs.stale++;
      return false;
    }
    const idx = new Int32Array(list.ids.length);
    for (let t = 0; t < list.ids.length; t++) {
      idx[t] = this.indexOf(side, list.ids[t]);
      if (idx[t] < 0) return false;
    }
    this.live.loadList(side, a, idx, list.sims, list.supports);
    this.installs.taken++;
    return true;
  }

  /** What a list computed now reflects. */
  private stamp(): ListStamp {
    return { digest: this.live.digest, position: this.position() };
  }

  private storedList(side: Side, a: number, stamp: ListStamp): StoredList {
    const lists = this.live.model[side]?.lists;
    if (!lists)
      return {
        ids: new Int32Array(0),
        sims: new Float32Array(0),
        supports: new Int32Array(0),
        stamp,
      };
    const start = listStart(lists, a);
    const end = listEnd(lists, a);
    const ids = new Int32Array(end - start);
    for (let q = start; q < end; q++) ids[q - start] = this.idOf(side, lists.idx[q]);
    return {
      ids,
      sims: lists.sim.slice(start, end),
      supports: lists.support.slice(start, end),
      stamp,
    };
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
