/**
 * The durable record of rating changes made through the API. The base MovieLens data is
 * read-only; every `rateMovie` / `removeRating` becomes a `RatingEvent` appended here,
 * and at start the events are replayed on top of the base data by the rating order
 * (engine/rating-order.ts: for each (user, movie) the change that ranks last wins, as it
 * did live; `remove` deletes the pair, base rating included, and keeps older ratings of
 * it out).
 */
import type { RatingEvent } from './rating-event.ts';

export interface RatingLog {
  /**
   * Appends `events`, in order, after every event of earlier `append` calls. Resolves
   * only once the events are durable (written and flushed to stable storage), so a
   * mutation may be acknowledged when it resolves. Rejects if any of them is invalid
   * (`InvalidRatingEventError`, nothing is written), if writing fails
   * (`JournalWriteError`, none of them is kept), or after `close()` (`JournalClosedError`).
   * An empty array resolves once all earlier appends have settled.
   */
  append(events: ReadonlyArray<RatingEvent>): Promise<void>;
  /** Waits for appends already accepted to settle, then releases the log. Idempotent. */
  close(): Promise<void>;
  /** Every acknowledged event, in order, read back (to republish what a shared store lost). */
  acknowledgedEvents(): Promise<RatingEvent[]>;
}

/** What opening a log found in it. */
export interface JournalReplay {
  /** Every intact event, in the order it was appended. */
  readonly events: RatingEvent[];
  /**
   * Bytes of a torn last line cut off the file at open (0 when the file was clean): the
   * trace of a crash during an append that was therefore never acknowledged.
   */
  readonly truncatedBytes: number;
  /** The journal file. */
  readonly path: string;
}
