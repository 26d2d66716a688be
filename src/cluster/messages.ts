import type { RatingEvent } from '../store/rating-event.ts';

/**
 * What the primary and the workers of a multi-process service (SERVE_PROCESSES > 1) say
 * to each other over Node's IPC channel. The primary owns the journal; each worker owns a
 * model and answers HTTP on the shared port.
 */
export type ToPrimary =
  /** The worker listens for messages: send it where to start from, then every event. */
  | { readonly kind: 'hello' }
  /** Make these events durable (the worker's RatingLog.append). */
  | { readonly kind: 'append'; readonly id: number; readonly events: RatingEvent[] }
  /** Every acknowledged event, read back (RatingLog.acknowledgedEvents). */
  | { readonly kind: 'acknowledged'; readonly id: number }
  /** The worker's model is loaded and /graphql answers. */
  | { readonly kind: 'ready'; readonly url: string };

export type ToWorker =
  /** What to start from: every event of the journal (sent once, after the fork). */
  | { readonly kind: 'start'; readonly events: RatingEvent[] }
  | { readonly kind: 'appended'; readonly id: number }
  /** The journal refused the append: nothing of it was kept. */
  | {
      readonly kind: 'append-failed';
      readonly id: number;
      readonly message: string;
      readonly code: string | null;
    }
  | { readonly kind: 'acknowledged'; readonly id: number; readonly events: RatingEvent[] }
  /** Events another worker made durable, to apply. */
  | { readonly kind: 'peer-events'; readonly events: RatingEvent[] };

/** Whether an IPC message is one of ours (prom-client shares the channel). */
export function isOurs<T extends { kind: string }>(message: unknown): message is T {
  return typeof message === 'object' && message !== null && 'kind' in message;
}
