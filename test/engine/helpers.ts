/**
 * Shared fixtures for the engine specifications: tiny matrices written as dense grids,
 * a fast-check arbitrary for random small sparse matrices, and dense O(n^2) references
 * written straight from the formulas in the doc comments of `similarity.ts`.
 */
import fc from 'fast-check';
import type { Baseline } from '../../src/engine/baseline.ts';
import { buildRatingMatrix, type RatingMatrix, type Side } from '../../src/engine/matrix.ts';
import type { SimilarityOptions } from '../../src/engine/similarity.ts';

/** `grid[u][i]` is user u's rating of item i, or null when u has not rated i. */
export type Grid = ReadonlyArray<ReadonlyArray<number | null>>;

export interface Triples {
  readonly nUsers: number;
  readonly nItems: number;
  readonly users: ReadonlyArray<number>;
  readonly items: ReadonlyArray<number>;
  readonly values: ReadonlyArray<number>;
}

export function triplesOf(grid: Grid): Triples {
  const users: number[] = [];
  const items: number[] = [];
  const values: number[] = [];
  const nItems = grid.length === 0 ? 0 : grid[0].length;
  for (let u = 0; u < grid.length; u++) {
    for (let i = 0; i < nItems; i++) {
      const r = grid[u][i];
      if (r !== null) {
        users.push(u);
        items.push(i);
        values.push(r);
      }
    }
  }
  return { nUsers: grid.length, nItems, users, items, values };
}

export function matrixOfTriples(t: Triples): RatingMatrix {
  return buildRatingMatrix(
    Int32Array.from(t.users),
    Int32Array.from(t.items),
    Float32Array.from(t.values),
    t.nUsers,
    t.nItems,
  );
}

export function matrixOf(grid: Grid): RatingMatrix {
  return matrixOfTriples(triplesOf(grid));
}

/** Ratings 1..5 in halves, all exactly representable as Float32. */
export const halfRating = fc.integer({ min: 2, max: 10 }).map((h) => h / 2);

/**
 * Random small sparse grids (up to `maxUsers` x `maxItems`), with a per-grid density so
 * that both nearly empty and nearly full matrices come up.
 */
export function gridArb(maxUsers = 8, maxItems = 8): fc.Arbitrary<Grid> {
  return fc
    .record({
      nUsers: fc.integer({ min: 1, max: maxUsers }),
      nItems: fc.integer({ min: 1, max: maxItems }),
      density: fc.constantFrom(0.3, 0.5, 0.8),
    })
    .chain(({ nUsers, nItems, density }) =>
      fc
        .array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), halfRating), {
          minLength: nUsers * nItems,
          maxLength: nUsers * nItems,
        })
        .map((cells) =>
          Array.from({ length: nUsers }, (_, u) =>
            Array.from({ length: nItems }, (_, i) => {
              const [draw, r] = cells[u * nItems + i];
              return draw < density ? r : null;
            }),
          ),
        ),
    );
}

/** The triples of a grid in a random order, so that the builder has to sort. */
export function shuffledTriplesArb(grid: Grid): fc.Arbitrary<Triples> {
  const t = triplesOf(grid);
  const n = t.users.length;
  return fc.array(fc.nat(), { minLength: n, maxLength: n }).map((keys) => {
    const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => keys[a] - keys[b] || a - b);
    return {
      nUsers: t.nUsers,
      nItems: t.nItems,
      users: order.map((k) => t.users[k]),
      items: order.map((k) => t.items[k]),
      values: order.map((k) => t.values[k]),
    };
  });
}

/** Mean of the non-null entries, or `fallback`. */
function meanOf(xs: ReadonlyArray<number | null>, fallback: number): number {
  let s = 0;
  let n = 0;
  for (const x of xs) {
    if (x !== null) {
      s += x;
      n++;
    }
  }
  return n === 0 ? fallback : s / n;
}

export function userMeansOf(grid: Grid): number[] {
  return grid.map((row) => meanOf(row, 0));
}

export function itemMeansOf(grid: Grid): number[] {
  const nItems = grid.length === 0 ? 0 : grid[0].length;
  return Array.from({ length: nItems }, (_, i) =>
    meanOf(
      grid.map((row) => row[i]),
      0,
    ),
  );
}

/** The grid seen from `side`: `view[a][o]` is entity a's rating by (or of) other o. */
export function sideView(grid: Grid, side: Side): Grid {
  if (side === 'user') return grid;
  const nItems = grid.length === 0 ? 0 : grid[0].length;
  return Array.from({ length: nItems }, (_, i) => grid.map((row) => row[i]));
}

export interface DenseSimilarities {
  /** `sim[a][b]`, 0 on the diagonal. */
  readonly sim: number[][];
  /** `support[a][b]`: number of co-raters of a and b. */
  readonly support: number[][];
}

/**
 * Dense O(n^2) similarities, straight from the doc comment of `similarity.ts`:
 * co-rater sums (whole-vector norms for `vector-cosine`), clipped to [-1, 1], times
 * `n / (n + shrinkage)`, and 0 below `minSupport` co-raters. Pearson is written in its
 * two-pass centred form, not the engine's running sums.
 *
 * Residuals within 1e-9 of zero are zero, as the doc comment of `snap` in similarity.ts
 * specifies. The transformed ratings `x` are rounded to Float32 because `SimilaritySpace.xRows` is
 * declared a Float32Array: centring on a mean such as 11/3 is only exact to ~1e-7 there,
 * which would otherwise swamp a 1e-9 comparison.
 */
export function denseSimilarities(
  grid: Grid,
  side: Side,
  options: SimilarityOptions,
  baseline?: Baseline,
): DenseSimilarities {
  const view = sideView(grid, side);
  const n = view.length;
  const nOther = n === 0 ? 0 : view[0].length;
  const userMeans = userMeansOf(grid);
  const itemMeans = itemMeansOf(grid);
  const x: (number | null)[][] = view.map((row, a) =>
    row.map((r, o) => {
      if (r === null) return null;
      const u = side === 'user' ? a : o;
      const i = side === 'user' ? o : a;
      switch (options.metric) {
        case 'adjusted-cosine':
          return snap(Math.fround(r - (side === 'item' ? userMeans[u] : itemMeans[i])));
        case 'pearson-baseline': {
          if (!baseline) throw new Error('the reference needs the baseline for pearson-baseline');
          return snap(Math.fround(r - (baseline.mu + baseline.userBias[u] + baseline.itemBias[i])));
        }
        default:
          return r;
      }
    }),
  );
  const norm2 = x.map((row) => row.reduce<number>((s, v) => s + (v === null ? 0 : v * v), 0));
  const sim = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const support = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b) continue;
      const xa: number[] = [];
      const xb: number[] = [];
      for (let o = 0; o < nOther; o++) {
        const va = x[a][o];
        const vb = x[b][o];
        if (va !== null && vb !== null) {
          xa.push(va);
          xb.push(vb);
        }
      }
      const count = xa.length;
      support[a][b] = count;
      if (count === 0 || count < options.minSupport) continue;
      let s: number;
      if (options.metric === 'pearson') {
        const ma = xa.reduce((t, v) => t + v, 0) / count;
        const mb = xb.reduce((t, v) => t + v, 0) / count;
        let num = 0;
        let da = 0;
        let db = 0;
        for (let c = 0; c < count; c++) {
          num += (xa[c] - ma) * (xb[c] - mb);
          da += (xa[c] - ma) ** 2;
          db += (xb[c] - mb) ** 2;
        }
        s = da <= 1e-12 || db <= 1e-12 ? 0 : num / Math.sqrt(da * db);
      } else {
        let dot = 0;
        let sxx = 0;
        let syy = 0;
        for (let c = 0; c < count; c++) {
          dot += xa[c] * xb[c];
          sxx += xa[c] * xa[c];
          syy += xb[c] * xb[c];
        }
        const den = options.metric === 'vector-cosine' ? norm2[a] * norm2[b] : sxx * syy;
        s = den > 0 ? dot / Math.sqrt(den) : 0;
      }
      s = Math.max(-1, Math.min(1, s));
      sim[a][b] = (s * count) / (count + options.shrinkage);
    }
  }
  return { sim, support };
}

/** Positive similarities of `a`, by descending similarity, ties to the lower index. */
export function referenceNeighbours(sim: ReadonlyArray<number>, a: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < sim.length; b++) if (b !== a && sim[b] > 0) out.push(b);
  return out.sort((p, q) => sim[q] - sim[p] || p - q);
}

function snap(x: number): number {
  return Math.abs(x) < 1e-9 ? 0 : x;
}
