import type { Logger } from 'pino';
import type { LiveModel } from '../engine/live-model.ts';
import type { RatingEvent } from '../store/rating-event.ts';
import type { RatingLog } from '../store/rating-log.ts';
import type { CatalogueQueries } from './catalogue-queries.ts';
import { NotFoundError, RatingNotSavedError } from './errors.ts';
import type { HybridClock } from './hybrid-clock.ts';
import type { ServiceObserver } from './service-observer.ts';
import type { RateMovieResult, RemoveRatingResult } from './views.ts';

/** Durable changes applied together at most (see RatingWriter.applyLocal). */
const APPLY_BATCH = 16;

/**
 * Accepts rating changes: validates each against the current state, times it with the
 * replica's clock, makes it durable in the rating log, and only then applies it to the
 * live model; a rejected change changes nothing. Changes of one (user, movie) run one
 * after another (each validates against the state the previous left); others run
 * together and share journal flushes. Tells its `committed` listeners (the shared list
 * store, replication) about every change it applied, and applies the changes other
 * replicas accepted.
 */
export class RatingWriter {
  /** The last queued mutation of each (user, movie) pair with one in flight. */
  private readonly pending = new Map<string, Promise<void>>();
  private readonly committed: Array<(event: RatingEvent) => Promise<void>> = [];
  private readonly applied: Array<() => void> = [];
  /** Where counts go, when someone watches (the server's metrics). */
  observer: ServiceObserver | null = null;
  /** Durable changes waiting to be applied, in commit order (see applyLocal). */
  private readonly toApply: Array<{
    event: RatingEvent;
    resolve: (invalidated: number) => void;
    reject: (err: unknown) => void;
  }> = [];

  constructor(
    private readonly live: LiveModel,
    private readonly queries: CatalogueQueries,
    private readonly log: RatingLog | null,
    private readonly clock: HybridClock,
    private readonly logger: Logger | null,
  ) {}

  /** Called after each local change is durable and applied, in commit order. */
  onCommitted(listener: (event: RatingEvent) => Promise<void>): void {
    this.committed.push(listener);
  }

  /** Called after each batch of changes was applied: local ones, or other replicas'. */
  onApplied(listener: () => void): void {
    this.applied.push(listener);
  }

  /**
   * Records a rating once it is durable; returns it with the value it replaced. Its
   * timestamp comes from the replica's clock when the write's turn comes (`nowSeconds`
   * sets it, for tests of the order), so it ranks after every change applied so far.
   */
  rate(
    userId: number,
    movieId: number,
    value: number,
    nowSeconds?: number,
  ): Promise<RateMovieResult> {
    return this.exclusive(userId, movieId, () => this.rateNow(userId, movieId, value, nowSeconds));
  }
  /** Removes a rating once the removal is durable. */
  remove(userId: number, movieId: number, nowSeconds?: number): Promise<RemoveRatingResult> {
    return this.exclusive(userId, movieId, () => this.removeNow(userId, movieId, nowSeconds));
  }
  /**
   * Runs mutations of one (user, movie) one after another, so each validates against the
   * state the previous one left (two removals of one rating: the second is NOT_FOUND).
   * Mutations of different pairs still run together and share journal flushes.
   */
  private async exclusive<T>(userId: number, movieId: number, run: () => Promise<T>): Promise<T> {
    const key = `${userId}:${movieId}`;
    const previous = this.pending.get(key) ?? Promise.resolve();
    const current = previous.then(run, run);
    const settled = current.then(
      () => undefined,
      () => undefined,
    );
    this.pending.set(key, settled);
    try {
      return await current;
    } finally {
      if (this.pending.get(key) === settled) this.pending.delete(key);
    }
  }
  private async rateNow(
    userId: number,
    movieId: number,
    value: number,
    at: number | undefined,
  ): Promise<RateMovieResult> {
    const i = this.queries.requireMovie(movieId);
    const nowSeconds = at ?? this.clock.next();
    const u = this.live.userIdx(userId);
    const previous = u >= 0 ? this.live.ratingOf(u, i) : null;
    const event: RatingEvent = {
      kind: 'rate',
      userId,
      movieId,
      rating: value,
      timestamp: nowSeconds,
    };
    await this.commit(event);
    return {
      rating: { userId, movieId, value, timestamp: nowSeconds },
      previousValue: previous ? previous.value : null,
    };
  }
  private async removeNow(
    userId: number,
    movieId: number,
    at: number | undefined,
  ): Promise<RemoveRatingResult> {
    const i = this.queries.requireMovie(movieId);
    const u = this.live.userIdx(userId);
    const existing = u >= 0 ? this.live.ratingOf(u, i) : null;
    if (!existing) {
      throw new NotFoundError(
        'input',
        `user ${userId} has no rating of movie ${movieId} to remove`,
      );
    }
    await this.commit({ kind: 'remove', userId, movieId, timestamp: at ?? this.clock.next() });
    return { rating: { userId, movieId, value: existing.value, timestamp: existing.timestamp } };
  }
  /** Applies ratings other replicas accepted. */
  applyShared(events: RatingEvent[]): void {
    const known = events.filter((e) => this.live.itemIdx(e.movieId) >= 0);
    if (known.length < events.length) {
      this.logger?.warn(
        { skipped: events.length - known.length },
        'stream ratings of unknown movies skipped',
      );
    }
    for (const e of known) this.clock.observe(e.timestamp);
    const invalidated = this.live.apply(known);
    this.observer?.ratingsApplied('stream', known.length, invalidated);
    this.logger?.debug(
      { events: known.length, invalidated },
      'applied ratings from other replicas',
    );
    for (const listener of this.applied) listener();
  }
  private async commit(event: RatingEvent): Promise<void> {
    try {
      await this.log?.append([event]);
    } catch (err) {
      // nothing was applied: the model changes only after the event is durable
      this.logger?.error({ err }, 'rating journal write failed; the rating was refused');
      throw new RatingNotSavedError(
        `the rating was not saved: the rating journal cannot be written (${journalProblem(err)}); nothing changed, retry later`,
      );
    }
    this.clock.observe(event.timestamp);
    const invalidated = await this.applyLocal(event);
    for (const listener of this.committed) await listener(event);
    this.logger?.debug(
      { userId: event.userId, movieId: event.movieId, kind: event.kind, invalidated },
      `rating applied: ${invalidated} neighbour lists invalidated (with its batch)`,
    );
  }
  /**
   * Applies a durable change with the others made durable by the same journal flush:
   * they are queued, and applied together on the next turn of the event loop, up to
   * APPLY_BATCH at a time (a batch computes one similarity row per distinct movie and
   * user, see LiveModel.apply), yielding between batches so reads are answered between
   * them. Resolves with the lists its batch invalidated.
   */
  private applyLocal(event: RatingEvent): Promise<number> {
    return new Promise((resolve, reject) => {
      this.toApply.push({ event, resolve, reject });
      if (this.toApply.length === 1) setImmediate(() => this.applyQueued());
    });
  }
  private applyQueued(): void {
    const batch = this.toApply.slice(0, APPLY_BATCH);
    try {
      const invalidated = this.live.apply(batch.map((b) => b.event));
      this.observer?.ratingsApplied('local', batch.length, invalidated);
      for (const b of batch) b.resolve(invalidated);
      for (const listener of this.applied) listener();
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
    this.toApply.splice(0, batch.length);
    if (this.toApply.length > 0) setImmediate(() => this.applyQueued());
  }
}

/** The system's reason a journal write failed (ENOSPC, EROFS...), without paths. */
function journalProblem(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause ?? err;
  const code = (cause as { code?: unknown })?.code;
  if (code === 'ENOSPC') return 'ENOSPC: no space left on the device';
  if (code === 'EROFS') return 'EROFS: the file system is read-only';
  if (code === 'EFBIG') return 'EFBIG: the file is at its size limit';
  if (code === 'EACCES' || code === 'EPERM') return `${code}: permission denied`;
  if (code === 'EIO') return 'EIO: an input/output error';
  return typeof code === 'string' ? code : 'the journal is closed or unwritable';
}
