import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { decodeRatingEvent, encodeRatingEvent, type RatingEvent } from './rating-event.ts';
import type { RedisClient } from './redis-client.ts';

/**
 * The rating log shared by replicas: a Redis Stream `<prefix>:ratings:v1` whose entries
 * carry the accepting replica (`o`) and the event in the journal's line format (`e`,
 * checksummed). Every replica reads the whole stream and applies the events other
 * replicas accepted; applying is last-writer-wins by timestamp, so order and duplicates
 * do not matter. Reading blocks, so it uses a connection of its own.
 */
export class RatingStream {
  private lastId = '0';
  private epoch: string | null = null;
  private running = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly reader: RedisClient,
    prefix: string,
    readonly origin: string,
    private readonly logger: Logger | null,
  ) {
    this.key = `${prefix}:ratings:v1`;
    this.epochKey = `${prefix}:ratings:v1:epoch`;
  }

  readonly key: string;
  /** A random mark set once per life of the stream: a Redis that lost its data lacks it. */
  private readonly epochKey: string;

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
   * Every event the stream holds now, whoever published it (what a starting replica
   * loads with the data set and its journal); later reads go on from there.
   */
  async readAll(): Promise<RatingEvent[]> {
    const events: RatingEvent[] = [];
    let start = '-';
    for (;;) {
      const page = await this.redis.xrange(this.key, start, '+', 'COUNT', 1000);
      for (const [id, fields] of page) {
        this.lastId = id;
        const decoded = decodeRatingEvent(fields[fields.indexOf('e') + 1] ?? '');
        if (decoded.ok) events.push(decoded.event);
        else
          this.logger?.warn({ id, problem: decoded.problem }, 'skipping a bad rating stream entry');
      }
      if (page.length < 1000) return events;
      start = `(${page[page.length - 1][0]}`;
    }
  }

  /** Reads everything published so far and hands other replicas' events to `apply`. */
  async catchUp(apply: (events: RatingEvent[]) => void): Promise<void> {
    for (;;) {
      const n = await this.readOnce(apply, null);
      if (n === 0) return;
    }
  }

  /** Keeps reading new entries until stop(); errors (Redis away) are retried. */
  start(apply: (events: RatingEvent[]) => void): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
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
        const decoded = decodeRatingEvent(fields[fields.indexOf('e') + 1] ?? '');
        if (decoded.ok) events.push(decoded.event);
        else
          this.logger?.warn({ id, problem: decoded.problem }, 'skipping a bad rating stream entry');
      }
    }
    if (events.length > 0) apply(events);
    return count;
  }
}
