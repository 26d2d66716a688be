import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { decodeRatingEvent, encodeRatingEvent, type RatingEvent } from './rating-event.ts';
import { compareStreamIds, laterStreamId, RatingSnapshot } from './rating-snapshot.ts';
import type { RedisClient } from './redis-client.ts';

/** When the stream is compacted: see RatingStream.compact. */
export interface CompactionOptions {
  /** Compact only while the stream holds more entries than this. */
  readonly maxEntries: number;
  /** Entries younger than this (by the stream's ids) are not merged, so not trimmed. */
  readonly minAgeMs: number;
}

/** STREAM_COMPACT_ENTRIES and STREAM_COMPACT_MIN_AGE_MS unset. */
export const DEFAULT_COMPACTION: CompactionOptions = { maxEntries: 10_000, minAgeMs: 60_000 };

export interface RatingStreamOptions {
  /** What Replication's timer passes to compact(); DEFAULT_COMPACTION if absent. */
  readonly compaction?: CompactionOptions;
}

/**
 * What one compact() call did. `short`: the stream held no more than maxEntries;
 * `locked`: another replica holds the compaction lock; `stale`: this process does not
 * know the stream's current epoch (it never claimed one, or Redis lost its data: the
 * replication's resync learns the new one and republishes the journal).
 */
export interface CompactionResult {
  readonly outcome: 'compacted' | 'short' | 'locked' | 'stale';
  /** Stream entries merged into the snapshot. */
  readonly merged: number;
  /** Stream entries trimmed. */
  readonly trimmed: number;
}

/** Entries per XRANGE page and per merge script call. */
const PAGE = 500;
/** How long the compaction lock lives unless renewed (after each merged page). */
const LOCK_MS = 30_000;
/** How often the reading loop checks that no trim overtook it. */
const COVERAGE_CHECK_MS = 1000;

/** Deletes the lock KEYS[1] if it still holds this compaction's token ARGV[1]. */
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
/** Extends the lock KEYS[1] by ARGV[2] ms if it still holds the token ARGV[1]; 1 if so. */
const RENEW_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

type LockingClient = RedisClient & {
  releaseRatingCompactionLock(key: string, token: string): Promise<number>;
  renewRatingCompactionLock(key: string, token: string, ms: number): Promise<number>;
};

/**
 * The rating log shared by replicas: a Redis Stream `<prefix>:ratings:v1` whose entries
 * carry the accepting replica (`o`) and the event in the journal's line format (`e`,
 * checksummed). Every replica reads the whole stream and applies the events other
 * replicas accepted; applying is last-writer-wins by timestamp, so order and duplicates
 * do not matter. Reading blocks, so it uses a connection of its own.
 *
 * The stream stays bounded: compact() merges old entries into a snapshot (one line per
 * (user, movie): see RatingSnapshot) and trims them, so everything ever accepted is the
 * snapshot plus the stream's tail. A reader that falls behind a trim notices (see
 * ensureCovered) and applies the snapshot again.
 */
export class RatingStream {
  /** The id of the last entry read: XREAD goes on after it. */
  private lastId = '0';
  /**
   * Every entry up to this id has been applied, read from the stream or in a snapshot
   * loaded: entries a trim removed below it are not missed.
   */
  private covered = '0';
  /** The epoch lastId and covered belong to: another one means a new stream. */
  private readEpoch: string | null = null;
  private checkedAt = 0;
  private epoch: string | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly snapshot: RatingSnapshot;
  private readonly locking: LockingClient;
  /** What Replication passes to compact(). */
  readonly compaction: CompactionOptions;

  constructor(
    private readonly redis: RedisClient,
    private readonly reader: RedisClient,
    prefix: string,
    readonly origin: string,
    private readonly logger: Logger | null,
    options: RatingStreamOptions = {},
  ) {
    this.key = `${prefix}:ratings:v1`;
    this.epochKey = `${prefix}:ratings:v1:epoch`;
    this.lockKey = `${prefix}:ratings:v1:compacting`;
    this.snapshot = new RatingSnapshot(redis, this.key, logger);
    this.compaction = options.compaction ?? DEFAULT_COMPACTION;
    if (!('releaseRatingCompactionLock' in redis)) {
      redis.defineCommand('releaseRatingCompactionLock', { numberOfKeys: 1, lua: RELEASE_LOCK });
      redis.defineCommand('renewRatingCompactionLock', { numberOfKeys: 1, lua: RENEW_LOCK });
    }
    this.locking = redis as LockingClient;
  }

  readonly key: string;
  /** A random mark set once per life of the stream: a Redis that lost its data lacks it. */
  private readonly epochKey: string;
  /** Held (SET NX PX) by the replica compacting, so replicas seldom compact at once. */
  private readonly lockKey: string;

  /** Learns the stream's epoch, setting one if there is none yet. */
  async claimEpoch(): Promise<void> {
    await this.redis.set(this.epochKey, randomUUID(), 'NX');
    this.epoch = await this.redis.get(this.epochKey);
  }

  /**
   * Whether Redis lost the stream since the epoch was learnt (it restarted empty, or was
   * flushed): then every replica must publish its journal again. Learns the new epoch.
   */
  async lostData(): Promise<boolean> {
    const now = await this.redis.get(this.epochKey);
    if (now !== null && now === this.epoch) return false;
    await this.claimEpoch();
    return true;
  }

  /**
   * Appends events and returns their entry ids, in order; rejects when Redis cannot take
   * them (the caller keeps them to retry). One key, so one pipeline even on a cluster.
   */
  async publish(events: ReadonlyArray<RatingEvent>): Promise<string[]> {
    if (events.length === 0) return [];
    const p = this.redis.pipeline();
    for (const e of events) p.xadd(this.key, '*', 'o', this.origin, 'e', encodeRatingEvent(e));
    const results = (await p.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
    return results.map(([, id]) => String(id));
  }

  /** The ids of every entry from `fromId` on (to check that recent entries survived). */
  async idsSince(fromId: string): Promise<Set<string>> {
    const ids = new Set<string>();
    let start = fromId;
    for (;;) {
      const page = await this.redis.xrange(this.key, start, '+', 'COUNT', 1000);
      for (const [id] of page) ids.add(id);
      if (page.length < 1000) return ids;
      start = `(${page[page.length - 1][0]}`;
    }
  }

  /**
   * Every event shared so far, whoever published it (what a starting replica loads with
   * the data set and its journal): the snapshot's events, then the stream's entries. The
   * mark `upto` is read before the snapshot, and the snapshot before the stream, so
   * whatever a trim removed meanwhile was merged in first; an event may come twice,
   * which applying tolerates. Later reads go on from the last stream entry read. Learns
   * the epoch if claimEpoch did not (without setting one: read-only tools call this too).
   */
  async readAll(): Promise<RatingEvent[]> {
    this.epoch ??= await this.redis.get(this.epochKey);
    const events: RatingEvent[] = [];
    const collect = (page: RatingEvent[]) => {
      for (const e of page) events.push(e);
    };
    this.restartReading();
    this.covered = (await this.loadSnapshot(collect)) ?? '0';
    let start = '-';
    for (;;) {
      const page = await this.redis.xrange(this.key, start, '+', 'COUNT', 1000);
      for (const [id, fields] of page) {
        this.lastId = id;
        const event = this.decodeEntry(id, fields);
        if (event) events.push(event);
      }
      if (page.length < 1000) break;
      start = `(${page[page.length - 1][0]}`;
    }
    // compactions that ran while the stream was read may have trimmed entries not yet
    // read and merged after the snapshot was
    await this.ensureCovered(collect);
    return events;
  }

  /** Reads everything published so far and hands other replicas' events to `apply`. */
  async catchUp(apply: (events: RatingEvent[]) => void): Promise<void> {
    this.restartIfNewEpoch();
    for (;;) {
      const n = await this.readOnce(apply, null);
      if (n === 0) break;
    }
    // the model may have taken minutes to fit since readAll: time enough to be trimmed past
    await this.ensureCovered(apply);
  }

  /** Keeps reading new entries until stop(); errors (Redis away) are retried. */
  start(apply: (events: RatingEvent[]) => void): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          this.restartIfNewEpoch();
          if (Date.now() - this.checkedAt >= COVERAGE_CHECK_MS) await this.ensureCovered(apply);
          await this.readOnce(apply, 1000);
        } catch (err) {
          if (!this.running) return;
          this.logger?.warn(
            { err: (err as Error).message },
            'could not read the rating stream; retrying',
          );
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.reader.disconnect();
    await this.loop?.catch(() => undefined);
  }

  /**
   * Merges old entries into the snapshot and trims the stream, when it holds more than
   * `maxEntries` entries; one replica at a time as a rule (a lock that expires after
   * LOCK_MS unless renewed), but two that overlap (one paused past the lock's expiry)
   * leave the same snapshot, since every merge keeps the change that ranks last.
   *
   * A round merges the entries after the mark `upto` up to the cutoff (newest - minAgeMs,
   * "newest" being the sooner of this process's clock and the newest entry's id, so a
   * clock ahead of Redis's never reaches young entries), raises the mark to the last one
   * merged, and only then trims below the mark read at the start of the round: an entry
   * goes once a previous round merged it, so the snapshot write is seconds old and on
   * Redis's replicas by then, and a failover cannot take an entry's only copy. The
   * stream thus keeps what arrived in minAgeMs, plus one round's merged entries. The
   * caller keeps minAgeMs above any window in which it re-reads its own entries.
   *
   * Rejects when Redis does; `signal` stops merging early (at shutdown), leaving what was
   * merged marked.
   */
  async compact(
    options: CompactionOptions = this.compaction,
    signal?: AbortSignal,
  ): Promise<CompactionResult> {
    const epoch = this.epoch;
    if (epoch === null) return { outcome: 'stale', merged: 0, trimmed: 0 };
    if ((await this.redis.xlen(this.key)) <= options.maxEntries) {
      return { outcome: 'short', merged: 0, trimmed: 0 };
    }
    const token = randomUUID();
    if ((await this.redis.set(this.lockKey, token, 'PX', LOCK_MS, 'NX')) === null) {
      return { outcome: 'locked', merged: 0, trimmed: 0 };
    }
    try {
      // Redis lost its data since the epoch was learnt: the snapshot went with it
      if ((await this.redis.get(this.epochKey)) !== epoch) {
        return { outcome: 'stale', merged: 0, trimmed: 0 };
      }
      const from = await this.snapshot.upto(epoch);
      const { merged, last } = await this.mergeUpTo(from, options.minAgeMs, token, signal);
      if (last !== null) await this.snapshot.raiseUpto(last, epoch);
      let trimmed = 0;
      if (from !== null && (await this.redis.get(this.epochKey)) === epoch) {
        trimmed = await this.redis.xtrim(this.key, 'MINID', from);
      }
      return { outcome: 'compacted', merged, trimmed };
    } finally {
      await this.locking.releaseRatingCompactionLock(this.lockKey, token).catch(() => 0);
    }
  }

  /**
   * Merges the entries after `from` ('-' if null) that are at least minAgeMs older than
   * the newest, a page per script call; returns how many and the last one's id. Stops
   * early when `signal` aborts or the lock was lost (another replica took over).
   */
  private async mergeUpTo(
    from: string | null,
    minAgeMs: number,
    token: string,
    signal: AbortSignal | undefined,
  ): Promise<{ merged: number; last: string | null }> {
    const newest = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', 1);
    if (newest.length === 0) return { merged: 0, last: null };
    const newestMs = Number(newest[0][0].split('-')[0]);
    const cutoffMs = Math.floor(Math.min(Date.now(), newestMs) - minAgeMs);
    if (cutoffMs < 0) return { merged: 0, last: null };
    // an end id of milliseconds alone takes in every sequence number of that millisecond
    const end = String(cutoffMs);
    let start = from === null ? '-' : `(${from}`;
    let merged = 0;
    let last: string | null = null;
    while (!signal?.aborted) {
      const page = await this.redis.xrange(this.key, start, end, 'COUNT', PAGE);
      if (page.length === 0) break;
      const lines: Array<{ pair: string; line: string }> = [];
      for (const [id, fields] of page) {
        const line = fields[fields.indexOf('e') + 1] ?? '';
        const event = this.decodeEntry(id, fields);
        if (event) lines.push({ pair: `${event.userId}:${event.movieId}`, line });
      }
      await this.snapshot.merge(lines);
      merged += page.length;
      last = page[page.length - 1][0];
      if (page.length < PAGE) break;
      start = `(${last}`;
      const renewed = await this.locking.renewRatingCompactionLock(this.lockKey, token, LOCK_MS);
      if (renewed !== 1) break;
    }
    return { merged, last };
  }

  /**
   * Checks that no trim removed entries this reader never saw, and if one may have,
   * applies the whole snapshot (idempotent). Trims remove a prefix of the stream, below
   * a mark `upto` every entry below which is merged into the snapshot; so entries a read
   * skipped are below `upto` now. If `upto` is not after `covered` they are covered; nor
   * if the stream's first entry is not after `covered`, as no trim reached past it. One
   * GET per check while the reader keeps up (the mark trails by minAgeMs).
   */
  private async ensureCovered(apply: (events: RatingEvent[]) => void): Promise<void> {
    const lastId = this.lastId;
    this.checkedAt = Date.now();
    if (await this.mayHaveMissed(this.covered)) {
      this.logger?.warn(
        { after: this.covered },
        'the rating stream was trimmed past this reader: applying the snapshot again',
      );
      // covers everything a read before this point skipped: all below the mark read now
      const upto = (await this.loadSnapshot(apply)) ?? '0';
      this.covered = laterStreamId(upto, lastId);
    } else {
      this.covered = laterStreamId(this.covered, lastId);
    }
  }

  private async mayHaveMissed(covered: string): Promise<boolean> {
    if (this.epoch === null) return false;
    const upto = await this.snapshot.upto(this.epoch);
    if (upto === null || compareStreamIds(upto, covered) <= 0) return false;
    const first = await this.redis.xrange(this.key, '-', '+', 'COUNT', 1);
    return first.length === 0 || compareStreamIds(first[0][0], covered) > 0;
  }

  /** Applies the snapshot; returns the mark read before it (entries merged in up to it). */
  private async loadSnapshot(apply: (events: RatingEvent[]) => void): Promise<string | null> {
    const upto = this.epoch === null ? null : await this.snapshot.upto(this.epoch);
    await this.snapshot.scan(apply);
    return upto;
  }

  /**
   * A Redis that lost its data holds a new stream (learnt by lostData or claimEpoch):
   * read it from its start, trusting nothing known of the old one.
   */
  private restartIfNewEpoch(): void {
    if (this.readEpoch !== this.epoch) this.restartReading();
  }

  private restartReading(): void {
    this.readEpoch = this.epoch;
    this.lastId = '0';
    this.covered = '0';
    this.checkedAt = 0;
  }

  private decodeEntry(id: string, fields: string[]): RatingEvent | null {
    const decoded = decodeRatingEvent(fields[fields.indexOf('e') + 1] ?? '');
    if (decoded.ok) return decoded.event;
    this.logger?.warn({ id, problem: decoded.problem }, 'skipping a bad rating stream entry');
    return null;
  }

  private async readOnce(
    apply: (events: RatingEvent[]) => void,
    blockMs: number | null,
  ): Promise<number> {
    const args: Array<string | number> = ['COUNT', 500];
    if (blockMs !== null) args.push('BLOCK', blockMs);
    const reply = (await this.reader.xread(
      ...(args as ['COUNT', number]),
      'STREAMS',
      this.key,
      this.lastId,
    )) as Array<[string, Array<[string, string[]]>]> | null;
    if (!reply) return 0;
    const events: RatingEvent[] = [];
    let count = 0;
    for (const [, entries] of reply) {
      for (const [id, fields] of entries) {
        count++;
        this.lastId = id;
        const origin = fields[fields.indexOf('o') + 1];
        if (origin === this.origin) continue;
        const event = this.decodeEntry(id, fields);
        if (event) events.push(event);
      }
    }
    if (events.length > 0) apply(events);
    return count;
  }
}
