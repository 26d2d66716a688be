/**
 * What the service tells whoever watches it (the server's metrics): a small interface the
 * service owns, so the service imports nothing of the metrics, and the metrics module
 * depends on the service alone.
 */
export interface ServiceObserver {
  /** `count` rating changes applied (accepted here, or from the stream), invalidating `invalidated` lists. */
  ratingsApplied(source: 'local' | 'stream', count: number, invalidated: number): void;
}
