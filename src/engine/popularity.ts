import type { RatingMatrix } from './matrix.ts';

/**
 * Popularity statistics of each item: how many rated it, and its damped mean
 * `(sum r + damping * mu) / (n + damping)`, which keeps a movie with one 5.0 from
 * outranking one with hundreds of 4.5s.
 */
export interface Popularity {
  readonly count: Int32Array;
  readonly dampedMean: Float64Array;
  /** Items from most to least popular (count, then damped mean, then lower index). */
  readonly order: Int32Array;
}

export function computePopularity(m: RatingMatrix, mu: number, damping = 5): Popularity {
  const { byItem } = m;
  const count = new Int32Array(m.nItems);
  const dampedMean = new Float64Array(m.nItems);
  for (let i = 0; i < m.nItems; i++) {
    let s = 0;
    const start = byItem.rowPtr[i];
    const end = byItem.rowPtr[i + 1];
    for (let p = start; p < end; p++) s += byItem.values[p];
    count[i] = end - start;
    dampedMean[i] = (s + damping * mu) / (end - start + damping);
  }
  const order = Int32Array.from({ length: m.nItems }, (_, i) => i).sort(
    (a, b) => count[b] - count[a] || dampedMean[b] - dampedMean[a] || a - b,
  );
  return { count, dampedMean, order };
}
