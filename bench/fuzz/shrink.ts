import fc from 'fast-check';
import type { Answer } from './http.ts';
import type { FuzzCase, HttpRequest } from './model.ts';

/**
 * Shrinks a failing case with fast-check: the case is the `index`-th value the seeded
 * arbitrary generates (fc.sample and fc.check draw the same sequence for one seed, which is
 * verified on the first run), so `fc.check(..., { seed, path: String(index) })` starts at
 * it and walks fast-check's shrink tree, keeping each smaller case that still shows the
 * same finding. Bounded by a number of replays and a deadline; the last case that
 * reproduced is the minimal one.
 */

export interface Reproduction {
  readonly request: HttpRequest;
  readonly answer: Answer;
  /** The finding as this case shows it. */
  readonly detail: string;
  readonly serverLog: ReadonlyArray<string>;
}

export interface ShrinkResult extends Reproduction {
  readonly fuzzCase: FuzzCase;
  /** Smaller cases that still reproduced, one after another. */
  readonly steps: number;
  /** Replays sent in all. */
  readonly runs: number;
  /** false: the case did not reproduce when replayed alone (the report shows it as sent). */
  readonly reproduced: boolean;
}

export async function shrinkCase(params: {
  readonly arb: fc.Arbitrary<FuzzCase>;
  readonly seed: number;
  readonly index: number;
  readonly original: FuzzCase;
  /** Sends the case; the request and answer when it shows the finding again, else null. */
  readonly reproduce: (c: FuzzCase) => Promise<Reproduction | null>;
  readonly maxRuns: number;
  readonly deadline: number;
}): Promise<ShrinkResult | null> {
  const { arb, seed, index, original, reproduce, maxRuns, deadline } = params;
  let runs = 0;
  let steps = -1;
  let last: (Reproduction & { fuzzCase: FuzzCase }) | null = null;
  let aligned: boolean | null = null;
  const property = fc.asyncProperty(arb, async (c) => {
    if (aligned === null) {
      aligned = JSON.stringify(c) === JSON.stringify(original);
      if (!aligned) return true;
    }
    if (runs >= maxRuns || Date.now() > deadline) return true;
    runs++;
    const found = await reproduce(c);
    if (!found) return true;
    steps++;
    last = { ...found, fuzzCase: c };
    return false;
  });
  await fc.check(property, { seed, path: String(index), numRuns: 1, endOnFailure: false });
  if (aligned === false) {
    throw new Error(
      `fast-check's replay of case #${index} (seed ${seed}) is not the case the run generated; cannot shrink`,
    );
  }
  if (last === null) return null;
  const found = last as Reproduction & { fuzzCase: FuzzCase };
  return {
    ...found,
    steps: Math.max(0, steps),
    runs,
    reproduced: true,
  };
}
