/**
 * A hybrid logical clock in milliseconds: it follows the wall clock (plus an offset) but
 * never issues a timestamp at or below one it issued or observed before. Every change a
 * replica applies is observed, so a rating it accepts ranks after all of them in the
 * rating order (rating-order.ts) even when the wall clock steps back (NTP) or runs behind
 * another replica's: an acknowledged rating is never ignored.
 */
export class HybridClock {
  private lastMs = 0;
  /** Added to the wall clock; changed at run time only by tests of clock steps. */
  offsetMs: number;

  constructor(
    offsetMs = 0,
    private readonly wallMs: () => number = Date.now,
  ) {
    this.offsetMs = offsetMs;
  }

  /** A timestamp in seconds (whole milliseconds) after every one issued or observed. */
  next(): number {
    const ms = Math.max(Math.floor(this.wallMs() + this.offsetMs), this.lastMs + 1);
    this.lastMs = ms;
    return ms / 1000;
  }

  /** Makes every later `next()` rank after `seconds`. */
  observe(seconds: number): void {
    // ms / 1000 * 1000 can land a hair below the integer: the small bias keeps a
    // timestamp this clock issued at its own millisecond
    const ms = Math.floor(seconds * 1000 + 1e-3);
    if (ms > this.lastMs) this.lastMs = ms;
  }

  /** The latest millisecond issued or observed: how far this replica's state reaches. */
  get position(): number {
    return this.lastMs;
  }
}
