import { JournalClosedError } from '../store/journal-closed-error.ts';
import type { RatingEvent } from '../store/rating-event.ts';
import type { RatingLog } from '../store/rating-log.ts';
import type { ToPrimary, ToWorker } from './messages.ts';
import { isOurs } from './messages.ts';

/**
 * The rating log of a worker process: the primary owns the journal, so an append is a
 * request over the IPC channel that resolves once the primary's journal made the events
 * durable (and rejects as the journal refused them, with the system's error code).
 */
export class IpcRatingLog implements RatingLog {
  private next = 0;
  private readonly pending = new Map<
    number,
    { resolve: (events: RatingEvent[]) => void; reject: (err: Error) => void }
  >();
  /** What is wrong with the journal: the primary's to report, so nothing here. */
  readonly problem: string | null = null;
  private readonly inFlight = new Set<Promise<RatingEvent[]>>();
  private closed = false;

  constructor(
    private readonly send: (message: ToPrimary) => void,
    onMessage: (listener: (message: unknown) => void) => void,
  ) {
    onMessage((message) => {
      if (!isOurs<ToWorker>(message)) return;
      if (
        message.kind !== 'appended' &&
        message.kind !== 'append-failed' &&
        message.kind !== 'acknowledged'
      )
        return;
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (message.kind === 'append-failed') {
        waiting.reject(
          Object.assign(new Error(message.message), {
            cause: { code: message.code ?? undefined },
          }),
        );
      } else waiting.resolve(message.kind === 'acknowledged' ? message.events : []);
    });
  }

  async append(events: ReadonlyArray<RatingEvent>): Promise<void> {
    if (this.closed) throw new JournalClosedError("the primary process's journal");
    await this.request((id) => ({ kind: 'append', id, events: [...events] }));
  }

  acknowledgedEvents(): Promise<RatingEvent[]> {
    return this.request((id) => ({ kind: 'acknowledged', id }));
  }

  /** Stops taking appends and waits for those in flight. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.inFlight);
  }

  private request(message: (id: number) => ToPrimary): Promise<RatingEvent[]> {
    const id = this.next++;
    const answer = new Promise<RatingEvent[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send(message(id));
    });
    this.inFlight.add(answer);
    const settled = () => this.inFlight.delete(answer);
    answer.then(settled, settled);
    return answer;
  }
}
