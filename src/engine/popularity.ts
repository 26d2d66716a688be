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
  /** Where each item stands in `order`. */
  readonly rank: Int32Array;
}

export function computePopularity(m: RatingMatrix, mu: number, damping = 5): Popularity {
  const { byItem } = m;
  const count = new Int32Array(m.nItems);
  const dampedMean = new Float64Array(m.nItems);
  for (let i = 0; i < m.nItems; i++) {
    let s = 0;
    const start = byItem.rowPtr[i];
    const end = byItem.rowEnd[i];
    for (let p = start; p < end; p++) s += byItem.values[p];
    count[i] = end - start;
    dampedMean[i] = (s + damping * mu) / (end - start + damping);
  }
  const order = Int32Array.from({ length: m.nItems }, (_, i) => i).sort(
    (a, b) => count[b] - count[a] || dampedMean[b] - dampedMean[a] || a - b,
  );
  const rank = new Int32Array(m.nItems);
  for (let r = 0; r < order.length; r++) rank[order[r]] = r;
  return { count, dampedMean, order, rank };
}

/**
 * Brings item i's statistics up to date after its ratings changed and moves it to its
 * place in the order: time proportional to its ratings and to how far it moves.
 */
export function refreshPopularity(
  pop: Popularity,
  m: RatingMatrix,
  i: number,
  mu: number,
  damping = 5,
): void {
  const { byItem } = m;
  const { count, dampedMean, order, rank } = pop;
  let s = 0;
  const start = byItem.rowPtr[i];
  const end = byItem.rowEnd[i];
  for (let p = start; p < end; p++) s += byItem.values[p];
  count[i] = end - start;
  dampedMean[i] = (s + damping * mu) / (end - start + damping);
  const before = (a: number, b: number) =>
    count[a] !== count[b]
      ? count[a] > count[b]
      : dampedMean[a] !== dampedMean[b]
        ? dampedMean[a] > dampedMean[b]
        : a < b;
  let r = rank[i];
  while (r > 0 && before(i, order[r - 1])) {
    order[r] = order[r - 1];
    rank[order[r]] = r;
    r--;
  }
  while (r + 1 < order.length && before(order[r + 1], i)) {
    order[r] = order[r + 1];
    rank[order[r]] = r;
    r++;
  }
  order[r] = i;
  rank[i] = r;
}
