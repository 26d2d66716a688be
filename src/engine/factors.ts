import { type Csr, globalMean, type RatingMatrix } from './matrix.ts';
import { keyedRandom } from './random.ts';
import { sampleUsers } from './sample-users.ts';

/**
 * Biased matrix factorisation, `r_ui ~ mu + b_u + b_i + p_u . q_i`, fitted by alternating
 * least squares: with the movies' (q_i, b_i) held, each user's (p_u, b_u) is the exact
 * minimiser of
 * `sum_{i in I_u} (r_ui - mu - b_i - b_u - p_u . q_i)^2 + lambda * |I_u| * |p_u|^2
 *  + biasLambda * b_u^2`,
 * a ridge regression of k + 1 unknowns; then the same for each movie with the users held.
 * Because a user's step needs only that user's ratings, a new rating re-solves its
 * rater exactly as the fit's last step would have (foldInUser): that is what keeps the
 * component live between fits.
 */
export interface FactorOptions {
  /** k, the length of each factor vector. */
  readonly factors: number;
  /** Alternations (a user step then a movie step), ending with a user step. */
  readonly iterations: number;
  /** Ridge on the factors, times the row's number of ratings (weighted-lambda ALS). */
  readonly lambda: number;
  /** Ridge on the biases. */
  readonly biasLambda: number;
  readonly seed: number;
  /**
   * Fit the movies' side on a seeded sample of whole users holding at most this many
   * ratings (sample-users.ts); every user's factors are then solved against it, as a new
   * rating's are (foldInUser). Below it (every MovieLens set but the 25M one) the fit
   * sees every rating: a 25M-rating fit on every rating would add minutes to a start.
   */
  readonly maxRatings: number;
}

export const defaultFactorOptions: FactorOptions = {
  factors: 20,
  iterations: 10,
  lambda: 0.15,
  biasLambda: 2,
  seed: 11,
  maxRatings: 2_000_000,
};

/**
 * The fitted factors: row-major `k` floats per user and per movie. The user arrays may
 * be longer than the users (room for new ones, see withUserRoom).
 */
export interface Factors {
  readonly k: number;
  readonly mu: number;
  readonly options: FactorOptions;
  readonly userFactors: Float32Array;
  readonly userBias: Float32Array;
  readonly itemFactors: Float32Array;
  readonly itemBias: Float32Array;
}

/** Reusable buffers of one (k + 1)-dimensional solve. */
export interface SolveScratch {
  readonly a: Float64Array;
  readonly rhs: Float64Array;
  /** One entry's z = (q, 1), copied out of the factors (a third faster than reading them). */
  readonly z: Float64Array;
}

export function solveScratch(k: number): SolveScratch {
  const n = k + 1;
  const z = new Float64Array(n);
  z[k] = 1;
  return { a: new Float64Array(n * n), rhs: new Float64Array(n), z };
}

/**
 * Fits the factors on a matrix (its movies' side on a sample above `maxRatings`); every
 * user comes out of the last step, a solve against the movies' side (see foldInUser).
 */
export function fitFactors(
  m: RatingMatrix,
  options: FactorOptions = defaultFactorOptions,
  onIteration: (done: number) => void = () => {},
  itemKeys?: ItemKeys,
): Factors {
  const sample = sampleUsers(m, options.maxRatings, options.seed);
  const fitted = initialFactors(sample, options, (n) => new Float32Array(n), itemKeys);
  const scratch = solveScratch(options.factors);
  for (let it = 0; it < options.iterations; it++) {
    solveRows(sample.byUser, fitted, 'user', 0, sample.nUsers, scratch);
    solveRows(sample.byItem, fitted, 'item', 0, sample.nItems, scratch);
    onIteration((it + 0.5) / options.iterations);
  }
  const factors = everyUser(m, fitted, (n) => new Float32Array(n));
  solveRows(m.byUser, factors, 'user', 0, m.nUsers, scratch);
  onIteration(1);
  return factors;
}

/** The movies' side of `fitted` with room for every user of m (zeros, to be solved). */
export function everyUser(
  m: RatingMatrix,
  fitted: Factors,
  memory: (n: number) => Float32Array,
): Factors {
  return {
    ...fitted,
    userFactors: memory(m.nUsers * fitted.k),
    userBias: memory(m.nUsers),
  };
}

/**
 * Stable keys of the movies (their MovieLens ids), by dense index: each movie's starting
 * factors come from its key, so that the same ratings give the same factors however the
 * movies are indexed (the service indexes the whole catalogue, the evaluation only the
 * movies a fold rates). Without keys, the index is the key.
 */
export type ItemKeys = ArrayLike<number>;

/** Small seeded random movie factors, zero user factors and biases: the first step solves users. */
export function initialFactors(
  m: RatingMatrix,
  options: FactorOptions,
  memory: (n: number) => Float32Array = (n) => new Float32Array(n),
  itemKeys?: ItemKeys,
): Factors {
  const k = options.factors;
  const itemFactors = memory(m.nItems * k);
  for (let i = 0; i < m.nItems; i++) {
    const key = itemKeys ? itemKeys[i] : i;
    for (let x = 0; x < k; x++) {
      itemFactors[i * k + x] = (keyedRandom(options.seed, key, x) - 0.5) * 0.2;
    }
  }
  return {
    k,
    mu: globalMean(m.byUser),
    options,
    userFactors: memory(m.nUsers * k),
    userBias: memory(m.nUsers),
    itemFactors,
    itemBias: memory(m.nItems),
  };
}

/**
 * One half-step over rows `from .. to` of `rows` (byUser for 'user', byItem for 'item'):
 * each row's (factors, bias) is re-solved with the other side's held. Rows are
 * independent, so threads may share a half-step by ranges.
 */
export function solveRows(
  rows: Csr,
  f: Factors,
  side: 'user' | 'item',
  from: number,
  to: number,
  scratch: SolveScratch,
): void {
  const own = side === 'user' ? f.userFactors : f.itemFactors;
  const ownBias = side === 'user' ? f.userBias : f.itemBias;
  const { a, rhs } = scratch;
  const n = f.k + 1;
  for (let r = from; r < to; r++) {
    buildSystem(rows, r, f, side, scratch);
    // a row with no entries solves to zeros: no factors, no bias
    if (rows.rowEnd[r] === rows.rowPtr[r]) rhs.fill(0);
    else {
      choleskyFactor(a, n);
      choleskySubstitute(a, rhs, n);
    }
    for (let c = 0; c < f.k; c++) own[r * f.k + c] = rhs[c];
    ownBias[r] = rhs[f.k];
  }
}

/**
 * User u's (p_u, b_u) re-solved from its ratings in `byUser` with the movies' held,
 * written in place: the live update after u's ratings changed. O(|I_u| k^2 + k^3).
 */
export function foldInUser(
  byUser: Csr,
  u: number,
  f: Factors,
  scratch: SolveScratch = solveScratch(f.k),
): void {
  solveRows(byUser, f, 'user', u, u + 1, scratch);
}

/** User u's normal equations (see buildSystem), built in `scratch`. */
export function userSystem(
  byUser: Csr,
  u: number,
  f: Factors,
  scratch: SolveScratch = solveScratch(f.k),
): SolveScratch {
  buildSystem(byUser, u, f, 'user', scratch);
  return scratch;
}

/**
 * Row r's normal equations `A x = b` on `side` (rows: byUser for users, byItem for
 * movies), the other side held: the upper triangle of
 * `A = sum z z^T + diag(lambda n, ..., lambda n, biasLambda)` and `b = sum z y`, with
 * `z = (q_c, 1)` and `y = r_rc - mu - b_c` over the row's n entries c.
 */
function buildSystem(
  rows: Csr,
  r: number,
  f: Factors,
  side: 'user' | 'item',
  scratch: SolveScratch,
): void {
  const { k, mu, options } = f;
  const other = side === 'user' ? f.itemFactors : f.userFactors;
  const otherBias = side === 'user' ? f.itemBias : f.userBias;
  const n = k + 1;
  const { a, rhs, z } = scratch;
  a.fill(0);
  rhs.fill(0);
  const start = rows.rowPtr[r];
  const end = rows.rowEnd[r];
  for (let p = start; p < end; p++) {
    const c = rows.colIdx[p];
    const base = c * k;
    for (let x = 0; x < k; x++) z[x] = other[base + x];
    const y = rows.values[p] - mu - otherBias[c];
    for (let x = 0; x < n; x++) {
      const zx = z[x];
      rhs[x] += zx * y;
      const row = x * n;
      for (let w = x; w < n; w++) a[row + w] += zx * z[w];
    }
  }
  // the bias's diagonal already holds n (z's last entry is 1)
  a[k * n + k] += options.biasLambda;
  const ridge = options.lambda * (end - start);
  for (let x = 0; x < k; x++) a[x * n + x] += ridge;
}

/**
 * Factors a symmetric positive definite A (row-major n by n, upper triangle filled) as
 * `R^T R`, R upper triangular, written over A's upper triangle.
 */
export function choleskyFactor(a: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let t = 0; t < j; t++) d -= a[t * n + j] * a[t * n + j];
    const rjj = Math.sqrt(d);
    a[j * n + j] = rjj;
    for (let c = j + 1; c < n; c++) {
      let s = a[j * n + c];
      for (let t = 0; t < j; t++) s -= a[t * n + j] * a[t * n + c];
      a[j * n + c] = s / rjj;
    }
  }
}

/** Solves `R^T R x = b` in place (x into b), R from choleskyFactor. */
export function choleskySubstitute(r: Float64Array, b: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let s = b[j];
    for (let t = 0; t < j; t++) s -= r[t * n + j] * b[t];
    b[j] = s / r[j * n + j];
  }
  for (let j = n - 1; j >= 0; j--) {
    let s = b[j];
    for (let t = j + 1; t < n; t++) s -= r[j * n + t] * b[t];
    b[j] = s / r[j * n + j];
  }
}

/** `mu + b_u + b_i + p_u . q_i`, unclipped; an unknown user or movie (-1) adds nothing. */
export function factorEstimate(f: Factors, u: number, i: number): number {
  if (u < 0) return f.mu + (i >= 0 ? f.itemBias[i] : 0);
  return f.mu + f.userBias[u] + (i >= 0 ? factorScore(f, u, i) : 0);
}

/** `p_u . q_i + b_i`: user u's ranking of movie i (b_u and mu are the same for every movie). */
export function factorScore(f: Factors, u: number, i: number): number {
  const { k, userFactors, itemFactors } = f;
  const pu = u * k;
  const qi = i * k;
  let s = f.itemBias[i];
  for (let x = 0; x < k; x++) s += userFactors[pu + x] * itemFactors[qi + x];
  return s;
}

/** The same factors with room for at least `users` users (doubling); zeros for the new. */
export function withUserRoom(f: Factors, users: number): Factors {
  if (f.userBias.length >= users) return f;
  const cap = Math.max(16, users, f.userBias.length * 2);
  const userFactors = new Float32Array(cap * f.k);
  userFactors.set(f.userFactors);
  const userBias = new Float32Array(cap);
  userBias.set(f.userBias);
  return { ...f, userFactors, userBias };
}
