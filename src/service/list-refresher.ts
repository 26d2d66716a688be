import type { LiveModel } from '../engine/live-model.ts';

/** How long one background slice may hold the event loop. */
const SLICE_MS = 2;

/**
 * Recomputes invalidated neighbour lists in the background, so that reads rarely wait
 * for them: after ratings are applied it runs in slices of about SLICE_MS between
 * requests (each yields to the event loop), lists that readers have used first
 * (LiveModel.refreshLists), until no list is dirty. Reads still recompute what they need
 * and is not done yet, so every list read is exact either way.
 */
export class ListRefresher {
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly live: LiveModel,
    /** Called after each slice that recomputed lists (to write them to the shared store). */
    private readonly refreshed: () => void,
  ) {}

  /** Starts refreshing, unless it is running already. */
  wake(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => this.slice());
  }

  close(): void {
    this.closed = true;
  }

  private slice(): void {
    this.scheduled = false;
    if (this.closed) return;
    const deadline = performance.now() + SLICE_MS;
    const done = this.live.refreshLists(() => performance.now() < deadline);
    if (done === 0) return;
    this.refreshed();
    this.wake();
  }
}
