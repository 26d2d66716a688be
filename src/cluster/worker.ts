import { AggregatorRegistry, type Registry } from 'prom-client';
import type { RecommenderService } from '../service/recommender-service.ts';
import type { RatingEvent } from '../store/rating-event.ts';
import { IpcRatingLog } from './ipc-rating-log.ts';
import { isOurs, type ToPrimary, type ToWorker } from './messages.ts';

/** A worker's side of a multi-process service (see primary.ts). */
export interface WorkerLink {
  /** Every event acknowledged when the worker joined: what its model starts from. */
  readonly events: Promise<RatingEvent[]>;
  /** The rating log: the primary's journal, over IPC. */
  readonly log: IpcRatingLog;
  /** Applies, from now on, the events the other workers make durable (and those held). */
  attach(service: RecommenderService): void;
  /** Tells the primary this worker answers on `url`. */
  ready(url: string): void;
}

/**
 * Joins the primary: listens for its messages (holding other workers' events until the
 * model exists), says hello, lets the primary sum `registry` into its metrics, and
 * exits when the primary is gone (nothing could be made durable any more).
 */
export function joinPrimary(registry: Registry): WorkerLink {
  const send = (message: ToPrimary) => process.send?.(message);
  let held: RatingEvent[][] | null = [];
  let service: RecommenderService | null = null;
  let start: (events: RatingEvent[]) => void = () => {};
  const events = new Promise<RatingEvent[]>((resolve) => {
    start = resolve;
  });
  const listeners: Array<(message: unknown) => void> = [];
  process.on('message', (message: unknown) => {
    for (const listener of listeners) listener(message);
    if (!isOurs<ToWorker>(message)) return;
    if (message.kind === 'start') start(message.events);
    else if (message.kind === 'peer-events') {
      if (service) service.applyShared(message.events);
      else held?.push(message.events);
    }
  });
  process.on('disconnect', () => process.exit(1));
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // answers the primary's requests for this worker's metrics
  const log = new IpcRatingLog(send, (listener) => listeners.push(listener));
  send({ kind: 'hello' });
  return {
    events,
    log,
    attach(s) {
      service = s;
      for (const batch of held ?? []) s.applyShared(batch);
      held = null;
    },
    ready(url) {
      send({ kind: 'ready', url });
    },
  };
}
