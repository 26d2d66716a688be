import type { LiveModel } from '../engine/live-model.ts';

/** How long one background slice may hold the event loop. */
const SLICE_MS = 2;
/** While ratings keep arriving, the pause after each slice: the refresher's share stays near a quarter. */
const BUSY_PAUSE_MS = 3 * SLICE_MS;
/** Ratings applied within this long mean ratings are still arriving. */
const BUSY_WINDOW_MS = 20;

/**
 * Recomputes invalidated neighbour lists in the background, so that reads rarely wait
 * for them: after ratings are applied it runs in slices of about SLICE_MS between
 * requests (each yields to the event loop), lists that readers have used first
 * (LiveModel.refreshLists), until no list is dirty. While ratings keep arriving it pauses
 * between slices, since a list refreshed then is often invalidated again before anyone
 * reads it; once they stop it runs flat out. Reads still recompute what they need
 * and is not done yet, so every list read is exact either way.
 */
export class ListRefresher {
  private scheduled = false;
  private closed = false;
  private lastWake = 0;

  constructor(
    private readonly live: LiveModel,
    /** Called after each slice that recomputed lists (to write them to the shared store). */
    private readonly refreshed: () => void,
  ) {}

  /** Ratings were applied: starts refreshing, unless it is running already. */
  wake(): void {
    this.lastWake = performance.now();
    this.schedule();
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
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    if (performance.now() - this.lastWake < BUSY_WINDOW_MS)
      setTimeout(() => this.slice(), BUSY_PAUSE_MS);
    else setImmediate(() => this.slice());
  }
}
