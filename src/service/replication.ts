import type { Logger } from 'pino';
import { editRanksAfter, latestByPair } from '../engine/rating-order.ts';
import type { RatingEvent } from '../store/rating-event.ts';
import type { RatingStream } from '../store/rating-stream.ts';

/** How long published events are kept to check they survived a failover. */
const RECENT_MS = 30_000;

/**
 * Entries stay in the stream at least this long, whatever STREAM_COMPACT_MIN_AGE_MS
 * says: republishIfDropped looks for this replica's entries of the last RECENT_MS, and
 * one trimmed would look lost in a failover (and go out again). The margin covers the
 * clocks of the replicas and of Redis (entry ids) running apart.
 */
export const MIN_STREAM_AGE_MS = RECENT_MS + 10_000;

/** Timer ticks (seconds) between compactions of the stream. */
const COMPACT_EVERY_TICKS = 10;

/** What replication needs from the service it keeps in step with the others. */
export interface ReplicaHooks {
  /** Applies other replicas' accepted events (last writer in the rating order wins). */
  apply(events: RatingEvent[]): void;
  /** Writes the lists that changed to the shared store. */
  flushLists(): Promise<void>;
  /** Whether lists wait to be written to the shared store. */
  listsBehind(): boolean;
  /** Every event this replica's journal acknowledged. */
  acknowledgedEvents(): Promise<RatingEvent[]>;
}

/**
 * Keeps replicas in step through the shared rating stream: publishes the ratings this
 * replica accepts (holding them in an outbox while Redis is away), applies the ones the
 * others accepted, republishes what Redis lost (an empty restart, or the last entries of
 * a master that failed over), retries undone work every second, and compacts the stream
 * every COMPACT_EVERY_TICKS seconds so Redis stays bounded.
 */
export class Replication {
  /** Accepted events the stream could not take yet (Redis away); sent on reconnection. */
  private outbox: RatingEvent[] = [];
  /**
   * This replica's events published in the last RECENT_MS, with their stream ids: Redis
   * replicates asynchronously, so a failover can lose the last entries a master
   * acknowledged. They are checked and published again if missing.
   */
  private recent: Array<{ id: string; event: RatingEvent; at: number }> = [];
  private timer: NodeJS.Timeout | null = null;
  private resyncing: Promise<void> | null = null;
  private compacting: Promise<void> | null = null;
  /** Stops a compaction under way at close(). */
  private readonly closing = new AbortController();

  constructor(
    readonly stream: RatingStream,
    private readonly hooks: ReplicaHooks,
    private readonly logger: Logger | null,
  ) {}

  /**
   * Joins the replicas: publishes the events of this replica's journal that the stream
   * lacks (`shared` is what the stream and its snapshot held when the model was loaded;
   * an event it holds, or that a change there ranks after, needs no second copy), then
   * applies what arrives from the others, from where the load stopped.
   */
  async join(own: ReadonlyArray<RatingEvent>, shared: ReadonlyArray<RatingEvent>): Promise<void> {
    // the epoch was learnt before the load (serve claims it first): if Redis lost its data
    // since, what the load read from it is gone, and every journal event goes out again
    const lost = await this.stream.lostData();
    const held = lost ? new Map<string, RatingEvent>() : latestByPair(shared);
    const missing = own.filter((e) => {
      const h = held.get(pairKey(e));
      return !h || editRanksAfter(e, h);
    });
    if (missing.length > 0) {
      this.logger?.info(
        { events: missing.length, journal: own.length },
        `publishing ${missing.length} journal events the rating stream lacks`,
      );
    }
    this.outbox.push(...missing);
    await this.publishOutbox();
    await this.stream.catchUp((events) => this.hooks.apply(events));
    this.stream.start((events) => this.hooks.apply(events));
    // Redis may come back without a reconnection event (a cluster failover moves slots
    // under a live client): look every second for work left undone, and check that
    // recent publishes survived; keep the stream bounded
    let tick = 0;
    this.timer = setInterval(() => {
      tick++;
      if (this.behind || tick % 5 === 0) void this.resync();
      if (tick % COMPACT_EVERY_TICKS === 0) void this.compact();
    }, 1000);
    this.timer.unref();
  }

  /** Publishes an event this replica accepted (durable in its journal already). */
  async accepted(event: RatingEvent): Promise<void> {
    this.outbox.push(event);
    await this.publishOutbox();
  }

  /**
   * Sends list changes and ratings Redis missed (call when it is reachable again). Never
   * rejects: what fails is logged and retried by the next call. Calls do not overlap.
   */
  resync(): Promise<void> {
    this.resyncing ??= this.resyncOnce()
      .catch((err: unknown) => {
        this.logger?.warn(
          { err: (err as Error).message },
          'redis resynchronisation failed; retrying',
        );
      })
      .finally(() => {
        this.resyncing = null;
      });
    return this.resyncing;
  }

  /**
   * Compacts the stream when it is long (RatingStream.compact, with the stream's options
   * and a minimum age of at least MIN_STREAM_AGE_MS). Never rejects: a failure is logged
   * and the next tick tries again. Calls do not overlap.
   */
  compact(): Promise<void> {
    this.compacting ??= this.compactOnce()
      .catch((err: unknown) => {
        this.logger?.warn({ err: (err as Error).message }, 'rating stream compaction failed');
      })
      .finally(() => {
        this.compacting = null;
      });
    return this.compacting;
  }

  private async compactOnce(): Promise<void> {
    const { maxEntries, minAgeMs } = this.stream.compaction;
    const options = { maxEntries, minAgeMs: Math.max(minAgeMs, MIN_STREAM_AGE_MS) };
    const result = await this.stream.compact(options, this.closing.signal);
    if (result.merged > 0 || result.trimmed > 0) {
      this.logger?.info(
        { merged: result.merged, trimmed: result.trimmed },
        `rating stream compacted: ${result.merged} entries merged into the snapshot, ${result.trimmed} trimmed`,
      );
    }
  }

  private async resyncOnce(): Promise<void> {
    await this.republishIfLost();
    await this.republishIfDropped();
    await this.hooks.flushLists();
    await this.publishOutbox();
  }

  /** Whether Redis lags behind this process: list changes or ratings not sent yet. */
  get behind(): boolean {
    return this.hooks.listsBehind() || this.outbox.length > 0;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.closing.abort();
    await this.compacting;
    await this.stream.stop();
  }

  /**
   * A Redis that comes back empty has lost the ratings of the stream, including those
   * this replica published. Other replicas only learn them from the stream, so the
   * journal goes out again (applying twice is harmless).
   */
  private async republishIfLost(): Promise<void> {
    let lost: boolean;
    try {
      lost = await this.stream.lostData();
    } catch {
      return; // still away: the next reconnection asks again
    }
    if (!lost) return;
    const events = await this.hooks.acknowledgedEvents();
    this.outbox = [...events, ...this.outbox];
    this.logger?.warn(
      { events: events.length },
      `redis lost the rating stream: publishing the journal's ${events.length} events again`,
    );
  }

  /** Publishes again recent events the stream no longer holds (lost in a failover). */
  private async republishIfDropped(): Promise<void> {
    // entries are in publishing order: drop the expired prefix in one step
    const cutoff = Date.now() - RECENT_MS;
    const firstKept = this.recent.findIndex((r) => r.at >= cutoff);
    if (firstKept !== 0) this.recent = firstKept < 0 ? [] : this.recent.slice(firstKept);
    if (this.recent.length === 0) return;
    const checked = this.recent;
    let present: Set<string>;
    try {
      present = await this.stream.idsSince(checked[0].id);
    } catch {
      return; // unreachable: the next tick asks again
    }
    const dropped = checked.filter((r) => !present.has(r.id));
    if (dropped.length === 0) return;
    const lost = new Set(dropped);
    this.recent = this.recent.filter((r) => !lost.has(r));
    this.outbox = [...dropped.map((r) => r.event), ...this.outbox];
    this.logger?.warn(
      { events: dropped.length },
      `${dropped.length} recent ratings were missing from the rating stream (a failover lost them): publishing them again`,
    );
  }

  private async publishOutbox(): Promise<void> {
    if (this.outbox.length === 0) return;
    const batch = this.outbox;
    this.outbox = [];
    try {
      const ids = await this.stream.publish(batch);
      const at = Date.now();
      ids.forEach((id, k) => {
        this.recent.push({ id, event: batch[k], at });
      });
    } catch (err) {
      this.outbox = [...batch, ...this.outbox];
      this.logger?.warn(
        { err: (err as Error).message, waiting: this.outbox.length },
        'rating stream unreachable',
      );
    }
  }
}

function pairKey(e: RatingEvent): string {
  return `${e.userId}:${e.movieId}`;
}
