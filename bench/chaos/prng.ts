/**
 * A small seeded PRNG (mulberry32) and the draws the harness makes with it. Every choice
 * of a schedule (topology, faults, their moments, the load's users and movies) comes from
 * one of these, so a seed names a schedule.
 */
import { seededRandom } from '../../src/engine/random.ts';

export class Prng {
  /** The project's mulberry32 (src/engine/random.ts), on a mixed seed. */
  readonly next: () => number;

  constructor(seed: number) {
    // splitmix the seed once, so neighbouring seeds start far apart
    let z = (seed + 0x9e3779b9) >>> 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    this.next = seededRandom((z ^ (z >>> 16)) >>> 0);
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: ReadonlyArray<T>): T {
    if (xs.length === 0) throw new Error('pick from an empty array');
    return xs[Math.floor(this.next() * xs.length)];
  }

  /** Picks by weight; `weights[k]` belongs to `xs[k]`. */
  weighted<T>(xs: ReadonlyArray<T>, weights: ReadonlyArray<number>): T {
    const total = weights.reduce((s, w) => s + w, 0);
    let r = this.next() * total;
    for (let k = 0; k < xs.length; k++) {
      r -= weights[k];
      if (r < 0) return xs[k];
    }
    return xs[xs.length - 1];
  }

  /** `n` distinct elements of `xs` (all of them if it has fewer), in random order. */
  sample<T>(xs: ReadonlyArray<T>, n: number): T[] {
    const copy = [...xs];
    for (let k = copy.length - 1; k > 0; k--) {
      const j = Math.floor(this.next() * (k + 1));
      [copy[k], copy[j]] = [copy[j], copy[k]];
    }
    return copy.slice(0, Math.min(n, copy.length));
  }

  /** A seed for a child generator, so one part's draws do not shift another's. */
  fork(): number {
    return Math.floor(this.next() * 2 ** 31);
  }
}
