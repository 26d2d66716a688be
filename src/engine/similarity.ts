import type { Baseline } from './baseline.ts';
import { type Csr, colsOf, type RatingMatrix, rowMeans, rowsOf, type Side } from './matrix.ts';
import { float32Array, float64Array, type Memory } from './memory.ts';

/**
 * Similarity metrics. All but `vector-cosine` are computed over co-raters only
 * (`U_ab`, the others who rated both a and b), which is what the classic libraries do
 * and what can be maintained locally when a rating changes:
 * - `cosine`: `sum x_a x_b / sqrt(sum x_a^2 sum x_b^2)` with `x = r`;
 * - `adjusted-cosine`: the same with `x` centred on the other side's mean
 *   (for item-item similarity: `r_ui - mean_u`);
 * - `pearson`: correlation over the co-raters, each side centred on its own mean over `U_ab`;
 * - `pearson-baseline`: the cosine form on baseline residuals `x = r - b_ui` (Koren);
 * - `vector-cosine`: cosine of the whole vectors with missing ratings as zero (dot product
 *   over co-raters, norms over every rating), which is what a dense matrix computes.
 * Each is multiplied by the shrinkage factor `n / (n + shrinkage)` and is 0 below
 * `minSupport` co-raters. Only positive similarities become neighbours.
 */
export type SimilarityMetric =
  | 'cosine'
  | 'adjusted-cosine'
  | 'pearson'
  | 'pearson-baseline'
  | 'vector-cosine';

export const similarityMetrics: ReadonlyArray<SimilarityMetric> = [
  'cosine',
  'adjusted-cosine',
  'pearson',
  'pearson-baseline',
  'vector-cosine',
];

export interface SimilarityOptions {
  readonly metric: SimilarityMetric;
  readonly shrinkage: number;
  readonly minSupport: number;
}

/**
 * Everything needed to compute one side's similarities: `rows` are the entities compared
 * (items for item-item), `cols` the transposed matrix, and `xRows`/`xCols` the transformed
 * rating of each stored entry in the two orders.
 */
export interface SimilaritySpace {
  readonly side: Side;
  readonly options: SimilarityOptions;
  readonly rows: Csr;
  readonly cols: Csr;
  readonly xRows: Float32Array;
  readonly xCols: Float32Array;
  /** Euclidean norm of each entity's whole x vector; only `vector-cosine` has them. */
  readonly norms: Float64Array;
}

export function similaritySpace(
  m: RatingMatrix,
  side: Side,
  options: SimilarityOptions,
  baseline?: Baseline,
  memory: Memory = 'heap',
): SimilaritySpace {
  if (options.metric === 'pearson-baseline' && !baseline) {
    throw new Error('pearson-baseline similarity needs a fitted baseline');
  }
  const xByUser = transformedRatings(m, side, options.metric, baseline, memory);
  const xByItem = float32Array(m.byItem.colIdx.length, memory);
  const { byItem, itemToUserPos } = m;
  for (let i = 0; i < m.nItems; i++) {
    for (let p = byItem.rowPtr[i]; p < byItem.rowEnd[i]; p++)
      xByItem[p] = xByUser[itemToUserPos[p]];
  }
  const rows = rowsOf(m, side);
  const xRows = side === 'user' ? xByUser : xByItem;
  const norms = float64Array(options.metric === 'vector-cosine' ? rows.rows : 0, memory);
  for (let a = 0; a < norms.length; a++) norms[a] = rowNorm(rows, xRows, a);
  return {
    side,
    options,
    rows,
    cols: colsOf(m, side),
    xRows,
    xCols: side === 'user' ? xByItem : xByUser,
    norms,
  };
}

/** Euclidean norm of row a of `x` (laid out as `rows`). */
export function rowNorm(rows: Csr, x: Float32Array, a: number): number {
  let s = 0;
  for (let p = rows.rowPtr[a]; p < rows.rowEnd[a]; p++) s += x[p] * x[p];
  return Math.sqrt(s);
}

/** x for each rating, in `byUser` order. */
function transformedRatings(
  m: RatingMatrix,
  side: Side,
  metric: SimilarityMetric,
  baseline: Baseline | undefined,
  memory: Memory,
): Float32Array {
  const { byUser } = m;
  const out = float32Array(byUser.colIdx.length, memory);
  const means =
    metric === 'adjusted-cosine'
      ? rowMeans(side === 'item' ? byUser : m.byItem, 0)
      : new Float64Array(0);
  for (let u = 0; u < m.nUsers; u++) {
    for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) {
      out[p] = transformed(metric, side, byUser.values[p], u, byUser.colIdx[p], means, baseline);
    }
  }
  return out;
}

/**
 * The x of user u's rating r of item i. `means` are the other side's means for
 * adjusted cosine (users' for item-item similarity, items' for user-user).
 */
export function transformed(
  metric: SimilarityMetric,
  side: Side,
  r: number,
  u: number,
  i: number,
  means: Float64Array,
  baseline: Baseline | undefined,
): number {
  if (metric === 'adjusted-cosine') return snap(r - means[side === 'item' ? u : i]);
  if (metric === 'pearson-baseline' && baseline) {
    return snap(r - (baseline.mu + baseline.userBias[u]) - baseline.itemBias[i]);
  }
  return r;
}

/**
 * A residual that is zero up to rounding (an item bias of 2e-18 after the ALS sweeps)
 * must be zero: over one co-rater, cosine turns any non-zero residual into +-1.
 */
export function snap(x: number): number {
  return Math.abs(x) < 1e-9 ? 0 : x;
}

/**
 * Dense scratch space for one row of similarities. Only the entries listed in
 * `touched[0..count)` are non-zero; `computeRow` clears exactly those first, so a row
 * costs time proportional to its co-raters, never to the number of entities.
 * `acc` interleaves the running sums of each entity in one 64-byte block (slots below),
 * so one co-rating touches one cache line.
 */
export interface RowScratch {
  readonly sim: Float64Array;
  /** Similarities of the companion space, when `computeRow` was given one. */
  readonly companionSim: Float64Array;
  readonly support: Int32Array;
  readonly touched: Int32Array;
  readonly acc: Float64Array;
  /**
   * The two sums of a vector-cosine row (count, dot) per entity, apart from `acc`: a row
   * of a large side touches most entities at random, and 16 bytes an entity stay in
   * cache where `acc`'s 64 do not (2.6 MB against 10 MB for 162,541 users).
   */
  readonly dot: Float64Array;
  count: number;
}

/** Sums kept per entity: 0 count, 1 sxy, 2 sxx, 3 syy, 4 sx, 5 sy, 6 companion dot, 7 unused. */
const STRIDE = 8;

export function rowScratch(n: number): RowScratch {
  return {
    sim: new Float64Array(n),
    companionSim: new Float64Array(n),
    support: new Int32Array(n),
    touched: new Int32Array(n),
    acc: new Float64Array(n * STRIDE),
    dot: new Float64Array(n * 2),
    count: 0,
  };
}

/** Clears the previous row's results (its sums were already zeroed as it was finished). */
export function resetRow(s: RowScratch): void {
  const { sim, companionSim, support, touched } = s;
  for (let t = 0; t < s.count; t++) {
    const b = touched[t];
    sim[b] = 0;
    companionSim[b] = 0;
    support[b] = 0;
  }
  s.count = 0;
}

/**
 * Whether `companion` can ride along `space`'s pass (see computeRow): it must compare the
 * same side and be a `vector-cosine`, whose only per-pair sum is the dot product.
 */
export function canAccompany(space: SimilaritySpace, companion: SimilaritySpace): boolean {
  return (
    companion.side === space.side &&
    companion.rows === space.rows &&
    companion.options.metric === 'vector-cosine' &&
    space.options.metric !== 'pearson'
  );
}

/**
 * Computes the similarity of entity `a` to every entity sharing a co-rater with it,
 * through the inverted index: for each other `o` who rated `a`, for each `b` that `o`
 * rated. Fills `s.sim` and `s.support` for the entries in `s.touched` (which never holds
 * `a` itself). With a `companion` (see canAccompany), the same traversal also fills
 * `s.companionSim`: walking the index costs more than the arithmetic, so two
 * similarities of one row cost little more than one.
 */
export function computeRow(
  space: SimilaritySpace,
  a: number,
  s: RowScratch,
  companion?: SimilaritySpace,
): void {
  resetRow(s);
  const metric = space.options.metric;
  if (companion) {
    if (!canAccompany(space, companion)) throw new Error('this companion cannot share the pass');
    accumulateProductsWithCompanion(space, a, s, companion.xRows, companion.xCols);
  } else if (metric === 'vector-cosine') accumulateDot(space, a, s);
  else if (metric === 'pearson') accumulateMoments(space, a, s);
  else accumulateProducts(space, a, s);
  s.count =
    metric === 'vector-cosine' && !companion
      ? finishDotRow(space, a, s)
      : finishRow(space, a, s, companion);
}

/**
 * Vector-cosine from the dot product over n co-raters and the product of the two norms,
 * clamped and shrunk: the arithmetic of similarityFromSums, shared by the fast paths.
 */
export function vectorCosine(
  dot: number,
  n: number,
  den: number,
  minSupport: number,
  shrinkage: number,
): number {
  if (n < minSupport) return 0;
  let v = den > 0 ? dot / den : 0;
  if (v > 1) v = 1;
  else if (v < -1) v = -1;
  return shrinkage > 0 ? (v * n) / (n + shrinkage) : v;
}

/**
 * finishRow for vector-cosine alone, the metric of the stored lists: only two sums to
 * read and clear per entry. A row of a popular movie touches most of the catalogue, so
 * this loop costs about as much as the accumulation itself. Same arithmetic as
 * similarityFromSums.
 */
function finishDotRow(space: SimilaritySpace, a: number, s: RowScratch): number {
  const { touched, support, dot: acc, sim } = s;
  const norms = space.norms;
  const na = norms[a];
  const { minSupport, shrinkage } = space.options;
  const count = s.count;
  let kept = 0;
  for (let t = 0; t < count; t++) {
    const b = touched[t];
    const k = b << 1;
    const n = acc[k];
    if (b !== a) {
      touched[kept++] = b;
      support[b] = n;
      sim[b] = vectorCosine(acc[k + 1], n, na * norms[b], minSupport, shrinkage);
    }
    acc[k] = 0;
    acc[k + 1] = 0;
  }
  return kept;
}

/**
 * Turns the sums of every touched entry into a similarity, zeroes the sums for the next
 * row, and drops `a` itself (it collected its self-products: cheaper than testing
 * `b !== a` in the inner loop). Returns how many entries remain touched.
 */
function finishRow(
  space: SimilaritySpace,
  a: number,
  s: RowScratch,
  companion: SimilaritySpace | undefined,
): number {
  const { touched, support, acc, sim, companionSim } = s;
  const count = s.count;
  let kept = 0;
  for (let t = 0; t < count; t++) {
    const b = touched[t];
    const k = b << 3;
    if (b !== a) {
      touched[kept++] = b;
      support[b] = acc[k];
      sim[b] = similarityFromSums(space, a, b, acc, k, acc[k + 1]);
      if (companion) companionSim[b] = similarityFromSums(companion, a, b, acc, k, acc[k + 6]);
    }
    acc[k] = 0;
    acc[k + 1] = 0;
    acc[k + 2] = 0;
    acc[k + 3] = 0;
    acc[k + 4] = 0;
    acc[k + 5] = 0;
    acc[k + 6] = 0;
  }
  return kept;
}

// The inner loops, one per set of sums, each with no branch but the first-touch test.
// Slots are written as literals (see STRIDE; `b << 3` is b * 8): module-level constants
// cost a hole check per access in V8, which measurably slows these loops.

/** sum x_a x_b (the vector-cosine norms are precomputed). */
function accumulateDot(space: SimilaritySpace, a: number, s: RowScratch): void {
  const rowPtr = space.rows.rowPtr;
  const rowEnd = space.rows.rowEnd;
  const rowIdx = space.rows.colIdx;
  const colPtr = space.cols.rowPtr;
  const colEnd = space.cols.rowEnd;
  const colIdx = space.cols.colIdx;
  const xRows = space.xRows;
  const xCols = space.xCols;
  const touched = s.touched;
  const acc = s.dot;
  let count = 0;
  const end = rowEnd[a];
  for (let p = rowPtr[a]; p < end; p++) {
    const o = rowIdx[p];
    const xa = xRows[p];
    const qEnd = colEnd[o];
    for (let q = colPtr[o]; q < qEnd; q++) {
      const b = colIdx[q];
      const k = b << 1;
      if (acc[k] === 0) touched[count++] = b;
      acc[k] += 1;
      acc[k + 1] += xa * xCols[q];
    }
  }
  s.count = count;
}

/** sum x_a x_b, sum x_a^2, sum x_b^2 over the co-raters. */
function accumulateProducts(space: SimilaritySpace, a: number, s: RowScratch): void {
  const rowPtr = space.rows.rowPtr;
  const rowEnd = space.rows.rowEnd;
  const rowIdx = space.rows.colIdx;
  const colPtr = space.cols.rowPtr;
  const colEnd = space.cols.rowEnd;
  const colIdx = space.cols.colIdx;
  const xRows = space.xRows;
  const xCols = space.xCols;
  const touched = s.touched;
  const acc = s.acc;
  let count = 0;
  const end = rowEnd[a];
  for (let p = rowPtr[a]; p < end; p++) {
    const o = rowIdx[p];
    const xa = xRows[p];
    const xa2 = xa * xa;
    const qEnd = colEnd[o];
    for (let q = colPtr[o]; q < qEnd; q++) {
      const b = colIdx[q];
      const k = b << 3;
      if (acc[k] === 0) touched[count++] = b;
      acc[k] += 1;
      const xb = xCols[q];
      acc[k + 1] += xa * xb;
      acc[k + 2] += xa2;
      acc[k + 3] += xb * xb;
    }
  }
  s.count = count;
}

/** The products plus sum x_a and sum x_b, for correlation centred on the co-raters. */
function accumulateMoments(space: SimilaritySpace, a: number, s: RowScratch): void {
  const rowPtr = space.rows.rowPtr;
  const rowEnd = space.rows.rowEnd;
  const rowIdx = space.rows.colIdx;
  const colPtr = space.cols.rowPtr;
  const colEnd = space.cols.rowEnd;
  const colIdx = space.cols.colIdx;
  const xRows = space.xRows;
  const xCols = space.xCols;
  const touched = s.touched;
  const acc = s.acc;
  let count = 0;
  const end = rowEnd[a];
  for (let p = rowPtr[a]; p < end; p++) {
    const o = rowIdx[p];
    const xa = xRows[p];
    const xa2 = xa * xa;
    const qEnd = colEnd[o];
    for (let q = colPtr[o]; q < qEnd; q++) {
      const b = colIdx[q];
      const k = b << 3;
      if (acc[k] === 0) touched[count++] = b;
      acc[k] += 1;
      const xb = xCols[q];
      acc[k + 1] += xa * xb;
      acc[k + 2] += xa2;
      acc[k + 3] += xb * xb;
      acc[k + 4] += xa;
      acc[k + 5] += xb;
    }
  }
  s.count = count;
}

/** The products plus the companion space's dot product, in one traversal. */
function accumulateProductsWithCompanion(
  space: SimilaritySpace,
  a: number,
  s: RowScratch,
  companionRows: Float32Array,
  companionCols: Float32Array,
): void {
  const rowPtr = space.rows.rowPtr;
  const rowEnd = space.rows.rowEnd;
  const rowIdx = space.rows.colIdx;
  const colPtr = space.cols.rowPtr;
  const colEnd = space.cols.rowEnd;
  const colIdx = space.cols.colIdx;
  const xRows = space.xRows;
  const xCols = space.xCols;
  const touched = s.touched;
  const acc = s.acc;
  let count = 0;
  const end = rowEnd[a];
  for (let p = rowPtr[a]; p < end; p++) {
    const o = rowIdx[p];
    const xa = xRows[p];
    const xa2 = xa * xa;
    const ca = companionRows[p];
    const qEnd = colEnd[o];
    for (let q = colPtr[o]; q < qEnd; q++) {
      const b = colIdx[q];
      const k = b << 3;
      if (acc[k] === 0) touched[count++] = b;
      acc[k] += 1;
      const xb = xCols[q];
      acc[k + 1] += xa * xb;
      acc[k + 2] += xa2;
      acc[k + 3] += xb * xb;
      acc[k + 6] += ca * companionCols[q];
    }
  }
  s.count = count;
}

/** The similarity of a and b from the sums at `acc[k..k+8)`; `sxy` is the dot product to use. */
function similarityFromSums(
  space: SimilaritySpace,
  a: number,
  b: number,
  acc: Float64Array,
  k: number,
  sxy: number,
): number {
  const options = space.options;
  const n = acc[k];
  if (n < options.minSupport) return 0;
  const metric = options.metric;
  let sim: number;
  if (metric === 'vector-cosine') {
    const den = space.norms[a] * space.norms[b];
    sim = den > 0 ? sxy / den : 0;
  } else if (metric === 'pearson') {
    const sxx = acc[k + 2];
    const syy = acc[k + 3];
    const sx = acc[k + 4];
    const sy = acc[k + 5];
    const num = n * sxy - sx * sy;
    const varA = n * sxx - sx * sx;
    const varB = n * syy - sy * sy;
    // A constant side has no correlation; the relative test keeps rounding noise from
    // turning a zero variance into a huge quotient.
    const flat = varA <= 1e-12 * n * sxx || varB <= 1e-12 * n * syy;
    sim = flat ? 0 : num / Math.sqrt(varA * varB);
  } else {
    const den = acc[k + 2] * acc[k + 3];
    sim = den > 0 ? sxy / Math.sqrt(den) : 0;
  }
  if (sim > 1) sim = 1;
  else if (sim < -1) sim = -1;
  const shrinkage = options.shrinkage;
  return shrinkage > 0 ? (sim * n) / (n + shrinkage) : sim;
}
